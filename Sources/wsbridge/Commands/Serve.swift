import ArgumentParser
import BridgeDaemon
import CondorFrontend
import Foundation
import ProcessSpawn
import WorkspaceBridge

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: store, scheduler, workspaces and the API socket.",
        discussion: """
            With no --config, built-in defaults apply: one class `default` on the local provider \
            (process sandbox). SIGTERM stops the daemon; running jobs keep running in their \
            workspaces and are re-attached at the next start. SIGHUP reloads the config.
            """
    )

    @Option(name: .long, help: ArgumentHelp("State directory (store, workspaces, socket).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Admin config file (TOML).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("API socket path (default: <state-dir>/api.sock).", valueName: "path"))
    var socket: String?

    func run() async throws {
        let dir = stateDir ?? ProcessInfo.processInfo.environment["WSBRIDGE_STATE_DIR"] ?? "/var/lib/wsbridge"
        do {
            try await Daemon.run(DaemonOptions(stateDirectory: dir, configPath: config, socketPath: socket),
                                 observers: FrontDoors.observers())
        } catch {
            fail("\(error)")
        }
    }
}

struct Agent: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent inside a workspace (started by the daemon's providers, not by hand).",
        shouldDisplay: false
    )

    @Option(help: "Listen on this Unix socket.") var socket: String?
    @Option(help: "Talk over this character device (a guest's virtio-serial or Xen channel).") var device: String?
    @Option(help: "Directory for the agent's run records.") var state: String
    @Option(help: "Append start/end lines to this file.") var journal: String?
    @Option(help: "The workspace id, for the journal.") var workspace: String = "workspace"
    @Option(help: "The workspace's cgroup directory for per-run cgroups.") var cgroup: String?
    @Option(help: "v1 or v2.") var cgroupVersion: String?

    func run() throws {
        let agent = try WorkspaceAgentRunner.make(socket: socket, device: device, state: state, journal: journal,
                                                  workspace: workspace, cgroup: cgroup, cgroupVersion: cgroupVersion)
        try agent.run()
    }
}

/// The front doors' observers the daemon runs with.
enum FrontDoors {
    static func observers() -> [any JobObserver] {
        [CondorJobObserver(host: "<127.0.0.1:0>") { job, path, text in
            let gid = Identity.lookup(uid: job.owner)?.gid ?? job.owner
            try? UserFiles.append(text, to: path, uid: job.owner, gid: gid)
        }]
    }
}
