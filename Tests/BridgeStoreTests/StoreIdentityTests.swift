import Foundation
import GRDB
import Testing
import WorkspaceBridge
@testable import BridgeStore

@Suite struct StoreIdentityTests {
    func tempPath() -> String { NSTemporaryDirectory() + "wsb-store-\(UUID().uuidString).sqlite" }

    func job() -> Job {
        Job(id: 0, spec: JobSpec(executable: "/bin/true"), owner: 1000, state: .queued, className: "default", submittedAt: 1)
    }

    @Test func madeOnceAtCreationAndKept() throws {
        let path = tempPath()
        let first = try SQLiteStore(path: path).identity
        #expect(first.id.count == 36 && first.id == first.id.lowercased())
        #expect(first.legacyJobIDsUpTo == 0, "a new store hands out no plain ids")
        _ = try SQLiteStore(path: path).insert([job()], at: 1)
        #expect(try SQLiteStore(path: path).identity == first, "reopening keeps the identity")
    }

    @Test func aResetStoreIsAnotherStore() throws {
        let path = tempPath()
        let old = try SQLiteStore(path: path)
        let oldJob = try old.insert([job()], at: 1)[0]
        try FileManager.default.removeItem(atPath: path)
        let new = try SQLiteStore(path: path)
        let newJob = try new.insert([job()], at: 1)[0]
        #expect(oldJob.id == newJob.id, "ids count from 1 again")
        #expect(old.identity.id != new.identity.id)
    }

    /// A store of an earlier wsbridge (schema v1 only) gets an identity on upgrade; the jobs it
    /// already had (even ones deleted since: AUTOINCREMENT's high-water mark) keep plain ids.
    @Test func anEarlierStoreKeepsItsPlainIDs() throws {
        let path = tempPath()
        do {
            let pool = try DatabasePool(path: path)
            try Migrations.migrator.migrate(pool, upTo: "v1: jobs, events, workspaces")
            try pool.write { db in
                for _ in 0..<3 {
                    try db.execute(sql: """
                        INSERT INTO job (owner, state, className, spec, submittedAt) VALUES (1000, 'queued', 'default', ?, 1)
                        """, arguments: [#"{"executable":"/bin/true"}"#])
                }
                try db.execute(sql: "DELETE FROM job WHERE id = 3")
            }
        }
        let store = try SQLiteStore(path: path)
        #expect(store.identity.legacyJobIDsUpTo == 3)
        #expect(try store.unfinishedJobs().jobs.map(\.id) == [1, 2], "the old jobs are still there")
        let next = try store.insert([job()], at: 2)[0]
        #expect(next.id == 4 && !store.identity.isLegacy(next.id))
    }
}
