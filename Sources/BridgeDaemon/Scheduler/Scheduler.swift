import AgentProtocol
import BridgeStore
import Foundation
import Logging
import ProcessSpawn
import WorkspaceBridge
import WorkspaceProviders

/// The daemon's brain. It owns the in-memory view of unfinished jobs and live workspaces, and
/// makes every change durable in the store *before* acting on it (sending a run, answering a
/// submit), so that after any crash the store plus the agents' own records say what happened.
actor Scheduler {
    let store: Store
    let logger: Logger
    var config: BridgeConfig
    var configSource: String?
    var configLoadedAt: Double
    var policy: ThrottlePolicy
    let providers: [String: any WorkspaceProvider]
    /// The front doors' own event writers and job policies.
    let observers: [any JobObserver]
    /// Delivers what the observers' effects owe, once they are committed.
    let outbox: OutboxWriter?
    let daemonUID = UInt32(geteuid())

    var jobs: [JobID: Job] = [:]
    /// Queued jobs in the order they are considered: higher priority first, then by id.
    var queue = JobQueue()
    /// Unfinished jobs per owner, for `max_queued_per_owner` without counting rows per submit.
    var unfinishedByOwner: [UInt32: Int] = [:]
    /// Unfinished jobs with a front door's periodic policy: what the timer visits.
    var periodicJobs = Set<JobID>()
    /// A pass of the periodic policies is being evaluated off the scheduler.
    var periodicPassRunning = false
    /// When a pass could next admit something that waits only for time (start rate, retry
    /// backoff, creation backoff): the timer runs a pass then, and otherwise only on a change.
    var nextTimedPass: Double = 0
    /// Why the store cannot be written now, while it cannot (see `commit`).
    var storeFault: String?
    /// What waits to be written: job changes with their side effects, and agents' acks.
    struct Unsaved {
        var changes: [(job: Job, event: StoreEvent)] = []
        var effects: [(job: JobID, effect: SideEffect, at: Double)] = []
        var accounting: [AccountingRecord] = []
        var acks: [(AgentLink, RunKey)] = []
    }
    var unsaved = Unsaved()
    /// Changes waiting for the next group commit, and what they owe once durable.
    var batch = Batch()
    /// When finished jobs were last pruned from the store.
    var lastPrune: Double = 0
    var workspaces: [String: WorkspaceRuntime] = [:]
    /// Hosts drained by an admin, with when: they take no new workspace, and workspaces there
    /// take no new job (`Scheduler+Hosts`).
    var drainedHosts: [String: Double] = [:]
    /// Workspaces with a retune under way: a second one waits its turn by being refused.
    var retuning = Set<String>()
    /// What the last config load did to workspaces whose class changed.
    var lastReloadChanges: [String] = []
    /// Workspaces on their way up when their class changed, with the class they were made with:
    /// followed once ready.
    var classFollowAfterBoot: [String: WorkspaceClass] = [:]
    var bucket: TokenBucket
    /// Who uids are (password, group databases), looked up off the scheduler.
    let people: IdentityResolver
    /// Classes whose workspace creation failed recently: when to try again, and why.
    var creationBackoff: [String: (until: Double, failures: Int, error: String)] = [:]
    /// Per class: the digest of the image new workspaces are made from (`ImageRollout`); a class
    /// not in it (not yet computed, unreadable) rolls nothing out.
    var imageDigests: [String: String] = [:]
    /// Bumped by each digest computation, so that an older one finishing late is ignored.
    var digestGeneration = 0
    /// Some workspace may be outdated: passes run the rollout until none is.
    var rolloutActive = false
    /// A computation of the digests is under way: nothing is taken for outdated until it ends.
    var digestsPending = false
    var terminalWaiters: [JobID: [CheckedContinuation<Void, Never>]] = [:]
    var eventWaiters: [CheckedContinuation<Void, Never>] = []
    var stopped = false
    /// The operator's metrics, when `[metrics] listen` is set; nil costs the hooks one test.
    let metrics: DaemonMetrics?
    /// The status page's last hour and recent failures (kept only with `metrics`).
    var history = StatusHistory()
    var recentFailures: [RecentFailure] = []

    init(store: Store, config: BridgeConfig, configSource: String?, providers: [String: any WorkspaceProvider],
         observers: [any JobObserver] = [], outbox: OutboxWriter? = nil, people: IdentityResolver? = nil,
         metrics: DaemonMetrics? = nil, logger: Logger) {
        self.metrics = metrics
        self.people = people ?? IdentityResolver(config: config)
        self.observers = observers
        self.outbox = outbox
        self.store = store
        self.config = config
        self.configSource = configSource
        self.policy = ThrottlePolicy(config: config)
        self.providers = providers
        self.logger = logger
        let now = Date().timeIntervalSince1970
        configLoadedAt = now
        bucket = TokenBucket(rate: config.throttle.startRate, burst: config.throttle.effectiveBurst, now: now)
    }

    static var now: Double { Date().timeIntervalSince1970 }

    func enqueue(_ job: Job) {
        queue.insert(job.id, owner: job.owner, priority: job.spec.priority)
    }

    func dequeue(_ id: JobID) {
        queue.remove(id)
    }

    // MARK: scheduling

    func snapshot(now: Double) -> SchedulerSnapshot {
        var s = SchedulerSnapshot(now: now, startTokens: true)
        for w in workspaces.values {
            let cls = w.record.className
            let old = rolloutActive && isOutdated(w)
            if old && w.record.state != .destroying {
                s.surge[cls] = ImageRollout.surge(outdated: 1, maxSurge: config.workspaceClass(named: cls)?.maxSurge ?? 0)
            }
            // A job's own VM counts against its class, but its slot is under its job's key.
            let key = JobVMWorkspace.job(ofWorkspace: w.record.id).map(JobVMWorkspace.key) ?? cls
            s.running += w.runs.count
            for run in w.runs.values { s.runningByOwner[run.owner, default: 0] += 1 }
            switch w.record.state {
            case .creating, .booting, .parking, .restoring:
                // Slots that are coming: jobs wait for them rather than make another workspace.
                s.creating[key, default: 0] += 1
                s.creatingTotal += 1
                s.workspaces[cls, default: 0] += 1
            case .ready, .busy:
                s.workspaces[cls, default: 0] += 1
                // An outdated workspace running jobs takes no more: it empties, to be replaced.
                if old && !w.runs.isEmpty { continue }
                if w.migrating || isOnDrainedHost(w) { continue }
                if w.link != nil, let c = config.workspaceClass(named: cls) {
                    let free = (w.record.id, (key == cls ? c.slots : 1) - w.runs.count)
                    if old { s.outdatedSlots[key, default: []].append(free) } else { s.freeSlots[key, default: []].append(free) }
                }
            case .draining:
                s.workspaces[cls, default: 0] += 1
            case .paused, .saved:
                // Not counted: the policy's "create a workspace" brings a parked one back instead.
                break
            case .destroying, .lost, .destroyed:
                break
            }
        }
        // Fill the busiest workspaces first, so idle ones can be reaped.
        for (cls, slots) in s.freeSlots {
            s.freeSlots[cls] = slots.sorted { ($0.free, $0.workspace) < ($1.free, $1.workspace) }
        }
        for (cls, slots) in s.outdatedSlots {
            s.outdatedSlots[cls] = slots.sorted { $0.workspace < $1.workspace }
        }
        return s
    }

    /// A pass if time alone may have let a waiting job go; the timer's call.
    func scheduleIfDue() {
        if Self.now >= nextTimedPass { schedule() }
    }

    /// One pass over the queue: dispatch what may start, create workspaces where needed.
    func schedule() {
        let now = Self.now
        // Whatever this pass leaves waiting, look again within a few seconds at the latest.
        nextTimedPass = now + 5
        // Idle outdated workspaces go before this pass could give them a job.
        if rolloutActive { rollOut() }
        // Nothing starts that could not be recorded.
        guard !stopped, storeFault == nil, !queue.isEmpty else { return }
        var s = snapshot(now: now)
        var blockedClasses = Set<String>()
        var savesChecked = Set<String>()
        for (cls, b) in creationBackoff where b.until > now {
            blockedClasses.insert(cls)
            nextTimedPass = min(nextTimedPass, b.until)
        }
        var changes: [(job: Job, event: StoreEvent)] = []
        var sends: [(AgentLink, RunRequest)] = []
        // What held jobs back in this pass, by limit, counted once at its end.
        var tally = metrics == nil ? [] : Array(repeating: 0, count: DaemonMetrics.Limit.allCases.count)
        let order = queue
        order.forEach { id, _ in
            guard var job = jobs[id] else { return .next }
            if blockedClasses.contains(job.className) { return .next }
            s.startTokens = bucket.wait(now: now) == 0
            let admission = policy.admit(job, s)
            switch admission {
            case .dispatch(let wsID):
                guard var w = workspaces[wsID], let link = w.link else { return .next }
                guard let request = runRequest(for: &job, in: wsID) else { return .next }
                _ = bucket.take(now: now)
                let from = job.state
                do { try job.move(to: .starting) } catch { return .next }
                w.runs[RunKey(job: job.id, attempt: job.attempts)] = .init(job: job.id, owner: job.owner,
                                                                           staged: request.staging != nil)
                if w.record.state == .ready { try? w.record.move(to: .busy) }
                w.idleSince = nil
                w.record.lastUsedAt = now
                workspaces[wsID] = w
                jobs[id] = job
                changes.append((job, .transition(job, from: from, at: now)))
                sends.append((link, request))
                s.record(admission, for: job)
            case .createWorkspace(let cls):
                // A parked warm workspace comes back faster than a new one is made.
                if job.spec.vm != nil {
                    startCreation(className: cls, forJob: job.id)
                } else if let parked = workspaces.values.first(where: { $0.record.className == cls && $0.record.state.isParked && !isOutdated($0) }) {
                    unpark(parked.record.id)
                } else {
                    startCreation(className: cls)
                }
                s.record(admission, for: job)
            case .wait(let reason):
                s.record(admission, for: job)
                if !tally.isEmpty, let limit = DaemonMetrics.Limit(reason) { tally[limit.rawValue] += 1 }
                switch reason {
                case .globalRunning: return .stop
                case .startRate:
                    nextTimedPass = min(nextTimedPass, now + bucket.wait(now: now))
                    return .stop
                case .ownerRunning: return .skipOwner
                case .classFull, .creationLimit, .unknownClass: blockedClasses.insert(job.className)
                case .backoff(let until): nextTimedPass = min(nextTimedPass, until)
                case .workspaceBeingCreated(let cls):
                    // Once per class and pass: thousands of jobs may wait for the same creation.
                    if savesChecked.insert(cls).inserted { cancelParking(of: cls) }
                case .held, .notQueued: break
                }
            }
            return .next
        }
        for (job, _) in changes { dequeue(job.id) }
        if !tally.isEmpty { metrics?.throttled(tally) }
        // Each run goes to its agent once its start is durable, with whatever else the batch holds.
        stage(changes, then: sends.map { .run($0.0, $0.1) })
    }

    func finish(_ id: JobID) {
        periodicJobs.remove(id)
        if let job = jobs.removeValue(forKey: id) {
            unfinishedByOwner[job.owner, default: 1] -= 1
            if unfinishedByOwner[job.owner] == 0 { unfinishedByOwner[job.owner] = nil }
        }
        dequeue(id)
        for waiter in terminalWaiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    func eventsChanged() {
        let waiters = eventWaiters
        eventWaiters = []
        for w in waiters { w.resume() }
    }

    func stop() {
        stopped = true
        // What is staged is written (and its acks sent) before the links close.
        flush()
        for w in workspaces.values { w.link?.close() }
    }

    /// No workspace is left, nor being made (after `stop`, none is made any more).
    var holdsNoWorkspaces: Bool { workspaces.isEmpty }
}
