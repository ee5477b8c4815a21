import WorkspaceBridge

/// `submit` waits a moment for jobs that end at once, and reports their end in its reply.
///
/// Why: with `-seg-module`, the job manager learns of a job's end only from its SEG reader, and
/// that reader runs on a timer of its own. The built-in `job_manager` SEG module
/// (`gram/jobmanager/source/seg/seg_job_manager_module.c`) reads the day file in
/// `globus_l_job_manager_poll_callback`, a one-shot callback that re-registers itself 2 s after
/// every read that reached the end of the file (0 s while unread lines remain, 30 s while today's
/// file is missing). The chain starts when the module is activated, that is when the job
/// manager process starts (`globus_gram_job_manager_init_seg`, `main.c`), and nothing a writer
/// does wakes it: it has no file watch and no signal. So a job that ends at once is seen 0 to 2 s
/// later, by where the job manager's start put that 2 s timer (its phase), the same for every
/// job until that job manager exits after its idle grace period.
///
/// The submit reply, by contrast, is acted on at once: after `submit` the job manager's state
/// machine falls from SUBMIT into POLL1 "so we can act on a job state change returned from the
/// submit script" (`gram/jobmanager/source/globus_gram_job_manager_state.c`), and a DONE there
/// goes straight to stage-out and the client, SEG or not. A job that is over within the wait
/// skips the reader and its phase; a longer one is seen by the reader as before, since events
/// the reader finds while a submit runs are queued and delivered when it returns
/// (`globus_gram_job_manager_seg_pause`/`_resume` in `globus_gram_job_manager_seg.c`).
public enum GRAMSubmitSettle {
    /// A trivial job ends some 50 ms after its submit in a warm sandbox; the wait is bounded so
    /// that a long job's submit (which holds one of the job manager's five script processes per
    /// client) is not held long.
    public static let defaultSeconds = 0.5

    /// Whether waiting for `jobs` can end them within a short wait: not when all are over
    /// already, nor when one is held, suspended or kept queued by a limit. `waiting` is the
    /// daemon's explanation of a queued job (`JobStatus.waiting`): a job about to start is
    /// "eligible: ...", or its workspace is being made; anything else names a limit.
    public static func worthWaiting(_ jobs: [(job: Job, waiting: String?)]) -> Bool {
        guard !jobs.isEmpty, !jobs.allSatisfy({ $0.job.state.isTerminal }) else { return false }
        return jobs.allSatisfy { j in
            switch j.job.state {
            case .queued:
                guard let why = j.waiting, why != "queued", !why.hasPrefix("eligible:") else { return true }
                return why == WaitReason.workspaceBeingCreated(className: j.job.className).description
            case .starting, .running, .done, .failed, .cancelled: return true
            case .held, .suspended: return false
            }
        }
    }

    /// The state a submit reply may give for `jobs`. An end the job manager should learn from
    /// the SEG instead is reported as ACTIVE: a run that exited non-zero or was killed by a
    /// signal. The reply has no key for an exit code, so a DONE here would tell the client 0;
    /// the SEG line carries the code (`SEGFormatter`), and a poll reports DONE at once.
    public static func replyStatus(_ jobs: [Job]) -> GRAMStatus {
        let status = GRAMStatus(jobs: jobs)
        guard status.state == .done else { return status }
        let lost = jobs.contains { job in
            switch job.exit {
            case .exited(let code)?: return code != 0
            case .signaled?: return true
            case nil: return false
            }
        }
        return lost ? GRAMStatus(state: .active) : status
    }
}
