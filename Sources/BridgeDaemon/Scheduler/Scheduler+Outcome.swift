import AgentProtocol
import Foundation
import WorkspaceBridge

/// How a run's end decides its job's next state.
extension Scheduler {
    /// Done, retried with backoff, or failed for good.
    func outcome(_ job: inout Job, exit: ExitStatus, at: Double, reason: String?) {
        job.exit = exit
        job.endedAt = at
        let current = job
        if var decision = observers.lazy.compactMap({ $0.decideExit(current, exit: exit) }).first {
            // A front door that completes a failed run of a job with no retry policy of its own
            // yields to the site's default for that front door ([retry.condor] max_retries).
            let siteRetries = config.retry.retries(for: job.spec)
            if decision == .complete, !exit.succeeded, job.spec.maxRetries == nil, job.failures < siteRetries {
                decision = .retry(reason: "retry \(job.failures + 1) of \(siteRetries) (the site's default)")
            }
            switch decision {
            case .complete:
                try? job.move(to: .done, reason: reason)
            case .retry(let why):
                job.failures += 1
                metrics?.retried(job)
                try? job.move(to: .queued, reason: "run \(job.attempts) failed: \(exit); \(why)")
                job.workspaceID = nil
                // A policy that always requeues must not spin: the site's backoff applies.
                job.notBefore = at + config.retry.backoff(afterFailures: job.failures)
            case .hold(let why):
                try? job.move(to: .held, reason: why)
                job.workspaceID = nil
            case .remove(let why):
                try? job.move(to: .cancelled, reason: why)
            }
            return
        }
        if exit.succeeded {
            try? job.move(to: .done)
            return
        }
        let why = reason.map { "\($0) (\(exit))" } ?? exit.description
        job.failures += 1
        let maxRetries = config.retry.retries(for: job.spec)
        if job.failures <= maxRetries {
            let wait = config.retry.backoff(afterFailures: job.failures)
            metrics?.retried(job)
            try? job.move(to: .queued, reason: "run \(job.attempts) failed: \(why); retry \(job.failures) of \(maxRetries)")
            job.notBefore = at + wait
            job.workspaceID = nil
        } else {
            try? job.move(to: .failed, reason: why + (maxRetries > 0 ? " after \(job.failures) runs" : ""))
        }
    }

    /// The run never started. For want of a resource that comes back (the workspace's processes
    /// or memory, EAGAIN or ENOMEM): the job goes back to the queue, not counted against its
    /// retries, after a short backoff that grows while it keeps happening, so it does not spin.
    /// Otherwise (no executable, unwritable output ...) the same spec would fail the same way.
    func notStarted(_ job: inout Job, reason: String, transient: Bool) {
        guard transient else {
            try? job.move(to: .failed, reason: "could not start: \(reason)")
            job.endedAt = Self.now
            return
        }
        let wait = RetrySettings.transientBackoff(afterUncountedRuns: job.attempts - job.failures)
        metrics?.requeued(.notStarted)
        try? job.move(to: .queued, reason: "could not start for now: \(reason); requeued, next try in \(Int(wait)) s")
        job.workspaceID = nil
        job.notBefore = Self.now + wait
    }
}
