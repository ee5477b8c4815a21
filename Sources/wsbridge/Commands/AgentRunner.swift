import WorkspaceAgent

enum WorkspaceAgentRunner {
    static func make(socket: String?, device: String?, state: String, journal: String?, workspace: String,
                     cgroup: String?, cgroupVersion: String?) throws -> WorkspaceAgent.Agent {
        try WorkspaceAgent.Agent(options: AgentOptions(socketPath: socket, devicePath: device, stateDirectory: state,
                                                       journalPath: journal, cgroup: cgroup, cgroupVersion: cgroupVersion,
                                                       workspaceID: workspace))
    }
}
