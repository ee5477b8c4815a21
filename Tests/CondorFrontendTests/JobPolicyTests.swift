import Foundation
import Testing
import WorkspaceBridge
@testable import CondorFrontend

@Suite struct JobPolicyTests {
    func ad(_ submit: String) throws -> ClassAd {
        try CondorSubmit.parse(text: "executable = /bin/echo\n" + submit + "\nqueue\n", file: "t.sub", cwd: "/tmp", environment: [:]).jobs[0].ad
    }

    @Test func retriesUntilSuccessOrLimit() throws {
        var job = try ad("max_retries = 2")
        JobPolicy.recordExit(.exited(1), in: &job)
        guard case .requeue = JobPolicy.onExit(job) else { Issue.record("first failure should retry"); return }
        JobPolicy.recordExit(.exited(1), in: &job)
        JobPolicy.recordExit(.exited(1), in: &job)
        #expect(JobPolicy.onExit(job) == .complete) // NumJobCompletions 3 > JobMaxRetries 2
        var ok = try ad("max_retries = 5")
        JobPolicy.recordExit(.exited(0), in: &ok)
        #expect(JobPolicy.onExit(ok) == .complete)
    }

    @Test func retryUntilExitCode() throws {
        var job = try ad("retry_until = 42")
        JobPolicy.recordExit(.exited(42), in: &job)
        #expect(JobPolicy.onExit(job) == .complete)
    }

    @Test func onExitHoldWinsWithReason() throws {
        var job = try ad("on_exit_hold = ExitCode =!= 0\non_exit_hold_reason = \"bad exit\"\non_exit_hold_subcode = 7")
        JobPolicy.recordExit(.exited(3), in: &job)
        #expect(JobPolicy.onExit(job) == .hold(reason: "bad exit", code: 3, subcode: 7))
        var sig = try ad("on_exit_remove = ExitBySignal == false")
        JobPolicy.recordExit(.signaled(9), in: &sig)
        #expect(JobPolicy.onExit(sig) == .requeue(reason: "The job attribute OnExitRemove expression 'ExitBySignal == false' evaluated to FALSE"))
    }

    @Test func periodicExpressions() throws {
        var job = try ad("periodic_hold = NumJobStarts > 3\nperiodic_release = true\nperiodic_remove = JobStatus == 5 && NumJobStarts > 10")
        job.assign("NumJobStarts", 4)
        #expect(JobPolicy.periodic(job) == .hold(reason: "The job attribute PeriodicHold expression 'NumJobStarts > 3' evaluated to TRUE", code: 3, subcode: 0))
        job.assign("JobStatus", 5)
        job.assign("HoldReasonCode", 3)
        #expect(JobPolicy.periodic(job) == .release(reason: "The job attribute PeriodicRelease expression 'true' evaluated to TRUE"))
        job.assign("HoldReasonCode", 1) // a user hold is not released by policy
        #expect(JobPolicy.periodic(job) == .none)
        job.assign("NumJobStarts", 11)
        guard case .remove = JobPolicy.periodic(job) else { Issue.record("expected remove"); return }
    }
}
