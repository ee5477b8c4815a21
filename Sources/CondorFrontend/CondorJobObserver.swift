import Foundation
import WorkspaceBridge

/// HTCondor's side of the daemon: the user event log (`log = FILE`) and the job policy
/// (`on_exit_remove`, `on_exit_hold`, `max_retries`, `periodic_*`) for jobs submitted from
/// submit files or through BLAH.
public struct CondorJobObserver: JobObserver {
    let host: String

    public init(host: String = "<127.0.0.1:0>") {
        self.host = host
    }

    func condor(_ job: Job) -> CondorOrigin? {
        if case .condor(let o) = job.spec.origin { return o }
        return nil
    }

    /// The user-log events of the change, appended to the job's `log` with the owner's rights.
    public func effects(of job: Job, from: JobState?, at: Double) -> [SideEffect] {
        guard let origin = condor(job), let log = origin.userLog else { return [] }
        let events = Self.events(for: job, from: from, host: host)
        guard !events.isEmpty else { return [] }
        let time = Date(timeIntervalSince1970: at)
        let cluster = origin.cluster ?? Int(job.id), proc = origin.proc ?? 0
        let text = events.map { UserEventLog.format($0, cluster: cluster, proc: proc, time: time) }.joined()
        return [SideEffect(path: log, owner: job.owner, text: text)]
    }

    /// The user-log events of one state change (condor.md §2.4).
    public static func events(for job: Job, from: JobState?, host: String) -> [UserEventLog.Event] {
        switch (from, job.state) {
        case (nil, .queued): return [.submitted(host: host)]
        case (nil, .held): return [.submitted(host: host), .held(reason: job.reason, code: 1, subcode: 0)]
        case (_, .running) where from == .starting:
            // A VM job's image size is its VM's memory, reported as it starts (HTCondor's 006).
            guard let vm = job.spec.vm else { return [.executing(host: host)] }
            let kiB = Int64(vm.memoryMB) * 1024
            return [.executing(host: host), .imageSize(kiB: kiB, memoryMB: Int64(vm.memoryMB), residentKiB: kiB)]
        case (_, .done), (_, .failed):
            switch job.exit {
            case .exited(let c)?: return [.terminated(exitCode: c, signal: nil)]
            case .signaled(let s)?: return [.terminated(exitCode: nil, signal: s)]
            // Failed without a run: the executable could not be started.
            case nil: return job.state == .failed ? [.executableError(job.reason ?? "the job could not start")] : []
            }
        case (_, .cancelled): return [.aborted(reason: job.reason)]
        case (_, .held): return [.held(reason: job.reason, code: 1, subcode: 0)]
        case (.held, .queued): return [.released(reason: job.reason)]
        case (.running, .queued), (.suspended, .queued), (.starting, .queued):
            switch job.exit {
            case .exited(let c)? where job.reason?.contains("failed") == true: return [.requeued(exitCode: c, signal: nil)]
            case .signaled(let s)? where job.reason?.contains("failed") == true: return [.requeued(exitCode: nil, signal: s)]
            default: return [.requeued(exitCode: nil, signal: nil)]
            }
        default: return []
        }
    }

    /// The job's ad as it stands after a run: what was submitted plus HTCondor's runtime attributes.
    func runtimeAd(_ job: Job, origin: CondorOrigin, status: Int) -> ClassAd {
        var ad = ClassAd()
        for (name, text) in origin.ad {
            if let e = try? ClassAdParser.parse(text, oldSyntax: true) { ad[name] = e }
        }
        ad.assign("NumJobStarts", job.attempts)
        // Runs that ended before this one: the daemon counts them as the job's failures.
        ad.assign("NumJobCompletions", job.failures)
        ad.assign("JobRunCount", job.attempts)
        ad.assign("JobStatus", status)
        ad.assign("ClusterId", origin.cluster ?? Int(job.id))
        ad.assign("ProcId", origin.proc ?? 0)
        ad.assign("EnteredCurrentStatus", Int(job.endedAt ?? job.submittedAt))
        ad.assign("QDate", Int(job.submittedAt))
        return ad
    }

    public func decideExit(_ job: Job, exit: ExitStatus) -> ExitDecision? {
        guard let origin = condor(job) else { return nil }
        var ad = runtimeAd(job, origin: origin, status: 2)
        JobPolicy.recordExit(exit, in: &ad)
        switch JobPolicy.onExit(ad) {
        case .none, .complete, .release: return .complete
        case .requeue(let reason): return .retry(reason: reason)
        case .hold(let reason, _, _): return .hold(reason: reason)
        case .remove(let reason): return .remove(reason: reason)
        }
    }

    public func hasPeriodicPolicy(_ job: Job) -> Bool {
        condor(job)?.ad.keys.contains(where: { $0.hasPrefix("Periodic") }) ?? false
    }

    public func periodic(_ job: Job, now: Double) -> PeriodicDecision? {
        guard let origin = condor(job), origin.ad.keys.contains(where: { $0.hasPrefix("Periodic") }) else { return nil }
        let status = switch job.state {
        case .queued: 1
        case .starting, .running: 2
        case .held: 5
        case .suspended: 7
        default: 4
        }
        var ad = runtimeAd(job, origin: origin, status: status)
        if job.state == .held { ad.assign("HoldReasonCode", job.reason?.contains("by uid") == true ? 1 : 3) }
        switch JobPolicy.periodic(ad) {
        case .hold(let reason, _, _): return job.state == .held ? nil : .hold(reason: reason)
        case .release(let reason): return job.state == .held ? .release(reason: reason) : nil
        case .remove(let reason): return .remove(reason: reason)
        default: return nil
        }
    }
}
