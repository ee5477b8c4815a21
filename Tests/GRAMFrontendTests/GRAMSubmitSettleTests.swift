import Testing
import WorkspaceBridge
@testable import GRAMFrontend

// What `submit` may report pins two upstream behaviours: the job manager acts on a JOB_STATE
// from the submit script at once (gram/jobmanager/source/globus_gram_job_manager_state.c, SUBMIT
// falls through to POLL1), while its SEG reader sees the day file only on its own 2 s timer
// (gram/jobmanager/source/seg/seg_job_manager_module.c, globus_l_job_manager_poll_callback).

private func job(_ id: JobID, _ state: JobState, exit: WorkspaceBridge.ExitStatus? = nil) -> Job {
    Job(id: id, spec: JobSpec(executable: "/bin/true"), owner: 1000, state: state, className: "default",
        submittedAt: 0, exit: exit)
}

@Test("submit waits for jobs that may end at once, not for held or throttled ones")
func settleWorthWaiting() {
    #expect(GRAMSubmitSettle.worthWaiting([(job(1, .queued), "queued")]))
    #expect(GRAMSubmitSettle.worthWaiting([(job(1, .queued), nil), (job(2, .running), "running in w1")]))
    #expect(GRAMSubmitSettle.worthWaiting([(job(1, .done, exit: .exited(0)), nil), (job(2, .starting), nil)]))
    #expect(GRAMSubmitSettle.worthWaiting([(job(1, .queued), "eligible: a workspace of class default will be created for it")]))
    #expect(GRAMSubmitSettle.worthWaiting([(job(1, .queued), WaitReason.workspaceBeingCreated(className: "default").description)]))
    #expect(!GRAMSubmitSettle.worthWaiting([(job(1, .queued), WaitReason.globalRunning(limit: 2).description)]))
    #expect(!GRAMSubmitSettle.worthWaiting([(job(1, .queued), WaitReason.creationLimit(limit: 4).description)]))
    #expect(!GRAMSubmitSettle.worthWaiting([(job(1, .held), "held"), (job(2, .running), nil)]))
    #expect(!GRAMSubmitSettle.worthWaiting([(job(1, .suspended), nil)]))
    #expect(!GRAMSubmitSettle.worthWaiting([(job(1, .done, exit: .exited(0)), nil)]))
    #expect(!GRAMSubmitSettle.worthWaiting([]))
}

@Test("a submit reply says DONE only when no exit code would be lost; the SEG carries the others")
func settleReplyState() {
    let store = StoreIdentity(id: "0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e")
    #expect(GRAMAdapter.submitReply(jobs: [job(7, .done, exit: .exited(0))], store: store).json()
            == #"{"JOB_ID":"0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e.7","JOB_STATE":8}"#)
    #expect(GRAMAdapter.submitReply(jobs: [job(7, .failed, exit: .exited(3))], store: nil).jobState == .active)
    #expect(GRAMAdapter.submitReply(jobs: [job(7, .done, exit: .signaled(9))], store: nil).jobState == .active)
    #expect(GRAMAdapter.submitReply(jobs: [job(7, .done, exit: .exited(0)), job(8, .done, exit: .exited(1))], store: nil)
            .jobState == .active)
    #expect(GRAMAdapter.submitReply(jobs: [job(7, .done, exit: .exited(0)), job(8, .running)], store: nil).jobState == .active)
    #expect(GRAMAdapter.submitReply(jobs: [job(7, .queued)], store: nil).jobState == .pending)
    // Not run at all: FAILED with its code, as the SEG line says too.
    let failed = GRAMAdapter.submitReply(jobs: [job(7, .failed)], store: nil)
    #expect(failed.jobState == .failed)
    #expect(failed.error == .jobExecutionFailed)
}
