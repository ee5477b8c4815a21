import WorkspaceAgent

/// `wsbridge agent` runs the same code as the standalone `wsbridge-agent`.
enum WorkspaceAgentRunner {
    static func run(socket: String?, device: String?, state: String, journal: String?, workspace: String,
                    cgroup: String?, cgroupVersion: String?, pidsCgroup: String?, cpuacctCgroup: String?, privateMounts: Bool,
                    scratch: String?, diskMB: Int?) throws -> Never {
        try AgentMain.run(AgentOptions(socketPath: socket, devicePath: device, stateDirectory: state,
                                       journalPath: journal, cgroup: cgroup, cgroupVersion: cgroupVersion,
                                       pidsCgroup: pidsCgroup, cpuacctCgroup: cpuacctCgroup, privateMounts: privateMounts,
                                       scratchDirectory: scratch, diskMB: diskMB, workspaceID: workspace))
    }
}
