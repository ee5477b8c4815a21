import WorkspaceBridge

/// How a poll reports a job that ran and ended with a failure status.
///
/// Without a SEG, GRAM has no channel for exit codes: `DONE` delivers the output but the client
/// sees success; `FAILED` with `ERROR` gives the client a non-zero result but no output
/// (stage-out is skipped for failed jobs). The stock fork and PBS modules report `DONE`
/// whatever the exit code, and so does `.doneKeepsOutput`. With a SEG (`SEGFormatter`) the
/// exit code reaches the client and the output is kept.
public enum GRAMExitPolicy: String, Sendable, CaseIterable {
    case doneKeepsOutput
    case failOnNonZeroExit
}

/// A job's state as GRAM reports it, with the failure code and message for FAILED.
public struct GRAMStatus: Sendable, Equatable {
    public var state: GRAMJobState
    public var error: GRAMErrorCode?
    public var message: String?

    public init(state: GRAMJobState, error: GRAMErrorCode? = nil, message: String? = nil) {
        self.state = state
        self.error = error
        self.message = message
    }

    /// One job. A run that ended with an exit status is DONE or FAILED by `policy`; a job that
    /// failed without an exit status (its workspace could not start, say) is FAILED with
    /// `JOB_EXECUTION_FAILED` (17); a cancelled job is FAILED with `SYSTEM_CANCELLED` (9): a
    /// cancel through GRAM is settled by the job manager itself, so a cancel seen here came from
    /// elsewhere.
    public init(job: Job, policy: GRAMExitPolicy = .doneKeepsOutput) {
        switch job.state {
        case .failed:
            if let exit = job.exit, policy == .doneKeepsOutput {
                self.init(state: .done, message: "job \(job.id): \(exit)")
            } else {
                let why = job.exit.map { "\($0)" } ?? job.reason ?? "the job could not be run"
                self.init(state: .failed, error: .jobExecutionFailed, message: "job \(job.id) failed: \(why)")
            }
        case .cancelled:
            self.init(state: .failed, error: .systemCancelled,
                      message: "job \(job.id) was cancelled" + (job.reason.map { ": \($0)" } ?? ""))
        default:
            self.init(state: GRAMJobState(job.state))
        }
    }

    /// The state of a GRAM job made of sub-jobs, as the job manager would see it through a SEG:
    /// ended when all have ended (FAILED if any failed, with the first failure), otherwise
    /// ACTIVE if any runs, SUSPENDED if any is stopped, else PENDING.
    public init(jobs: [Job], policy: GRAMExitPolicy = .doneKeepsOutput) {
        let each = jobs.map { GRAMStatus(job: $0, policy: policy) }
        if each.isEmpty {
            self.init(state: .failed, error: .gettingJobID, message: "no job matches the GRAM job id")
            return
        }
        if each.allSatisfy({ $0.state.isTerminal }) {
            self = each.first(where: { $0.state == .failed }) ?? GRAMStatus(state: .done)
        } else if each.contains(where: { $0.state == .active }) {
            self.init(state: .active)
        } else if each.contains(where: { $0.state == .suspended }) {
            self.init(state: .suspended)
        } else {
            self.init(state: .pending)
        }
    }
}
