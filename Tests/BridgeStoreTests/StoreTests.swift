import Foundation
import Testing
import WorkspaceBridge
@testable import BridgeStore

@Suite struct StoreTests {
    func tempPath() -> String { NSTemporaryDirectory() + "wsb-store-\(UUID().uuidString).sqlite" }

    func job(_ exe: String = "/bin/true") -> Job {
        Job(id: 0, spec: JobSpec(executable: exe, arguments: ["a b", "c"], environment: ["K": "V"]), owner: 1000,
            state: .queued, className: "default", submittedAt: 100)
    }

    @Test(arguments: StoreBackend.available) func jobsSurviveReopening(_ backend: StoreBackend) throws {
        let path = try backend.newLocation()
        do {
            let store = try backend.open(path)
            let saved = try store.insert([job(), job("/bin/echo")], at: 100)
            #expect(saved.map(\.id) == [1, 2])
            var j = saved[0]
            try j.move(to: .starting)
            j.attempts = 1
            j.workspaceID = "ws-1"
            try store.update([(j, .transition(j, from: .queued, at: 101))])
        }
        let reopened = try backend.open(path)
        let jobs = try reopened.unfinishedJobs().jobs
        #expect(jobs.count == 2)
        #expect(jobs[0].state == .starting && jobs[0].workspaceID == "ws-1" && jobs[0].attempts == 1)
        #expect(jobs[1].spec == job("/bin/echo").spec)
        let events = try reopened.events(after: 0, jobID: 1)
        #expect(events.map(\.to) == [.queued, .starting])
    }

    @Test(arguments: StoreBackend.available) func exitStatusRoundTrips(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        var j = try store.insert([job()], at: 0)[0]
        j.state = .failed
        j.exit = .signaled(9)
        j.reason = "killed by the memory limit"
        try store.update([(j, .transition(j, from: .running, at: 5))])
        let back = try store.job(j.id)!
        #expect(back.exit == .signaled(9))
        #expect(back.reason == "killed by the memory limit")
        #expect(try store.unfinishedJobs().jobs.isEmpty)
    }

    @Test func aCorruptFileFailsLoudlyAndIsNotReplaced() throws {
        let path = tempPath()
        let garbage = Data("this is not a database, but someone's jobs may be in it".utf8)
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("not a database")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test(arguments: StoreBackend.available) func countersAreDurableAndIncreasing(_ backend: StoreBackend) throws {
        let path = try backend.newLocation()
        do {
            let store = try backend.open(path)
            #expect(try store.next("workspace") == 1)
            #expect(try store.next("workspace") == 2)
        }
        #expect(try backend.open(path).next("workspace") == 3)
    }

    @Test func walModeAndFullSync() throws {
        let store = try SQLiteStore(path: tempPath())
        let mode = try store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        let sync = try store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(mode == "wal")
        #expect(sync == 2, "FULL: a committed submit survives a machine crash")
    }

    /// A batch is one transaction: all of it is recorded, or nothing.
    @Test(arguments: StoreBackend.available) func aBatchThatFailsRecordsNothing(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        _ = try store.insert([job()], at: 0)
        var first = try store.job(1)!
        first.state = .running
        var ghost = first
        ghost.id = 999
        // The second change of the batch fails (the job is not there): the first is rolled back.
        #expect(throws: (any Error).self) { try store.update([(first, .transition(first, from: .queued, at: 1)), (ghost, .transition(ghost, from: .queued, at: 1))]) }
        #expect(try store.job(1)!.state == .queued)
    }

    /// A state change of a job that is not in the store is an error, not a silent no-op.
    @Test(arguments: StoreBackend.available) func aChangeOfAnUnknownJobFails(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        var ghost = job()
        ghost.id = 42
        #expect(throws: (any Error).self) { try store.update([(ghost, .transition(ghost, from: .queued, at: 1))]) }
    }

    @Test(arguments: StoreBackend.available) func manyJobsAreLookedUpTogether(_ backend: StoreBackend) throws {
        let store = try backend.open(backend.newLocation())
        let saved = try store.insert(Array(repeating: job(), count: 1200), at: 0)
        let ids = saved.map(\.id) + [99_999]
        let found = try store.jobs(ids: ids)
        #expect(found.count == 1200 && found[99_999] == nil)
        #expect(found[saved[700].id]?.spec == job().spec)
    }

    /// Commits never copy the WAL into the database themselves (that would hold one of them up
    /// for tens of milliseconds); `checkpoint` does, beside the writer.
    @Test func theWALIsCheckpointedByTheTimerNotByACommit() throws {
        let path = tempPath()
        let store = try SQLiteStore(path: path)
        let auto = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(auto == 0)
        for _ in 0..<30 { _ = try store.insert(Array(repeating: job(), count: 100), at: 0) }
        let frames = try store.checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        #expect(frames.walFrameCount > 0 && frames.checkpointedFrameCount == frames.walFrameCount)
        store.checkpoint()
        #expect(try store.jobs(ids: [1, 3000]).count == 2)
    }
}

/// A store made before the constraints (v1 to v4) is upgraded in place; rows that break the new
/// rules are repaired or dropped, never left to stop the daemon.
@Test func anOldStoreIsUpgradedInPlaceWithItsConstraints() throws {
    let path = NSTemporaryDirectory() + "wsb-store-\(UUID().uuidString).sqlite"
    do {
        let store = try SQLiteStore(path: path, upTo: "v4: outbox of front-door side effects")
        _ = try store.insert([Job(id: 0, spec: JobSpec(executable: "/bin/true"), owner: 1000, state: .queued, className: "c",
                                  submittedAt: 1)], at: 1)
        try store.pool.write { db in
            try db.execute(sql: "UPDATE job SET state = 'exploded', priority = -9223372036854775808")
            try db.execute(sql: "INSERT INTO event (at, jobID, kind) VALUES (1, 999, 'orphan')")
            try db.execute(sql: """
                INSERT INTO workspace (id, className, provider, state, pid, endpoint, handle, createdAt, leaseExpiresAt, lastUsedAt, enforcement)
                VALUES ('ws-1', 'c', 'local', 'flying', -1, '', '', 0, 0, 0, '[]')
                """)
        }
    }
    let store = try SQLiteStore(path: path)
    let job = try #require(try store.job(1))
    #expect(job.state == .failed)
    #expect(job.reason == "unknown state exploded in the store")
    #expect(try store.events(after: 0).allSatisfy { $0.jobID == 1 })
    #expect(try store.workspaces().first?.state == .lost)
    // The rules hold from now on.
    #expect(throws: (any Error).self) { try store.pool.write { db in try db.execute(sql: "UPDATE job SET state = 'nope'") } }
    #expect(throws: (any Error).self) { try store.pool.write { db in try db.execute(sql: "INSERT INTO event (at, jobID, kind) VALUES (1, 12345, 'x')") } }
}

/// Finished jobs go after their keeping time with their events, in batches; unfinished ones, and
/// finished ones that still owe a side effect, stay.
@Test(arguments: StoreBackend.available) func finishedJobsArePrunedInBatches(_ backend: StoreBackend) throws {
    let store = try backend.open(backend.newLocation())
    let spec = JobSpec(executable: "/bin/true")
    var jobs = try store.insert((0..<7).map { _ in Job(id: 0, spec: spec, owner: 1, state: .queued, className: "c", submittedAt: 1) }, at: 1)
    for i in 0..<5 {
        try jobs[i].move(to: .cancelled)
        jobs[i].endedAt = i == 4 ? 1000 : 10
        let effects = i == 3 ? [(job: jobs[i].id, effect: SideEffect(path: "/tmp/x", owner: nil, text: "x"), at: 10.0)] : []
        try store.update([(jobs[i], .transition(jobs[i], from: .queued, at: 10))], effects: effects)
    }
    #expect(try store.pruneFinished(endedBefore: 100, batch: 2) == 2)
    #expect(try store.pruneFinished(endedBefore: 100, batch: 2) == 1)
    #expect(try store.pruneFinished(endedBefore: 100, batch: 2) == 0)
    let left = try store.jobs().map(\.id)
    #expect(left == [jobs[3].id, jobs[4].id, jobs[5].id, jobs[6].id], "owed a side effect, ended late, unfinished")
    #expect(try store.events(after: 0).allSatisfy { left.contains($0.jobID ?? -1) })
}

/// A workspace recorded before image digests were kept loads with none (never outdated); a
/// digest that is not 64 lowercase hex digits is refused by the store, not kept half right.
@Test func workspacesOfAnOlderStoreHaveNoImageDigest() throws {
    let path = NSTemporaryDirectory() + "wsb-store-\(UUID().uuidString).sqlite"
    do {
        let store = try SQLiteStore(path: path, upTo: "v6: accounting records")
        try store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO workspace (id, className, provider, state, pid, endpoint, handle, createdAt, leaseExpiresAt, lastUsedAt, enforcement)
                VALUES ('ws-1', 'c', 'local', 'ready', 42, '/s', '/h', 1, 2, 1, '[]')
                """)
        }
    }
    let store = try SQLiteStore(path: path)
    let old = try #require(try store.workspaces().first)
    #expect(old.id == "ws-1" && old.state == .ready && old.imageDigest == nil)

    var w = old
    w.imageDigest = String(repeating: "ab", count: 32)
    try store.save(w)
    #expect(try store.workspaces().first?.imageDigest == w.imageDigest)
    for bad in ["ABAB" + String(repeating: "ab", count: 30), String(repeating: "ab", count: 31), String(repeating: "g", count: 64)] {
        w.imageDigest = bad
        #expect(throws: (any Error).self) { try store.save(w) }
    }
    #expect(try store.workspaces().first?.imageDigest == String(repeating: "ab", count: 32))
}
