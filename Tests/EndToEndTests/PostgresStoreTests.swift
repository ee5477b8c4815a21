import BridgeAPI
import BridgeStore
import Foundation
import Testing
import WorkspaceBridge

let postgresURL = ProcessInfo.processInfo.environment["WSBRIDGE_TEST_POSTGRES_URL"]

extension EndToEndTests {
    /// The daemon on a PostgreSQL store: jobs submitted, the daemon killed (-9) with some running
    /// and some queued, started again: every job ends once, and its runs are where they were.
    @Test(.enabled(if: isRoot && postgresURL != nil, "needs root and WSBRIDGE_TEST_POSTGRES_URL (contrib/postgres/start.sh)"))
    func aDaemonOnPostgreSQLLosesNothingToAKill() throws {
        let base = try #require(postgresURL)
        let database = try PostgresStore.createScratchDatabase(beside: base, prefix: "wsbtest")
        defer { try? PostgresStore.dropScratchDatabase(database, beside: base) }
        let d = try TestDaemon(config: config(maxRunning: 2, extra: "[store]\nurl = \"\(database)\""))
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit((0..<6).map { i in
            JobSpec(executable: "/bin/sh", arguments: ["-c", "sleep 1; echo ran-\(i) >> \(d.work)/ledger"], directory: d.work)
        })
        try d.waitUntil("two running") { try d.status(ids).filter { $0.state == .running }.count == 2 }
        d.kill9()
        let sqlite = (try? FileManager.default.attributesOfItem(atPath: d.stateDir + "/wsbridge.sqlite")[.size] as? Int) ?? 0
        #expect(sqlite == 0, "nothing kept in SQLite (the state directory only reserves its file, empty)")
        try d.start()
        let jobs = try d.waitAll(ids, timeout: 120)
        #expect(jobs.allSatisfy { $0.state == .done }, "\(jobs.map { "\($0.id) \($0.state)" })")
        let ledger = (try? String(contentsOfFile: d.work + "/ledger", encoding: .utf8)) ?? ""
        #expect(ledger.split(separator: "\n").sorted() == (0..<6).map { "ran-\($0)" }, "each job ran once: \(ledger)")
        #expect(d.journal().filter { $0.kind == "start" }.count == 6, "no run started twice")
    }
}
