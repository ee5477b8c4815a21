import BridgeAPI
import Foundation
import LibvirtProvider
import WorkspaceBridge
import WorkspaceProviders

/// One mode of `wsbridge bench workspace`: a daemon of its own with one libvirt class that waits
/// for jobs that way, and the jobs submitted into it one at a time.
final class GuestModeRun {
    let mode: WorkspaceBench.Mode
    let daemon: LocalDaemon
    let dir: String
    let watcher: SerialLogWatcher
    let slots: Int
    let uri: String
    /// Per cold job: its status and the times of its workspace's ready event.
    private var cold: [(job: Job, readyAt: Double?)] = []
    private var seenWorkspaces = Set<String>()

    init(mode: WorkspaceBench.Mode, guestDir: String, uri: String, domainType: String, memory: Int,
         settings: [String: String], slots: Int) throws {
        self.mode = mode
        self.slots = slots
        self.uri = uri
        dir = NSTemporaryDirectory() + "wsbridge-wsbench-\(getpid())-\(mode.rawValue)"
        let extra = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \"\($0.value)\"" }.joined(separator: "\n")
        daemon = try LocalDaemon(stateDir: dir, config: """
            [throttle]
            max_running = \(slots)
            start_rate = 1000000.0
            max_creating = 1
            [[class]]
            name = "bench"
            provider = "libvirt"
            slots = \(slots)
            max_workspaces = 1
            memory_mb = \(memory)
            cpus = 1
            network = false
            warm_workspaces = \(mode == .cold ? 0 : 1)
            warm_mode = "\(mode == .cold || mode == .warm ? "running" : mode.rawValue)"
            idle_timeout_seconds = \(mode == .cold ? 1 : 3600)
            [class.settings]
            uris = "\(uri)"
            domain_type = "\(domainType)"
            kernel = "\(guestDir)/vmlinux"
            initrd = "\(guestDir)/initrd.img"
            boot_timeout_seconds = 300
            \(extra)
            """)
        let instances = dir + "/libvirt/instances"
        try? FileManager.default.createDirectory(atPath: instances, withIntermediateDirectories: true)
        watcher = SerialLogWatcher(instancesDirectory: instances)
    }

    func finish() {
        watcher.stop()
        daemon.stop()
        // A class with a warm workspace begins a new one when the last went, maybe just before
        // the daemon stopped: remove what is left of its guests, found by the daemon's scope.
        let sockets = "/run/wsbridge/" + LocalProvider.scope(of: dir)
        let provider = LibvirtProvider(configuration: .init(stateDirectory: dir + "/libvirt", socketDirectory: sockets), uris: [uri])
        for id in (try? blocking { try await provider.discover() }) ?? [] {
            _ = try? blocking { try await provider.destroy(id: id) }
        }
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: sockets)
    }

    func workspaces() throws -> [Workspace] {
        try daemon.client.get("/v1/workspaces", as: [WorkspaceStatus].self).map(\.workspace)
    }

    /// Waits until the class's guest waits for a job the way the mode says (none at all: cold).
    func waitUntilWaiting(timeout: Double = 600) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let list = try workspaces()
            for w in list { seenWorkspaces.insert(w.id) }
            switch mode {
            case .cold: if list.isEmpty { return }
            case .warm: if list.count == 1, list[0].state == .ready { return }
            case .paused: if list.count == 1, list[0].state == .paused { return }
            case .saved: if list.count == 1, list[0].state == .saved { return }
            }
            usleep(20_000)
        }
        throw CLIError("\(mode.rawValue): the guest did not get ready to wait for a job in \(Int(timeout)) s; see \(dir)/daemon.log")
    }

    /// `count` jobs, one at a time, each into a guest waiting the mode's way.
    func latencies(_ count: Int) throws -> WorkspaceBench.ModeResult {
        var latencies: [Double] = []
        for _ in 0..<count {
            try waitUntilWaiting()
            let after = try daemon.client.get("/v1/events?after=0", as: EventsReply.self).last
            let ids = try daemon.client.post("/v1/jobs", SubmitRequest(specs: [Self.trivial]), as: SubmitReply.self).jobs.flatMap { $0 }
            let job = try waitForJobs(daemon.client, ids)[0]
            guard job.state == .done, let started = job.startedAt else {
                throw CLIError("\(mode.rawValue): job \(job.id) ended \(job.state) \(job.reason ?? ""); see \(dir)/daemon.log")
            }
            latencies.append(started - job.submittedAt)
            if let w = job.workspaceID { seenWorkspaces.insert(w) }
            if mode == .cold {
                let events = try daemon.client.get("/v1/events?after=\(after)", as: EventsReply.self).events
                cold.append((job, events.first { $0.workspace == job.workspaceID && $0.kind == "workspace-ready" }?.at))
            }
        }
        let sorted = latencies.sorted()
        return .init(mode: mode, jobs: count, p50Seconds: percentile(sorted, 0.5), p99Seconds: percentile(sorted, 0.99),
                     minSeconds: sorted.first ?? 0, maxSeconds: sorted.last ?? 0, goalSeconds: mode.goal,
                     workspacesBooted: seenWorkspaces.count, latenciesSeconds: latencies)
    }

    /// The median phases of the cold jobs' boots.
    func coldBoot() -> ColdBoot? {
        var phases: [BootPhases] = [], toDomain: [Double] = [], toStart: [Double] = [], total: [Double] = []
        for (job, readyAt) in cold {
            guard let ws = job.workspaceID, let readyAt, let started = job.startedAt,
                  let log = watcher.log(endingWith: "-" + ws),
                  let p = BootPhases(log: log, start: log.directorySeenAt, end: readyAt) else { continue }
            phases.append(p)
            toDomain.append(log.directorySeenAt - job.submittedAt)
            toStart.append(started - readyAt)
            total.append(started - job.submittedAt)
        }
        guard let boot = BootPhases.median(phases) else { return nil }
        return ColdBoot(boots: phases.count, submitToDomainSeconds: percentile(toDomain.sorted(), 0.5), boot: boot,
                        readyToStartSeconds: percentile(toStart.sorted(), 0.5), submitToStartSeconds: percentile(total.sorted(), 0.5))
    }

    /// Jobs/s of `count` trivial jobs submitted at once into the warm guest.
    func throughput(_ count: Int) throws -> Double {
        try waitUntilWaiting()
        let start = Date().timeIntervalSince1970
        var ids: [JobID] = []
        for chunk in stride(from: 0, to: count, by: 100) {
            ids += try daemon.client.post("/v1/jobs", SubmitRequest(specs: Array(repeating: Self.trivial, count: min(100, count - chunk))),
                                          as: SubmitReply.self).jobs.flatMap { $0 }
        }
        let done = try waitForJobs(daemon.client, ids)
        let end = done.compactMap(\.endedAt).max() ?? Date().timeIntervalSince1970
        return Double(count) / (end - start)
    }

    /// A job that does nothing, in the bench's class; as root's, it runs as nobody.
    static let trivial = JobSpec(executable: "/bin/true", directory: "/tmp", workspace: .named("bench"))
}
