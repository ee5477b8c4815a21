import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// A store reset between a GRAM submit and the job manager's next poll: job numbers start again
/// at 1, but the id the job manager holds names the old store, so the poll is refused instead of
/// answering with the new store's job 1, and the SEG lines of the two jobs never share an id.
@Suite struct GRAMStoreResetTests {
    @Test func aPollForAJobOfTheResetStoreIsRefused() throws {
        let seg = try SEGDirectory()
        defer { seg.remove() }
        let d = try TestDaemon(config: config(extra: seg.config))
        defer { d.cleanUp() }
        try d.start()
        let description = #"{"executable":["/bin/true"],"directory":["\#(d.work)"]}"#
        let oldID = try #require(try d.gram("submit", description)["JOB_ID"] as? String)
        let oldStore = try d.client.get("/v1/store", as: StoreIdentity.self)
        #expect(oldID == "\(oldStore.id).1")
        _ = try d.waitAll([1])

        // The reset: the daemon stops, its store goes, a new one is made at the next start.
        for w in try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self) {
            _ = try d.client.delete("/v1/workspaces/\(w.workspace.id)", as: [String: String].self)
        }
        d.terminate()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: d.stateDir + "/wsbridge.sqlite" + suffix) }
        try d.start()
        let newStore = try d.client.get("/v1/store", as: StoreIdentity.self)
        #expect(newStore.id != oldStore.id)
        let newID = try #require(try d.gram("submit", #"{"executable":["/bin/sleep"],"arguments":["30"],"directory":["\#(d.work)"]}"#)["JOB_ID"] as? String)
        #expect(newID == "\(newStore.id).1", "the new store's first job is number 1 again")
        try d.waitUntil("the new job 1 runs") { try d.status([1])[0].state == .running }

        // The job manager polls the old job: refused, not the new job 1's ACTIVE.
        let poll = try d.gram("poll", #"{"jobid":["\#(oldID)"]}"#)
        #expect(poll["ERROR"] as? Int == 109, "\(poll)")
        #expect(poll["JOB_STATE"] == nil, "\(poll)")
        #expect((poll["GT3_FAILURE_MESSAGE"] as? String)?.contains("store was reset") == true, "\(poll)")
        let cancel = try d.gram("cancel", #"{"jobid":["\#(oldID)"]}"#)
        #expect(cancel["ERROR"] != nil, "a cancel of the old job must not cancel the new job 1: \(cancel)")
        #expect(try d.status([1])[0].state == .running)
        #expect(try d.gram("poll", #"{"jobid":["\#(newID)"]}"#)["JOB_STATE"] as? Int == 2)

        // Both jobs' SEG lines are there; no id is shared between the stores.
        let ids = Set(try seg.lines().map { String($0.split(separator: ";")[2]) })
        #expect(ids == [oldID, newID], "\(ids)")
        _ = try d.client.post("/v1/jobs/1/cancel", as: JobActionReply.self)
    }
}
