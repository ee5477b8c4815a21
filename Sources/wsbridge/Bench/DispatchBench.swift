import ArgumentParser
import BridgeAPI
import Foundation
import ProcessSpawn
import WorkspaceBridge

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: programs that print figures.", subcommands: [DispatchBench.self, SubmitBench.self, GRAMBench.self, WorkspaceBench.self, StagingBench.self])
}

/// Jobs/s and submit-to-start latency through the daemon into warm local workspaces, against the
/// same trivial jobs run natively (fork/exec, no bridge) with the same parallelism.
struct DispatchBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dispatch",
        abstract: "Throughput and latency of trivial jobs through the daemon into warm local workspaces, and natively.")

    @Option(help: "Number of jobs.") var jobs: Int = 2000
    @Option(help: "Warm workspaces to spread them over.") var workspaces: Int = 4
    @Option(help: "Slots (jobs at once) per workspace.") var slots: Int = 2
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
        var latencyP50Ms: Double
        var latencyP99Ms: Double
    }

    func run() throws {
        let parallel = workspaces * slots
        let dir = NSTemporaryDirectory() + "wsbridge-bench-\(getpid())"
        let daemon = try LocalDaemon(stateDir: dir, config: """
            [throttle]
            max_running = \(parallel)
            max_running_per_owner = \(parallel)
            max_queued_per_owner = \(jobs + parallel)
            start_rate = 1000000.0
            max_creating = \(workspaces)
            [[class]]
            name = "bench"
            slots = \(slots)
            max_workspaces = \(workspaces)
            memory_mb = 512
            idle_timeout_seconds = 3600
            """)
        defer {
            daemon.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let trivial = JobSpec(executable: "/bin/true", directory: "/tmp")
        // Warm up: one round fills every workspace's slots, so the measured jobs find them ready.
        let warm = try daemon.client.post("/v1/jobs", SubmitRequest(specs: Array(repeating: trivial, count: parallel)),
                                          as: SubmitReply.self).jobs.flatMap { $0 }
        _ = try waitAll(daemon.client, warm)
        let start = Date().timeIntervalSince1970
        var ids: [JobID] = []
        for chunk in stride(from: 0, to: jobs, by: 100) {
            ids += try daemon.client.post("/v1/jobs", SubmitRequest(specs: Array(repeating: trivial, count: min(100, jobs - chunk))),
                                          as: SubmitReply.self).jobs.flatMap { $0 }
        }
        let finished = try waitAll(daemon.client, ids)
        let end = finished.compactMap(\.endedAt).max() ?? Date().timeIntervalSince1970
        let latencies = finished.compactMap { j in j.startedAt.map { ($0 - j.submittedAt) * 1000 } }.sorted()
        let seconds = end - start
        let native = try nativeRun(count: jobs, parallel: parallel)
        let r = Result(jobs: jobs, workspaces: workspaces, parallelism: parallel, seconds: seconds,
                       jobsPerSecond: Double(jobs) / seconds, nativeSeconds: native,
                       nativeJobsPerSecond: Double(jobs) / native, ratio: native / seconds,
                       latencyP50Ms: percentile(latencies, 0.50), latencyP99Ms: percentile(latencies, 0.99))
        if json { printJSON(r); return }
        print(String(format: """
            dispatch: %d trivial jobs, %d warm workspaces x %d slots
              through wsbridge: %.2f s  %.1f jobs/s  submit-to-start p50 %.1f ms  p99 %.1f ms
              native fork/exec: %.2f s  %.1f jobs/s  (same parallelism)
              ratio (wsbridge / native rate): %.2f
            """, jobs, workspaces, slots, seconds, r.jobsPerSecond, r.latencyP50Ms, r.latencyP99Ms, native,
                     r.nativeJobsPerSecond, r.ratio))
    }

    func waitAll(_ client: BridgeClient, _ ids: [JobID]) throws -> [Job] {
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

    /// The same jobs without the bridge: fork/exec with at most `parallel` at once.
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
