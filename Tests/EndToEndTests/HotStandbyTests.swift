import BridgeAPI
import BridgeStore
import Foundation
import Testing
import WorkspaceBridge

extension EndToEndTests {
    /// Two daemons on one PostgreSQL store: the second waits as a standby. The active one is
    /// killed (-9) with jobs running and queued: the standby takes over within failover_seconds,
    /// re-attaches the running jobs and runs the queued ones; every job ends once. Then the
    /// first comes back as a standby, the active one is paused past its lease: the standby takes
    /// over, and the paused one, let go again, stops (status 75) instead of acting.
    @Test(.enabled(if: isRoot && postgresURL != nil, "needs root and WSBRIDGE_TEST_POSTGRES_URL (contrib/postgres/start.sh)"))
    func aStandbyTakesOverAndAStaleActiveStops() throws {
        let base = try #require(postgresURL)
        let database = try PostgresStore.createScratchDatabase(beside: base, prefix: "wsbtest")
        defer { try? PostgresStore.dropScratchDatabase(database, beside: base) }
        let shared = config(maxRunning: 6, slots: 3, maxWorkspaces: 2, extra: """
            [store]
            url = "\(database)"
            failover_seconds = 6
            """)
        let a = try TestDaemon(config: shared)
        let b = try TestDaemon(config: shared)
        defer { a.cleanUp(); b.cleanUp() }
        try a.start()
        try b.start(waitForAPI: false)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(!FileManager.default.fileExists(atPath: b.stateDir + "/api.sock"), "the standby does not serve")
        #expect(b.daemonLog.contains("standby: another daemon is active"), "\(b.daemonLog)")

        let ledger = a.work + "/ledger"
        let ids = try a.submit((0..<30).map { i in
            JobSpec(executable: "/bin/sh", arguments: ["-c", "sleep 1; echo \(i) >> \(ledger)"], directory: a.work)
        })
        try a.waitUntil("jobs running") { try a.status(ids).filter { $0.state == .running }.count >= 3 }
        a.kill9()
        let killed = Date()
        let deadline = killed.addingTimeInterval(30)
        while (try? b.client.get("/v1/health", as: [String: String].self)) == nil, Date() < deadline { usleep(50_000) }
        let takeover = Date().timeIntervalSince(killed)
        print("hot standby: the standby answered \(String(format: "%.2f", takeover)) s after the active daemon was killed (failover_seconds = 6)")
        #expect(takeover <= 6, "took over within failover_seconds")
        let jobs = try b.waitAll(ids, timeout: 120)
        #expect(jobs.allSatisfy { $0.state == .done }, "\(jobs.map { "\($0.id) \($0.state)" })")
        let lines = ((try? String(contentsOfFile: ledger, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        #expect(lines.sorted() == (0..<30).map(String.init).sorted(), "every job ran once: \(lines.count) lines")
        for id in ids {
            let ends = try b.client.get("/v1/events?after=0&job=\(id)", as: EventsReply.self).events.filter { $0.to?.isTerminal == true }
            #expect(ends.count == 1, "job \(id) ended \(ends.count) times")
        }

        // The first daemon, started again, is a standby now; the active one is paused past its lease.
        try a.start(waitForAPI: false)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(a.daemonLog.contains("standby"), "\(a.daemonLog)")
        let paused = try #require(b.process)
        kill(paused.processIdentifier, SIGSTOP)
        try a.waitUntil(timeout: 30, "the standby takes over") { (try? a.client.get("/v1/health", as: [String: String].self)) != nil }
        kill(paused.processIdentifier, SIGCONT)
        let stopBy = Date().addingTimeInterval(15)
        while paused.isRunning, Date() < stopBy { usleep(50_000) }
        #expect(!paused.isRunning && paused.terminationStatus == 75, "the stale daemon stops instead of acting")
        #expect(b.daemonLog.contains("no longer holds the store's lease"), "\(b.daemonLog)")
        b.process = nil
        // The new active one serves: a job submitted to it runs.
        let after = try a.submit([JobSpec(executable: "/bin/true", directory: a.work)])
        #expect(try a.waitAll(after)[0].state == .done)
    }
}
