import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// `wsbridge gram submit` waits for a job that ends at once and replies DONE, which the job
/// manager acts on at once (gram/jobmanager/source/globus_gram_job_manager_state.c: SUBMIT falls
/// through to POLL1), instead of leaving the end to its SEG reader's 2 s timer
/// (gram/jobmanager/source/seg/seg_job_manager_module.c). An end with an exit code to tell is
/// replied ACTIVE: only the SEG line can carry the code.
@Suite struct GRAMSubmitSettleTests {
    @Test func aJobThatEndsWithinTheWaitIsRepliedDoneAndANonZeroExitIsLeftToTheSEG() throws {
        let seg = try SEGDirectory()
        defer { seg.remove() }
        let d = try TestDaemon(config: config(extra: seg.config))
        defer { d.cleanUp() }
        try d.start()

        // A generous wait: the first job also makes its workspace; what is pinned is the reply.
        let ok = try d.gram("submit", #"{"executable":["/bin/true"],"directory":["\#(d.work)"]}"#, options: ["--settle", "10"])
        #expect(ok["JOB_STATE"] as? Int == 8, "\(ok)")
        let okID = try #require(ok["JOB_ID"] as? String)

        let three = try d.gram("submit", #"{"executable":["/bin/sh"],"arguments":["-c","exit 3"],"directory":["\#(d.work)"]}"#, options: ["--settle", "10"])
        #expect(three["JOB_STATE"] as? Int == 2, "ended, but its exit code reaches the client only through the SEG: \(three)")
        let threeID = try #require(three["JOB_ID"] as? String)
        #expect(try d.status([2])[0].state.isTerminal)

        // The SEG lines are written all the same, with the exit code.
        try d.waitUntil("both DONE lines are in the day file") {
            let lines = try seg.lines()
            return lines.contains { $0.hasSuffix(";\(okID);8;0") } && lines.contains { $0.hasSuffix(";\(threeID);8;3") }
        }
    }
}
