import ArgumentParser
import BridgeAPI
import Foundation
import ProcessSpawn
import WorkspaceBridge

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: programs that print figures.", subcommands: [DispatchBench.self, SubmitBench.self, GRAMBench.self, WorkspaceBench.self, BootBench.self, StagingBench.self])
}

/// Jobs/s and submit-to-start latency through the daemon into warm local workspaces, against the
/// same trivial jobs run natively with the same parallelism: by a plain fork/exec loop in a small
/// C program (`wsbridge-forkloop`, the machine's limit), and by this process's own spawner.
struct DispatchBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dispatch",
        abstract: "Throughput and latency of trivial jobs through the daemon into warm local workspaces, and natively.")

    @Option(help: "Number of jobs.") var jobs: Int = 2000
    @Option(help: "Warm workspaces to spread them over.") var workspaces: Int = 4
    @Option(help: "Slots (jobs at once) per workspace.") var slots: Int = 2
    @Option(help: "Jobs submitted one at a time into the idle daemon, for the submit-to-start latency.") var idleJobs: Int = 200
    @Option(help: "The daemon's metrics listener: off, on (scraped every second while jobs run), or compare (throughput with metrics off and on, in turn, in this one run).")
    var metrics: MetricsMode = .off
    @Option(help: "With --metrics compare or --store: rounds of each (off, on, off, on ...).") var rounds: Int = 2
    @Option(help: ArgumentHelp("Also run on a PostgreSQL store, in a new database beside the one this URL names (its role must be allowed to create databases), in turn with SQLite in this one run.",
                               valueName: "postgresql://..."))
    var store: String?
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Codable {
        var jobs: Int
        var workspaces: Int
        var parallelism: Int
        var seconds: Double
        var jobsPerSecond: Double
        var nativeSeconds: Double
        var nativeJobsPerSecond: Double
        var ratio: Double
        var cLoopSeconds: Double?
        var cLoopJobsPerSecond: Double?
        /// The rate through wsbridge as a fraction of the C loop's.
        var ratioToCLoop: Double?
        var latencyP50Ms: Double
        var latencyP99Ms: Double
        /// Submit to start of one job at a time into the idle daemon.
        var idleJobs: Int
        var idleP50Ms: Double
        var idleP99Ms: Double
        /// One 4 KiB write and `fdatasync` in the daemon's state directory, as many times as
        /// idle jobs: every start waits for one commit, so the disk's tail is the floor of theirs.
        var diskSyncP50Ms: Double
        var diskSyncP99Ms: Double
        /// CPU time per job through wsbridge (user + system, milliseconds): the daemon's, the
        /// workspaces' agents', and the jobs' own processes' (from fork to exit).
        var daemonCPUMsPerJob: Double
        var agentCPUMsPerJob: Double
        var jobCPUMsPerJob: Double
        /// CPU time per job of the C loop, its own and its children's.
        var cLoopCPUMsPerJob: Double?
    }

    func run() throws {
        if metrics == .compare { return try compareMetrics() }
        if let store { return try compareStores(url: store) }
        let parallel = workspaces * slots
        let dir = NSTemporaryDirectory() + "wsbridge-bench-\(getpid())"
        let port = metrics == .on ? try MetricsScraper.freePort() : nil
        let daemon = try startDaemon(dir: dir, metricsPort: port)
        defer {
            daemon.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let roots = try warmUp(daemon)
        let daemonPID = daemon.process.processIdentifier
        let cpuBefore = ProcessCPU.sample(daemon: daemonPID, workspaces: roots)
        let scraper = port.map { MetricsScraper(port: $0) }
        let (seconds, finished) = try measure(daemon)
        _ = scraper?.stop()
        let latencies = finished.compactMap { j in j.startedAt.map { ($0 - j.submittedAt) * 1000 } }.sorted()
        let cpu = ProcessCPU.sample(daemon: daemonPID, workspaces: roots) - cpuBefore
        let idle = try idleLatencies(daemon)
        let syncs = try diskSyncTimes(in: dir, count: max(idleJobs, 1))
        let native = try nativeRun(count: jobs, parallel: parallel)
        let childrenBefore = ProcessCPU.children()
        let cLoop = try cLoopRun(count: jobs, parallel: parallel)
        let cLoopCPU = ProcessCPU.children() - childrenBefore
        let r = Result(jobs: jobs, workspaces: workspaces, parallelism: parallel, seconds: seconds,
                       jobsPerSecond: Double(jobs) / seconds, nativeSeconds: native,
                       nativeJobsPerSecond: Double(jobs) / native, ratio: native / seconds,
                       cLoopSeconds: cLoop, cLoopJobsPerSecond: cLoop.map { Double(jobs) / $0 },
                       ratioToCLoop: cLoop.map { $0 / seconds },
                       latencyP50Ms: percentile(latencies, 0.50), latencyP99Ms: percentile(latencies, 0.99),
                       idleJobs: idle.count, idleP50Ms: percentile(idle, 0.50), idleP99Ms: percentile(idle, 0.99),
                       diskSyncP50Ms: percentile(syncs, 0.50), diskSyncP99Ms: percentile(syncs, 0.99),
                       daemonCPUMsPerJob: cpu.daemon * 1000 / Double(jobs), agentCPUMsPerJob: cpu.agents * 1000 / Double(jobs),
                       jobCPUMsPerJob: cpu.jobs * 1000 / Double(jobs), cLoopCPUMsPerJob: cLoop.map { _ in cLoopCPU * 1000 / Double(jobs) })
        if json { printJSON(r); return }
        print(String(format: """
            dispatch: %d trivial jobs, %d warm workspaces x %d slots
              through wsbridge: %.2f s  %.1f jobs/s  submit-to-start p50 %.1f ms  p99 %.1f ms
              one job at a time into the idle daemon (%d jobs): submit-to-start p50 %.2f ms  p99 %.2f ms
                (the state directory's disk, 4 KiB write + fdatasync: p50 %.2f ms  p99 %.2f ms)
              CPU per job: daemon %.2f ms, agents %.2f ms, the jobs' own processes %.2f ms
              native, this process's spawner: %.2f s  %.1f jobs/s  (same parallelism)
            """, jobs, workspaces, slots, seconds, r.jobsPerSecond, r.latencyP50Ms, r.latencyP99Ms,
                     r.idleJobs, r.idleP50Ms, r.idleP99Ms, r.diskSyncP50Ms, r.diskSyncP99Ms, r.daemonCPUMsPerJob, r.agentCPUMsPerJob, r.jobCPUMsPerJob,
                     native, r.nativeJobsPerSecond))
        if let cLoop, let rate = r.cLoopJobsPerSecond, let ratio = r.ratioToCLoop {
            print(String(format: "  native, plain C fork/exec loop: %.2f s  %.1f jobs/s  (same parallelism), CPU per job %.2f ms",
                         cLoop, rate, r.cLoopCPUMsPerJob ?? 0))
            print(String(format: "  ratio to the C loop: %.3f   ratio to this process's spawner: %.2f", ratio, r.ratio))
        } else {
            print(String(format: "  ratio to this process's spawner: %.2f (wsbridge-forkloop not found beside this program: build it with `swift build --product wsbridge-forkloop`)", r.ratio))
        }
    }

    /// A daemon for the bench: warm local workspaces, limits that let every slot be used, and
    /// the metrics listener on `metricsPort` when given.
    func startDaemon(dir: String, metricsPort: Int?, storeURL: String? = nil) throws -> LocalDaemon {
        let parallel = workspaces * slots
        return try LocalDaemon(stateDir: dir, config: """
            \(storeURL.map { "[store]\nurl = \"\($0)\"" } ?? "")
            [throttle]
            max_running = \(parallel)
            max_running_per_owner = \(parallel)
            max_queued_per_owner = \(jobs + parallel)
            start_rate = 1000000.0
            max_creating = \(workspaces)
            \(metricsPort.map { "[metrics]\nlisten = \"127.0.0.1:\($0)\"" } ?? "")
            [[class]]
            name = "bench"
            slots = \(slots)
            max_workspaces = \(workspaces)
            memory_mb = 512
            idle_timeout_seconds = 3600
            """)
    }

    /// One job at a time into the idle daemon (nothing queued, a warm workspace with free slots):
    /// submit-to-start times in milliseconds, sorted.
    func idleLatencies(_ daemon: LocalDaemon) throws -> [Double] {
        let trivial = JobSpec(executable: "/bin/true", directory: "/tmp")
        var idle: [Double] = []
        for _ in 0..<idleJobs {
            let id = try daemon.client.post("/v1/jobs", SubmitRequest(specs: [trivial]), as: SubmitReply.self).jobs.flatMap { $0 }
            for job in try waitForJobs(daemon.client, id) {
                if let started = job.startedAt { idle.append((started - job.submittedAt) * 1000) }
            }
        }
        return idle.sorted()
    }

    /// One round fills every workspace's slots, so the measured jobs find them ready; returns
    /// the workspaces' first processes.
    func warmUp(_ daemon: LocalDaemon) throws -> [pid_t] {
        let trivial = JobSpec(executable: "/bin/true", directory: "/tmp")
        let warm = try daemon.client.post("/v1/jobs", SubmitRequest(specs: Array(repeating: trivial, count: workspaces * slots)),
                                          as: SubmitReply.self).jobs.flatMap { $0 }
        _ = try waitForJobs(daemon.client, warm)
        return try daemon.client.get("/v1/workspaces", as: [WorkspaceStatus].self).compactMap(\.workspace.pid)
    }

    /// Submits `jobs` trivial jobs in submits of 100 and waits for all: the seconds from the
    /// first submit to the last end, and the jobs as they finished.
    func measure(_ daemon: LocalDaemon) throws -> (seconds: Double, finished: [Job]) {
        let trivial = JobSpec(executable: "/bin/true", directory: "/tmp")
        let start = Date().timeIntervalSince1970
        var ids: [JobID] = []
        for chunk in stride(from: 0, to: jobs, by: 100) {
            ids += try daemon.client.post("/v1/jobs", SubmitRequest(specs: Array(repeating: trivial, count: min(100, jobs - chunk))),
                                          as: SubmitReply.self).jobs.flatMap { $0 }
        }
        let finished = try waitForJobs(daemon.client, ids)
        let end = finished.compactMap(\.endedAt).max() ?? Date().timeIntervalSince1970
        return (end - start, finished)
    }

    /// How long the disk under `dir` takes to make a small write durable, sorted (milliseconds).
    func diskSyncTimes(in dir: String, count: Int) throws -> [Double] {
        let path = dir + "/sync-probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CLIError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd); unlink(path) }
        let page = [UInt8](repeating: 120, count: 4096)
        var times: [Double] = []
        for i in 0..<count {
            guard pwrite(fd, page, page.count, off_t(i % 16) * 4096) == page.count else { throw CLIError("cannot write \(path)") }
            let start = DispatchTime.now().uptimeNanoseconds
            fdatasync(fd)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()
    }

    /// The same jobs by `wsbridge-forkloop`, built beside this program; nil where it was not built.
    func cLoopRun(count: Int, parallel: Int) throws -> Double? {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let loop = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("wsbridge-forkloop").path
        guard FileManager.default.isExecutableFile(atPath: loop) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: loop)
        p.arguments = [String(count), String(parallel), "/bin/true"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CLIError("wsbridge-forkloop failed (exit \(p.terminationStatus))")
        }
        return seconds
    }

    /// The same jobs without the bridge, by this process's spawner: at most `parallel` at once.
    func nativeRun(count: Int, parallel: Int) throws -> Double {
        let start = Date()
        var running = 0, started = 0
        while started < count || running > 0 {
            while running < parallel && started < count {
                var req = SpawnRequest(path: "/bin/true", argv: ["/bin/true"], environment: ["PATH=/usr/bin:/bin"], directory: "/tmp")
                req.newSession = false
                _ = try ProcessSpawner.spawn(req)
                running += 1
                started += 1
            }
            var status: Int32 = 0
            if waitpid(-1, &status, 0) > 0 { running -= 1 }
        }
        return Date().timeIntervalSince(start)
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// Waits for every job to end. The daemon holds the call for the last job until it ends (it
/// starts last), so that waiting costs the run under measure nothing; the others are then
/// looked up together.
func waitForJobs(_ client: BridgeClient, _ ids: [JobID]) throws -> [Job] {
    if let last = ids.last {
        while try !client.get("/v1/jobs/\(last)/wait?timeout=300", as: JobStatus.self).job.state.isTerminal {}
    }
    var done: [JobID: Job] = [:]
    while done.count < ids.count {
        let pending = ids.filter { done[$0] == nil }
        for chunk in stride(from: 0, to: pending.count, by: 500) {
            let part = pending[chunk..<min(pending.count, chunk + 500)]
            let list = try client.get("/v1/jobs?ids=" + part.map(String.init).joined(separator: ","), as: [JobStatus].self)
            for s in list where s.job.state.isTerminal { done[s.job.id] = s.job }
        }
        if done.count < ids.count { usleep(50_000) }
    }
    return ids.map { done[$0]! }
}

/// CPU time (user + system, seconds) of the daemon, of the workspaces' process trees (the agents),
/// and of what those reaped (the jobs), from `/proc` (clock-tick resolution).
struct ProcessCPU {
    var daemon = 0.0, agents = 0.0, jobs = 0.0

    static func - (a: Self, b: Self) -> Self { Self(daemon: a.daemon - b.daemon, agents: a.agents - b.agents, jobs: a.jobs - b.jobs) }

    static func sample(daemon: pid_t, workspaces: [pid_t]) -> Self {
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        var stats: [pid_t: (parent: pid_t, own: Double, reaped: Double)] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name), let text = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { continue }
            // After the command: state (field 3) first, so ppid (4) is [1], utime (14) [11] ... cstime (17) [14].
            let f = text[text.index(after: close)...].split(separator: " ")
            guard f.count > 14, let parent = pid_t(f[1]) else { continue }
            let n = (11...14).map { Double(f[$0]) ?? 0 }
            stats[pid] = (parent, (n[0] + n[1]) / tick, (n[2] + n[3]) / tick)
        }
        var result = Self(daemon: stats[daemon]?.own ?? 0)
        // Every process under a workspace's first process: the sandbox and its agent.
        var tree = Set(workspaces)
        var grew = true
        while grew {
            grew = false
            for (pid, s) in stats where !tree.contains(pid) && tree.contains(s.parent) {
                tree.insert(pid)
                grew = true
            }
        }
        for pid in tree {
            guard let s = stats[pid] else { continue }
            result.agents += s.own
            // What the sandbox's own processes reaped is the agent, which has not ended; what the
            // agent reaped are its jobs.
            result.jobs += s.reaped
        }
        return result
    }

    /// What this process's reaped children used, in seconds.
    static func children() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
