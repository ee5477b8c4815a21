import BridgeStore
import Foundation

/// `bench dispatch --store postgresql://...`: the same dispatch on SQLite and on PostgreSQL.
extension DispatchBench {
    struct StoreComparison: Codable {
        var jobs: Int
        var parallelism: Int
        /// The PostgreSQL server, without its password.
        var postgresql: String
        /// Jobs per second of each round, in the order run.
        var sqliteJobsPerSecond: [Double]
        var postgresqlJobsPerSecond: [Double]
        /// The daemon's CPU time per job, milliseconds, per round.
        var sqliteDaemonCPUMsPerJob: [Double]
        var postgresqlDaemonCPUMsPerJob: [Double]
        /// One job at a time into the idle daemon: submit-to-start p50 and p99, ms (last round).
        var sqliteIdleP50Ms: Double
        var sqliteIdleP99Ms: Double
        var postgresqlIdleP50Ms: Double
        var postgresqlIdleP99Ms: Double
        /// Best PostgreSQL round over best SQLite round.
        var ratio: Double
    }

    /// Alternating rounds, SQLite then PostgreSQL, each with a fresh daemon, warm workspaces and
    /// (for PostgreSQL) a new database, dropped afterwards.
    func compareStores(url: String) throws {
        let description = try PostgresSettings(url: url).description
        var rates: [Bool: [Double]] = [:], cpu: [Bool: [Double]] = [:], idle: [Bool: [Double]] = [:]
        for round in 0..<(2 * max(1, rounds)) {
            let onPostgres = round % 2 == 1
            let dir = NSTemporaryDirectory() + "wsbridge-bench-\(getpid())-\(round)"
            let database = onPostgres ? try PostgresStore.createScratchDatabase(beside: url, prefix: "wsbbench") : nil
            let daemon = try startDaemon(dir: dir, metricsPort: nil, storeURL: database)
            defer {
                daemon.stop()
                try? FileManager.default.removeItem(atPath: dir)
                if let database { try? PostgresStore.dropScratchDatabase(database, beside: url) }
            }
            let roots = try warmUp(daemon)
            let pid = daemon.process.processIdentifier
            let before = ProcessCPU.sample(daemon: pid, workspaces: roots)
            let (seconds, _) = try measure(daemon)
            let daemonCPU = (ProcessCPU.sample(daemon: pid, workspaces: roots) - before).daemon * 1000 / Double(jobs)
            rates[onPostgres, default: []].append(Double(jobs) / seconds)
            cpu[onPostgres, default: []].append(daemonCPU)
            idle[onPostgres] = try idleLatencies(daemon)
            if !json {
                print(String(format: "  round %d, %@: %.1f jobs/s, daemon CPU %.3f ms per job, idle submit-to-start p50 %.2f ms p99 %.2f ms",
                             round + 1, onPostgres ? "PostgreSQL" : "SQLite    ", Double(jobs) / seconds, daemonCPU,
                             percentile(idle[onPostgres] ?? [], 0.5), percentile(idle[onPostgres] ?? [], 0.99)))
            }
        }
        let r = StoreComparison(jobs: jobs, parallelism: workspaces * slots, postgresql: description,
                                sqliteJobsPerSecond: rates[false] ?? [], postgresqlJobsPerSecond: rates[true] ?? [],
                                sqliteDaemonCPUMsPerJob: cpu[false] ?? [], postgresqlDaemonCPUMsPerJob: cpu[true] ?? [],
                                sqliteIdleP50Ms: percentile(idle[false] ?? [], 0.5), sqliteIdleP99Ms: percentile(idle[false] ?? [], 0.99),
                                postgresqlIdleP50Ms: percentile(idle[true] ?? [], 0.5), postgresqlIdleP99Ms: percentile(idle[true] ?? [], 0.99),
                                ratio: (rates[true]?.max() ?? 0) / max(rates[false]?.max() ?? 1, 1e-9))
        if json { printJSON(r); return }
        print(String(format: "dispatch: %d trivial jobs at parallelism %d; best SQLite %.1f jobs/s, best PostgreSQL (%@) %.1f jobs/s: ratio %.3f",
                     jobs, workspaces * slots, rates[false]?.max() ?? 0, description, rates[true]?.max() ?? 0, r.ratio))
    }
}
