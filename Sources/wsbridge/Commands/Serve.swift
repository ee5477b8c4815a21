import ArgumentParser
import BridgeDaemon
import CondorFrontend
import GRAMFrontend
import LibvirtProvider
import Foundation
import Logging
import ProcessSpawn
import WorkspaceBridge
import WorkspaceProviders

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

    @Option(name: .long, help: ArgumentHelp(
        "Least level logged to standard error: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")) (default: $WSBRIDGE_LOG_LEVEL, else the config's [log] level, else info).",
        valueName: "level"), completion: .list(Logger.Level.allCases.map(\.rawValue)))
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let dir = stateDir ?? ProcessInfo.processInfo.environment["WSBRIDGE_STATE_DIR"] ?? "/var/lib/wsbridge"
        do {
            try await Daemon.run(DaemonOptions(stateDirectory: dir, configPath: config, socketPath: socket,
                                               logLevel: logLevel.flatMap(Logger.Level.init(rawValue:))),
                                 providers: Providers.make, observers: { FrontDoors.observers($0, store: $1) })
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
    @Option(help: "v1: the workspace's pids-controller cgroup, for per-run process limits.") var pidsCgroup: String?
    @Option(help: "v1: the workspace's cpuacct-controller cgroup, for each run's CPU time.") var cpuacctCgroup: String?
    @Flag(help: "Give each run the host's file system read-only, a private /tmp, and its directory, home and writable binds writable.")
    var privateMounts = false
    @Option(help: "With --private-mounts: a size-limited disk mounted here, root only, on which each run gets its /tmp, /dev/shm and /var/tmp.")
    var scratch: String?
    @Option(help: "The scratch disk's size, for the reason given to a run that fills it.") var diskMb: Int?

    func run() throws {
        try WorkspaceAgentRunner.run(socket: socket, device: device, state: state, journal: journal,
                                     workspace: workspace, cgroup: cgroup, cgroupVersion: cgroupVersion,
                                     pidsCgroup: pidsCgroup, cpuacctCgroup: cpuacctCgroup, privateMounts: privateMounts,
                                     scratch: scratch, diskMB: diskMb)
    }
}

/// The providers the daemon runs with: the local sandbox always, libvirt when a class uses it
/// (loaded only then, so that a local-only site needs no libvirt installed).
enum Providers {
    static func make(_ context: ProviderContext) throws -> [any WorkspaceProvider] {
        let dir = context.stateDirectory
        var list: [any WorkspaceProvider] = [
            LocalProvider(stateDirectory: dir, agentExecutable: context.executable, journalPath: dir + "/agents.journal"),
        ]
        let libvirtClasses = context.config.classes.filter { $0.provider == "libvirt" }
        if !libvirtClasses.isEmpty {
            do { try LibvirtLibrary.load() } catch {
                throw CLIError("class \(libvirtClasses[0].name) uses libvirt, but \(error)")
            }
            list.append(LibvirtProvider(configuration: .init(stateDirectory: dir + "/libvirt",
                                                             socketDirectory: "/run/wsbridge/" + LocalProvider.scope(of: dir),
                                                             scope: context.workspaceScope),
                                        classes: context.config.classes))
        }
        return list
    }
}

/// The front doors' observers the daemon runs with.
enum FrontDoors {
    @Sendable static func observers(_ config: BridgeConfig, store: StoreIdentity) -> [any JobObserver] {
        var list: [any JobObserver] = [CondorJobObserver(host: "<127.0.0.1:0>")]
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
        for t in [now, now + 86400] {
            let fd = open(path(t), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o644)
            if fd >= 0 { close(fd) }
        }
    }

    func path(_ timestamp: Int64) -> String { directory + "/" + SEGFormatter.dayFileName(timestamp: timestamp) }

    /// The line for the day file of the change, and tomorrow's file made ready.
    func effects(of job: Job, from: JobState?, at: Double) -> [SideEffect] {
        guard case .gram = job.spec.origin, let event = SEGFormatter.event(for: job, at: Int64(at), store: store),
              let line = try? SEGFormatter.line(event) else { return [] }
        // queued → starting is PENDING → PENDING for GRAM: write a state once.
        if from == .queued && job.state == .starting { return [] }
        return [SideEffect(path: path(Int64(at)), owner: nil, text: line),
                SideEffect(path: path(Int64(at) + 86400), owner: nil, text: "")]
    }
}
