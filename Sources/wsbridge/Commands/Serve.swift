import ArgumentParser
import BridgeDaemon
import CondorFrontend
import GRAMFrontend
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
                                 observers: { FrontDoors.observers($0, store: $1) })
        } catch {
            fail("\(error)")
        }
    }
}

struct Agent: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent inside a workspace (started by the daemon's providers, not by hand).",
        discussion: "The same agent as the standalone `wsbridge-agent`, which guests carry.",
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
        try WorkspaceAgentRunner.run(socket: socket, device: device, state: state, journal: journal,
                                     workspace: workspace, cgroup: cgroup, cgroupVersion: cgroupVersion)
    }
}

/// The front doors' observers the daemon runs with.
enum FrontDoors {
    @Sendable static func observers(_ config: BridgeConfig, store: StoreIdentity) -> [any JobObserver] {
        var list: [any JobObserver] = [CondorJobObserver(host: "<127.0.0.1:0>") { job, path, text in
            let gid = Identity.lookup(uid: job.owner)?.gid ?? job.owner
            try? UserFiles.append(text, to: path, uid: job.owner, gid: gid)
        }]
        if let dir = config.segDirectory { list.append(SEGWriter(directory: dir, store: store)) }
        return list
    }
}

/// GRAM's scheduler event generator files: one `001;...` line per state change of a GRAM job,
/// appended to the UTC day file that `globus-job-manager -seg-module workspace` reads.
struct SEGWriter: JobObserver {
    let directory: String
    /// The daemon's store: its identity is part of every job id written (`GRAMJobID`).
    let store: StoreIdentity

    /// A job manager whose SEG reader finds no file for today looks again only every 30 s:
    /// today's and tomorrow's files exist from the start.
    init(directory: String, store: StoreIdentity) {
        self.directory = directory
        self.store = store
        let now = Int64(Date().timeIntervalSince1970)
        for t in [now, now + 86400] { touch(t) }
    }

    func touch(_ timestamp: Int64) {
        let fd = open(directory + "/" + SEGFormatter.dayFileName(timestamp: timestamp), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd >= 0 { close(fd) }
    }

    func recorded(_ job: Job, from: JobState?, at: Double) {
        guard case .gram = job.spec.origin, let event = SEGFormatter.event(for: job, at: Int64(at), store: store),
              let line = try? SEGFormatter.line(event) else { return }
        // queued → starting is PENDING → PENDING for GRAM: write a state once.
        if from == .queued && job.state == .starting { return }
        let path = directory + "/" + SEGFormatter.dayFileName(timestamp: Int64(at))
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        touch(Int64(at) + 86400)
    }
}
