import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

/// What a submit costs as one owner's queue grows, what the daemon holds in memory for a long
/// queue, what it burns while the queue waits, and how long a restart with it takes.
struct SubmitBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit",
        abstract: "Submit latency at a short and a long queue of one owner; daemon memory, idle CPU and restart time with the long one.")

    @Option(help: "Queued jobs of the short queue.") var small: Int = 1000
    @Option(help: "Queued jobs of the long queue.") var large: Int = 100_000
    @Option(help: "Single-job submits timed at each queue length.") var samples: Int = 200
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Codable {
        var smallQueue: Int
        var largeQueue: Int
        var smallP50Ms: Double
        var smallP99Ms: Double
        var largeP50Ms: Double
        var largeP99Ms: Double
        var p99Ratio: Double
        var fillJobsPerSecond: Double
        var rssServingMB: Double
        var idleCPUPercent: Double
        var restartSeconds: Double
        var rssAfterRestartMB: Double
    }

    func run() throws {
        let dir = NSTemporaryDirectory() + "wsbridge-bench-submit-\(getpid())"
        // One job of the owner runs (a long sleep); every other waits behind max_running_per_owner.
        let config = """
            [throttle]
            max_running_per_owner = 1
            max_queued_per_owner = \(large + 2 * samples + 10)
            [api]
            max_count = \(SpecBounds.count.upperBound)
            requests_per_second_per_user = 100000
            [[class]]
            name = "bench"
            slots = 1
            max_workspaces = 1
            idle_timeout_seconds = 3600
            """
        var daemon = try LocalDaemon(stateDir: dir, config: config)
        defer {
            daemon.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let blocker = try daemon.client.submit(SubmitRequest(specs: [JobSpec(executable: "/bin/sleep", arguments: ["3600"], directory: "/tmp")]))
        let trivial = JobSpec(executable: "/bin/true", directory: "/tmp")
        var queued = 0
        func fill(to n: Int) throws -> Double {
            let start = Date()
            while queued < n {
                var batch = trivial
                batch.count = min(1000, n - queued)
                _ = try daemon.client.submit(SubmitRequest(specs: [batch]))
                queued += batch.count
            }
            return Double(n) / max(Date().timeIntervalSince(start), 1e-9)
        }
        func timeSubmits() throws -> [Double] {
            var times: [Double] = []
            for _ in 0..<samples {
                let t = Date()
                _ = try daemon.client.submit(SubmitRequest(specs: [trivial]))
                times.append(Date().timeIntervalSince(t) * 1000)
                queued += 1
            }
            return times.sorted()
        }
        _ = try fill(to: small)
        let atSmall = try timeSubmits()
        let fillRate = try fill(to: large)
        let atLarge = try timeSubmits()
        let before = daemon.usage
        Thread.sleep(forTimeInterval: 5)
        let after = daemon.usage
        daemon.terminate()
        let restartStart = Date()
        daemon = try LocalDaemon(stateDir: dir, config: config)
        let restart = Date().timeIntervalSince(restartStart)
        _ = blocker
        let r = Result(smallQueue: small, largeQueue: large,
                       smallP50Ms: percentile(atSmall, 0.5), smallP99Ms: percentile(atSmall, 0.99),
                       largeP50Ms: percentile(atLarge, 0.5), largeP99Ms: percentile(atLarge, 0.99),
                       p99Ratio: percentile(atLarge, 0.99) / max(percentile(atSmall, 0.99), 1e-9),
                       fillJobsPerSecond: fillRate, rssServingMB: before.rssMB,
                       idleCPUPercent: (after.cpuSeconds - before.cpuSeconds) / 5 * 100,
                       restartSeconds: restart, rssAfterRestartMB: daemon.usage.rssMB)
        if json { printJSON(r); return }
        print(String(format: """
            submit: one owner, single-job submits (%d samples each)
              at %d queued:  p50 %.2f ms  p99 %.2f ms
              at %d queued:  p50 %.2f ms  p99 %.2f ms   (p99 ratio %.2f)
              filling the queue: %.0f jobs/s (submits of 1000)
              daemon with %d held jobs: RSS %.0f MB serving, idle CPU %.1f %%
              restart: %.2f s to answer, RSS %.0f MB after
            """, samples, small, r.smallP50Ms, r.smallP99Ms, large, r.largeP50Ms, r.largeP99Ms, r.p99Ratio, r.fillJobsPerSecond,
                     queued, r.rssServingMB, r.idleCPUPercent, r.restartSeconds, r.rssAfterRestartMB))
    }
}
