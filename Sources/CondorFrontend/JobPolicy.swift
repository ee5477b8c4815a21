import WorkspaceBridge

/// What the job policy expressions say should happen to a job (condor.md §2.2, §4.5;
/// `src/condor_utils/user_job_policy.cpp`).
public enum JobPolicyDecision: Sendable, Equatable {
    /// Nothing to do: keep running, stay idle, or stay held.
    case none
    /// The job is finished and leaves the queue (exit with `OnExitRemove` true).
    case complete
    /// The job exited but goes back to idle to run again (`OnExitRemove` false): a retry.
    case requeue(reason: String)
    case hold(reason: String, code: Int, subcode: Int)
    case release(reason: String)
    case remove(reason: String)
}

/// Evaluates a job's policy expressions against its ad with the runtime attributes HTCondor
/// keeps (`ExitCode`, `ExitBySignal`, `ExitSignal`, `NumJobStarts`, `NumJobCompletions`,
/// `JobStatus`, `HoldReasonCode`, `EnteredCurrentStatus`, `QDate` ...). Pure: the caller
/// keeps the ad and applies the decision.
public enum JobPolicy {
    /// `HoldReasonCode` 3: held by the job's own policy.
    public static let holdCodeJobPolicy = 3

    /// Sets the attributes HTCondor records when a run ends.
    public static func recordExit(_ exit: ExitStatus, in ad: inout ClassAd) {
        switch exit {
        case .exited(let code):
            ad.assign("ExitCode", Int(code))
            ad.assign("ExitBySignal", false)
            ad["ExitSignal"] = nil
        case .signaled(let sig):
            ad.assign("ExitBySignal", true)
            ad.assign("ExitSignal", Int(sig))
            ad["ExitCode"] = nil
        }
        let completions = ad.evaluate("NumJobCompletions").number.map { Int($0) } ?? 0
        ad.assign("NumJobCompletions", completions + 1)
    }

    /// On exit: `OnExitHold` first, then `OnExitRemove` (default true). `ad` must already carry
    /// the exit (see `recordExit`).
    public static func onExit(_ ad: ClassAd) -> JobPolicyDecision {
        if let hold = ad["OnExitHold"], ad.evaluate("OnExitHold") == .bool(true) {
            return .hold(reason: reason(ad, "OnExitHoldReason", default: "The job attribute OnExitHold expression '\(ClassAdUnparser.unparse(hold))' evaluated to TRUE"),
                         code: holdCodeJobPolicy, subcode: subcode(ad, "OnExitHoldSubCode"))
        }
        guard let remove = ad["OnExitRemove"] else { return .complete }
        switch ad.evaluate("OnExitRemove") {
        case .bool(false):
            return .requeue(reason: "The job attribute OnExitRemove expression '\(ClassAdUnparser.unparse(remove))' evaluated to FALSE")
        case .int(0):
            return .requeue(reason: "The job attribute OnExitRemove expression '\(ClassAdUnparser.unparse(remove))' evaluated to FALSE")
        default:
            // UNDEFINED or ERROR leave the job to complete, as the shadow does.
            return .complete
        }
    }

    /// The periodic expressions, evaluated every `PERIODIC_EXPR_INTERVAL`: while held only
    /// `PeriodicRelease` (not for a user hold, code 1) and `PeriodicRemove`; otherwise
    /// `PeriodicHold` before `PeriodicRemove` (hold wins over remove).
    public static func periodic(_ ad: ClassAd) -> JobPolicyDecision {
        let status = ad.evaluate("JobStatus").number.map { Int($0) } ?? 1
        if status == 5 {
            if let rel = ad["PeriodicRelease"], ad.evaluate("PeriodicRelease") == .bool(true),
               ad.evaluate("HoldReasonCode").number != 1 {
                return .release(reason: "The job attribute PeriodicRelease expression '\(ClassAdUnparser.unparse(rel))' evaluated to TRUE")
            }
        } else if let hold = ad["PeriodicHold"], ad.evaluate("PeriodicHold") == .bool(true) {
            return .hold(reason: reason(ad, "PeriodicHoldReason", default: "The job attribute PeriodicHold expression '\(ClassAdUnparser.unparse(hold))' evaluated to TRUE"),
                         code: holdCodeJobPolicy, subcode: subcode(ad, "PeriodicHoldSubCode"))
        }
        if let rm = ad["PeriodicRemove"], ad.evaluate("PeriodicRemove") == .bool(true) {
            return .remove(reason: "The job attribute PeriodicRemove expression '\(ClassAdUnparser.unparse(rm))' evaluated to TRUE")
        }
        return .none
    }

    private static func reason(_ ad: ClassAd, _ attr: String, default dflt: String) -> String {
        if case .string(let s) = ad.evaluate(attr), !s.isEmpty { return s }
        return dflt
    }

    private static func subcode(_ ad: ClassAd, _ attr: String) -> Int {
        if case .int(let i) = ad.evaluate(attr) { return Int(i) }
        return 0
    }
}
