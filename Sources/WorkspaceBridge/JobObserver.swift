/// What a front door adds to the daemon's handling of its own jobs: events written back in its
/// own format (HTCondor's user log, GRAM's SEG files) and its own job policy. The daemon calls
/// every observer; each looks only at jobs of its origin. A new front door is a new observer,
/// not an edit of the daemon.
public protocol JobObserver: Sendable {
    /// What this front door writes back for one change of a job (nothing for jobs of other
    /// origins). A pure function: the daemon stores the effects in the change's transaction and
    /// its outbox writer delivers them, off the scheduler, with the rights each names.
    func effects(of job: Job, from: JobState?, at: Double) -> [SideEffect]

    /// When a run ends: what the front door's policy says, or nil to leave it to the site's
    /// retry policy.
    func decideExit(_ job: Job, exit: ExitStatus) -> ExitDecision?

    /// On the daemon's timer, for each unfinished job that `hasPeriodicPolicy`: a periodic
    /// policy action, or nil.
    func periodic(_ job: Job, now: Double) -> PeriodicDecision?

    /// Whether `periodic` can ever answer for this job; asked once, when the daemon takes the
    /// job in, so that the timer visits only those (not every queued job each second).
    func hasPeriodicPolicy(_ job: Job) -> Bool

    /// What the front door knows of this job on the grid's side (its own job id, the submitter's
    /// DN and FQAN), for the job's accounting records; nil for jobs of other origins.
    func gridJob(_ job: Job) -> GridJob?
}

public extension JobObserver {
    func effects(of job: Job, from: JobState?, at: Double) -> [SideEffect] { [] }
    func decideExit(_ job: Job, exit: ExitStatus) -> ExitDecision? { nil }
    func periodic(_ job: Job, now: Double) -> PeriodicDecision? { nil }
    func hasPeriodicPolicy(_ job: Job) -> Bool { false }
    func gridJob(_ job: Job) -> GridJob? { nil }
}

/// The end of a run, as a front door's policy sees it.
public enum ExitDecision: Sendable, Equatable {
    /// Finished: the job is done, whatever its exit code.
    case complete
    /// Run again.
    case retry(reason: String)
    case hold(reason: String)
    case remove(reason: String)
}

public enum PeriodicDecision: Sendable, Equatable {
    case hold(reason: String)
    case release(reason: String)
    case remove(reason: String)
}
