import Foundation
import GRDB
import Synchronization
import Testing
import WorkspaceBridge
@testable import BridgeStore

/// What every store promises (`Store`), checked on each database the suite can reach: the same
/// calls, the same answers.
@Suite struct StoreContractTests {
    func job(owner: UInt32 = 1000) -> Job {
        Job(id: 0, spec: JobSpec(executable: "/bin/echo", arguments: ["é", "a b"], environment: ["K": "V"]), owner: owner,
            state: .queued, className: "default", submittedAt: 100)
    }

    @Test func bothDatabasesHaveTheSameMigrations() {
        #expect(Migrations.migrator.migrations == PostgresMigrations.all.map(\.name))
    }

    /// A workspace's image digest comes back as saved; one that is not 64 lowercase hex digits
    /// is refused by the database itself, and the row keeps what it had.
    @Test(arguments: StoreBackend.available) func aWorkspaceKeepsItsImageDigest(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        var w = Workspace(id: "ws-1", className: "c", provider: "local", state: .ready, pid: 42, endpoint: "/s", handle: "/h",
                          createdAt: 1, leaseExpiresAt: 2, lastUsedAt: 1)
        try store.save(w)
        #expect(try store.workspaces().first?.imageDigest == nil)
        w.imageDigest = String(repeating: "0123456789abcdef", count: 4)
        try store.save(w)
        #expect(try store.workspaces().first?.imageDigest == w.imageDigest)
        for bad in [String(repeating: "A", count: 64), String(repeating: "a", count: 63), String(repeating: "z", count: 64)] {
            #expect(throws: (any Error).self) {
                try backend.execute("UPDATE workspace SET imageDigest = '\(bad)' WHERE id = 'ws-1'", on: store)
            }
        }
        #expect(try store.workspaces().first?.imageDigest == w.imageDigest)
    }

    @Test(arguments: StoreBackend.available) func anIdempotencyKeyRecordsOnce(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        let key = (owner: UInt32(1000), key: "gram-1", group: { (jobs: [Job]) in [jobs.map(\.id)] })
        let saved = try store.insert([job(), job()], at: 1, key: key)
        #expect(try store.submitted(owner: 1000, key: "gram-1") == [saved.map(\.id)])
        #expect(try store.submitted(owner: 1001, key: "gram-1") == nil, "keys are per owner")
        #expect(throws: StoreError.self) { _ = try store.insert([job()], at: 2, key: key) }
        #expect(try store.jobs().count == 2, "the refused submit recorded nothing")
    }

    @Test(arguments: StoreBackend.available) func listingsFilterAndPage(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        _ = try store.insert([job(owner: 1), job(owner: 2), job(owner: 1), job(owner: 1)], at: 1)
        #expect(try store.jobs(owner: 1).map(\.id) == [1, 3, 4])
        #expect(try store.jobs(owner: 1, before: 4, limit: 1).map(\.id) == [3])
        #expect(try store.jobs(ids: [2, 4, 77]).map(\.id) == [2, 4])
        #expect(try store.events(after: 0, limit: 2).map(\.jobID) == [1, 2])
        #expect(try store.events(after: 0, jobID: 3).map(\.to) == [.queued])
        let back = try #require(try store.job(3))
        #expect(back.spec == job().spec && back.owner == 1 && back.submittedAt == 100)
    }

    @Test(arguments: StoreBackend.available) func theOutboxDeliversInOrderAndRemembers(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        var j = try store.insert([job()], at: 1, key: nil) { job in
            [SideEffect(path: "/var/log/seg/1", owner: nil, text: "001;1;1;1;0\n"), SideEffect(path: "/var/log/seg/1", owner: 1000, text: "two\n")]
        }[0]
        try j.move(to: .cancelled)
        try store.update([(j, .transition(j, from: .queued, at: 2))],
                         effects: [(job: j.id, effect: SideEffect(path: "/apel/1", owner: nil, text: "APEL", kind: .file, mode: 0o640), at: 2)])
        let due = try store.dueEffects(now: 10)
        #expect(due.map(\.effect.text) == ["001;1;1;1;0\n", "two\n", "APEL"])
        #expect(due[2].effect.kind == .file && due[2].effect.mode == 0o640 && due[1].effect.owner == 1000)
        try store.effectWillWrite(due[0].seq, at: 42)
        #expect(try store.effect(due[0].seq)?.offset == 42)
        // A failed first line holds back the second of its file, not the other file.
        try store.effectFailed(due[0].seq, error: "EIO", nextAt: 100)
        #expect(try store.dueEffects(now: 10).map(\.effect.text) == ["APEL"])
        #expect(try store.effect(due[0].seq)?.attempts == 1)
        try store.effectDelivered(due[2].seq)
        #expect(try store.effect(due[2].seq) == nil)
        try store.effectAbandoned(try #require(try store.effect(due[0].seq)), error: "EIO", at: 200)
        #expect(try store.events(after: 0, jobID: j.id).last?.kind == "effect-abandoned")
        #expect(try store.dueEffects(now: 10).map(\.effect.text) == ["two\n"])
    }

    @Test(arguments: StoreBackend.available) func accountingIsWrittenOnceAndRangedByEnd(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        var j = try store.insert([job()], at: 1)[0]
        try j.move(to: .starting)
        try j.move(to: .running)
        try j.move(to: .done)
        let record = AccountingRecord(job: j.id, attempt: 1, owner: 1000, ownerName: "alice", origin: "gram",
                                      grid: .init(jobID: "https://ce/1", userDN: "/DC=org/CN=Alice", fqan: "/atlas"),
                                      className: "default", workspace: "ws-1", host: "node1", cores: 2, startedAt: 10, endedAt: 20.5,
                                      cpuSeconds: 3.25, peakMemoryBytes: 1 << 30, usageSource: "cgroup", exit: .exited(0))
        try store.update([(j, .transition(j, from: .running, at: 20.5))], accounting: [record])
        try store.update([], accounting: [record])
        #expect(try store.accounting(since: 0, until: 100) == [record])
        #expect(try store.accounting(since: 20.5, until: 100, owner: 1000).count == 1)
        #expect(try store.accounting(since: 0, until: 20.5).isEmpty, "until is exclusive")
        #expect(try store.accounting(since: 0, until: 100, owner: 1001).isEmpty)
    }

    @Test(arguments: StoreBackend.available) func workspacesAreSavedReplacedAndDeleted(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        var w = Workspace(id: "ws-1", className: "default", provider: "local", state: .creating, pid: nil, endpoint: "/run/a.sock",
                          handle: "h", createdAt: 1, leaseExpiresAt: 100, lastUsedAt: 1,
                          enforcement: [Enforcement(control: "memory", mechanism: "cgroup-v1", effective: true, detail: "512 MB")])
        try store.save(w, event: StoreEvent(at: 1, workspaceID: "ws-1", kind: "workspace-created"))
        try w.move(to: .booting)
        w.pid = 4242
        try store.save(w)
        #expect(try store.workspaces() == [w])
        try store.deleteWorkspace("ws-1", event: StoreEvent(at: 2, workspaceID: "ws-1", kind: "workspace-destroyed"))
        #expect(try store.workspaces().isEmpty)
        #expect(try store.events(after: 0).map(\.kind) == ["workspace-created", "workspace-destroyed"])
    }

    /// A row that breaks what the model can hold is reported with its reason and failed on
    /// request, never a trap, and never keeps the others from loading.
    @Test(arguments: StoreBackend.available) func aRowThatCannotBeLoadedIsReportedAndFailed(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        _ = try store.insert([job(), job()], at: 1)
        try backend.execute("UPDATE job SET spec = 'not json' WHERE id = 1", on: store)
        let (jobs, bad) = try store.unfinishedJobs()
        #expect(jobs.map(\.id) == [2] && bad.map(\.id) == [1])
        try store.markUnloadable(1, reason: bad[0].reason, at: 5)
        #expect(try store.unfinishedJobs().unloadable.isEmpty)
        #expect(try store.events(after: 0, jobID: 1).last?.to == .failed)
        #expect(try store.jobs().map(\.id) == [2], "listings leave the bad row out")
    }

    /// The database itself refuses what the model cannot hold (its CHECK constraints).
    @Test(arguments: StoreBackend.available) func theDatabaseRefusesImpossibleValues(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        _ = try store.insert([job()], at: 1)
        for sql in ["UPDATE job SET state = 'exploded'", "UPDATE job SET owner = -1", "UPDATE job SET attempts = -1",
                    "INSERT INTO event (at, jobID, kind) VALUES (1, 12345, 'orphan')"] {
            #expect(throws: (any Error).self, "\(sql)") { try backend.execute(sql, on: store) }
        }
    }
}

@Suite struct PostgresSettingsTests {
    @Test func urlsAsLibpqReadsThem() throws {
        let tcp = try PostgresSettings(url: "postgresql://bridge:s3cret@db.example.org:6543/wsbridge")
        #expect(tcp.host == "db.example.org" && tcp.port == 6543 && tcp.user == "bridge" && tcp.password == "s3cret" && tcp.database == "wsbridge")
        #expect(!tcp.description.contains("s3cret"), "the password never reaches a log")
        #expect(try PostgresSettings(url: tcp.url).description == tcp.description)
        let socket = try PostgresSettings(url: "postgresql://bridge@/wsbridge?host=/run/postgresql")
        #expect(socket.socketPath == "/run/postgresql/.s.PGSQL.5432" && socket.host == nil)
        #expect(try PostgresSettings(url: socket.url).socketPath == socket.socketPath)
        for bad in ["mysql://db/w", "postgresql://db", "postgresql://db:0/w", "postgresql://db:99999/w",
                    "postgresql://db/w?sslmode=require", "postgresql://db/w?application=x"] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try PostgresSettings(url: bad) }
        }
    }
}

/// The lease that makes one of several daemons on one PostgreSQL store the active one.
@Suite struct PostgresLeaseTests {
    @Test(.enabled(if: StoreBackend.available.contains(.postgresql), "needs WSBRIDGE_TEST_POSTGRES_URL"))
    func aDaemonThatLostTheLeaseWritesNothing() throws {
        let url = try StoreBackend.postgresql.newLocation()
        let old = try PostgresStore(settings: PostgresSettings(url: url))
        let new = try PostgresStore(settings: PostgresSettings(url: url))
        let told = Mutex<[String]>([])
        let first = try #require(try old.acquireLease(holder: "host-a:/var/lib/wsbridge", seconds: 1) { why in told.withLock { $0.append(why) } })
        _ = try old.insert([Job(id: 0, spec: JobSpec(executable: "/bin/true"), owner: 1, state: .queued, className: "c", submittedAt: 1)], at: 1)
        #expect(try new.acquireLease(holder: "host-b:/var/lib/wsbridge", seconds: 1) { _ in } == nil, "held, not expired")
        Thread.sleep(forTimeInterval: 1.3)
        let second = try #require(try new.acquireLease(holder: "host-b:/var/lib/wsbridge", seconds: 30) { _ in })
        #expect(second == first + 1)
        #expect(try old.renewLease(epoch: first, seconds: 1) == false, "the old holder learns it lost the lease")
        // Every kind of write of the old holder is refused before it touches anything.
        let before = (try new.jobs().count, try new.events(after: 0).count)
        #expect(throws: StoreFenced.self) {
            _ = try old.insert([Job(id: 0, spec: JobSpec(executable: "/bin/true"), owner: 1, state: .queued, className: "c", submittedAt: 2)], at: 2)
        }
        var job = try #require(try new.job(1))
        try job.move(to: .cancelled)
        #expect(throws: StoreFenced.self) { try old.update([(job, .transition(job, from: .queued, at: 3))]) }
        #expect(throws: StoreFenced.self) { _ = try old.next("workspace") }
        #expect(throws: StoreFenced.self) { try old.record(StoreEvent(at: 4, kind: "x")) }
        #expect(try new.jobs().count == before.0 && new.events(after: 0).count == before.1, "no write of the old holder happened")
        #expect(try new.job(1)?.state == .queued)
        #expect(told.withLock { $0.count } == 4 && told.withLock { $0[0] }.contains("from epoch \(first) to \(second)"))
        // The new holder writes; the same holder started again takes its lease back at once.
        _ = try new.next("workspace")
        #expect(try new.acquireLease(holder: "host-b:/var/lib/wsbridge", seconds: 30) { _ in } == second + 1)
        #expect(try new.lease().holder == "host-b:/var/lib/wsbridge")
    }
}
