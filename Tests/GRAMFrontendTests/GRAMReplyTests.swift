import Foundation
import Testing
import WorkspaceBridge
@testable import GRAMFrontend

private func job(_ id: JobID, _ state: JobState, exit: WorkspaceBridge.ExitStatus? = nil, reason: String? = nil) -> Job {
    Job(id: id, spec: JobSpec(executable: "/bin/true"), owner: 1000, state: state, className: "default",
        submittedAt: 0, exit: exit, reason: reason)
}

@Test("GRAM state values are the protocol's bit values")
func stateValues() {
    #expect(GRAMJobState.allCases.map(\.rawValue) == [1, 2, 4, 8, 16, 32, 64, 128])
    #expect(GRAMSignal.allCases.map(\.rawValue) == Array(1...10))
}

@Test("each of our states has its GRAM state", arguments: [
    (JobState.queued, GRAMJobState.pending), (.starting, .pending), (.running, .active), (.suspended, .suspended),
    (.held, .suspended), (.done, .done), (.failed, .failed), (.cancelled, .failed),
])
func stateMapping(ours: JobState, gram: GRAMJobState) {
    #expect(GRAMJobState(ours) == gram)
}

@Test("the job manager's allowed state changes")
func transitions() {
    #expect(GRAMJobState.pending.accepts(.active))
    #expect(!GRAMJobState.active.accepts(.pending))
    #expect(!GRAMJobState.active.accepts(.active))
    #expect(GRAMJobState.suspended.accepts(.active))
    #expect(GRAMJobState.stageOut.accepts(.done))
    #expect(!GRAMJobState.stageOut.accepts(.active))
    #expect(!GRAMJobState.done.accepts(.failed))
}

@Test("reply JSON: exactly the accepted keys, sorted, integers for states and codes")
func replyJSON() {
    let store = StoreIdentity(id: "0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e")
    #expect(GRAMAdapter.submitReply(ids: [12, 13], store: store).json()
            == #"{"JOB_ID":"0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e.12,0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e.13","JOB_STATE":1}"#)
    #expect(GRAMAdapter.submitReply(ids: [12, 13], store: nil).json() == #"{"JOB_ID":"12,13","JOB_STATE":1}"#)
    #expect(GRAMAdapter.pollReply(jobs: [job(1, .running)]).json() == #"{"JOB_STATE":2}"#)
    #expect(GRAMAdapter.failureReply(GRAMError(.executableNotFound, "no /bin/x\nhere"), for: .submit).json()
            == #"{"ERROR":5,"GT3_FAILURE_MESSAGE":"no /bin/x here"}"#)
    #expect(GRAMAdapter.failureReply(GRAMError(.jobCancelFailed, "daemon down"), for: .cancel).json() == #"{"ERROR":31}"#)
    #expect(GRAMAdapter.cancelReply().json() == #"{"JOB_STATE":4}"#)
    #expect(GRAMReply().json() == "{}")
}

@Test("poll combines sub-jobs like the job manager's SEG handling")
func pollAggregation() {
    #expect(GRAMAdapter.pollReply(jobs: [job(1, .queued), job(2, .starting)]).jobState == .pending)
    #expect(GRAMAdapter.pollReply(jobs: [job(1, .queued), job(2, .running)]).jobState == .active)
    #expect(GRAMAdapter.pollReply(jobs: [job(1, .held), job(2, .done)]).jobState == .suspended)
    #expect(GRAMAdapter.pollReply(jobs: [job(1, .done), job(2, .done)]) == GRAMReply(jobState: .done))
    let failed = GRAMAdapter.pollReply(jobs: [job(1, .done), job(2, .failed, reason: "workspace did not boot")])
    #expect(failed.jobState == .failed)
    #expect(failed.error == .jobExecutionFailed)
    #expect(failed.failureMessage == "job 2 failed: workspace did not boot")
    #expect(GRAMAdapter.pollReply(jobs: []).error == .gettingJobID)
    #expect(GRAMAdapter.pollReply(jobs: [job(3, .cancelled)]).error == .systemCancelled)
}

@Test("exit policy: DONE keeps output, or FAILED carries the exit code")
func exitPolicy() {
    let exited = job(4, .failed, exit: .exited(3))
    #expect(GRAMAdapter.pollReply(jobs: [exited]) == GRAMReply(jobState: .done))
    let strict = GRAMAdapter.pollReply(jobs: [exited], policy: .failOnNonZeroExit)
    #expect(strict.json() == #"{"ERROR":17,"GT3_FAILURE_MESSAGE":"job 4 failed: exit code 3","JOB_STATE":4}"#)
    #expect(GRAMAdapter.pollReply(jobs: [job(5, .done, exit: .exited(0))], policy: .failOnNonZeroExit).jobState == .done)
}

@Test("query replies drop keys the job manager's query handler refuses")
func queryReplies() {
    let full = GRAMReply(jobState: .failed, error: .jobExecutionFailed, jobID: "1", failureMessage: "x", log: "l")
    #expect(full.forQuery() == {
        var r = GRAMReply(jobState: .failed, error: .jobExecutionFailed)
        r.log = "l"
        return r
    }())
    let suspend = GRAMSignalRequest(jobs: [1], signal: .suspend, argument: nil)
    #expect(GRAMAdapter.signalReply(suspend, jobs: [job(1, .suspended)]).json() == #"{"JOB_STATE":16}"#)
    #expect(GRAMAdapter.signalReply(GRAMSignalRequest(jobs: [1], signal: .priority, argument: "5"), jobs: []).json() == "{}")
    #expect(GRAMAdapter.signalReply(GRAMSignalRequest(jobs: [1], signal: .cancel, argument: nil), jobs: []).json()
            == #"{"JOB_STATE":4}"#)
}

@Test("job ids and signal requests from the description")
func idsAndSignals() throws {
    let store = StoreIdentity(id: "0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e")
    let p = store.id + "."
    #expect(try GRAMAdapter.jobIDs(descriptionJSON: Data(#"{"jobid":["\#(p)12,\#(p)13,\#(p)14"]}"#.utf8), store: store) == [12, 13, 14])
    #expect(throws: GRAMError.self) { try GRAMAdapter.jobIDs(descriptionJSON: Data(#"{"uniqid":["1.2"]}"#.utf8), store: store) }
    #expect(throws: GRAMError.self) { try GRAMJobID.parse("\(p)12,,\(p)13", store: store) }
    #expect(throws: GRAMError.self) { try GRAMJobID.parse("ws-12", store: store) }
    let s = try GRAMAdapter.signalRequest(descriptionJSON: Data(#"{"jobid":["\#(p)9"],"signal":["4"],"signalarg":["7"]}"#.utf8), store: store)
    #expect(s == GRAMSignalRequest(jobs: [9], signal: .priority, argument: "7"))
    #expect(s.priority == 7)
    do {
        _ = try GRAMAdapter.signalRequest(descriptionJSON: Data(#"{"jobid":["\#(p)9"],"signal":["7"]}"#.utf8), store: store)
        Issue.record("STDIO_UPDATE never reaches an LRM")
    } catch {
        #expect(error.code == .unknownSignalType)
    }
    do {
        _ = try GRAMAdapter.signalRequest(descriptionJSON: Data(#"{"jobid":["\#(p)9"],"signal":["4"],"signalarg":["high"]}"#.utf8), store: store)
        Issue.record("priority needs a number")
    } catch {
        #expect(error.code == .signalingJob)
    }
}

@Test("error codes: all 167, unique, with upstream names")
func errorCodes() {
    #expect(GRAMErrorCode.allCases.count == 167)
    #expect(GRAMErrorCode.allCases.map(\.rawValue) == Array(1...167))
    #expect(GRAMErrorCode.badRSL.rawValue == 48 && GRAMErrorCode.badRSL.name == "BAD_RSL")
    #expect(GRAMErrorCode.undefinedExe.rawValue == 81)
    #expect(GRAMErrorCode.invalidScriptStatus.rawValue == 25)
    #expect(GRAMErrorCode.invalidSubmitAttribute.name == "INVALID_SUBMIT_ATTRIBUTE")
    #expect(GRAMErrorCode.authorizationDeniedExecutable.rawValue == 165)
    #expect(GRAMErrorCode.invalidUserName.rawValue == 167)
    #expect(Set(GRAMErrorCode.allCases.map(\.name)).count == 167)
    #expect(GRAMError(RSLError(.evaluation, "x")).code == .rslEvaluationFailed)
    #expect(GRAMError(RSLError(.syntax, "x")).code == .badRSL)
    #expect(GRAMCommand.allCases.map(\.failureCode) == [.jobExecutionFailed, .gettingJobID, .jobCancelFailed, .signalingJob])
}
