import AgentProtocol
import BridgeStore
import Foundation
import Logging
import ProcessSpawn
import WorkspaceBridge
import WorkspaceProviders

/// One workspace as the scheduler tracks it: its record, its agent link and the runs in it.
struct WorkspaceRuntime {
    struct Run {
        var job: JobID
        var owner: UInt32
        /// Run in the agent's scratch directory; its output must be fetched before the exit counts.
        var staged = false
    }

    /// The exit of a staged run, held while its output comes back (see `RunStaging`).
    struct Collecting {
        var exit: ExitStatus
        var at: Double
        var reason: String?
        /// Writes the pieces into the user's files, off the scheduler.
        var output: OutputDelivery
    }

    /// Its state (`record.state`) says whether runs may be sent: only once the agent has answered
    /// hello with its state (`ready`, `busy`), or a run sent before the answer would look like one
    /// the agent never received.
    var record: Workspace
    var link: AgentLink?
    /// Runs occupying slots, until the agent reports their end (even for cancelled jobs).
    var runs: [RunKey: Run] = [:]
    var idleSince: Double?
    /// Staged runs that exited and whose output is being fetched.
    var collecting: [RunKey: Collecting] = [:]
    /// How far the workspace's clock is ahead of ours (guests only; local workspaces share ours).
    var clockOffset: Double = 0
}

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
    /// When a pass could next admit something that waits only for time (start rate, retry
    /// backoff, creation backoff): the timer runs a pass then, and otherwise only on a change.
    var nextTimedPass: Double = 0
    var workspaces: [String: WorkspaceRuntime] = [:]
    var bucket: TokenBucket
    /// Who uids are (password, group databases), looked up off the scheduler.
    let people: IdentityResolver
    /// Classes whose workspace creation failed recently: when to try again, and why.
    var creationBackoff: [String: (until: Double, failures: Int, error: String)] = [:]
    var terminalWaiters: [JobID: [CheckedContinuation<Void, Never>]] = [:]
    var eventWaiters: [CheckedContinuation<Void, Never>] = []
    var stopped = false

    init(store: Store, config: BridgeConfig, configSource: String?, providers: [String: any WorkspaceProvider],
         observers: [any JobObserver] = [], outbox: OutboxWriter? = nil, people: IdentityResolver? = nil, logger: Logger) {
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

    // MARK: submit

    /// Validates, records durably, then queues. Throws before recording anything if any spec is
    /// bad, and checks every limit before expanding `count` into jobs.
    func submit(_ specs: [JobSpec], caller: UInt32, idempotencyKey key: String? = nil) throws(SubmitError) -> [[JobID]] {
        if let key {
            guard (1...256).contains(key.count), !key.contains("\0") else {
                throw .invalidSpec("idempotencyKey must be 1 to 256 characters")
            }
            // A repeated submit (the client lost our reply): the first one's ids, nothing new.
            if let ids = try? store.submitted(owner: caller, key: key) { return ids }
        }
        guard let identity = identity(caller) else { throw .unknownUser(caller) }
        if daemonUID != 0 && caller != daemonUID { throw .cannotRunAs(owner: caller, daemon: daemonUID) }
        let validator = SubmitValidator(access: OwnerAccess(identity: identity))
        let now = Self.now
        var resolved: [(spec: JobSpec, className: String)] = []
        var total = 0
        for spec in specs {
            do { try spec.validate() } catch { throw .invalidSpec(error.description) }
            if spec.count > config.api.maxCount {
                throw .invalidSpec("count must be between 1 and \(config.api.maxCount) (api.max_count), not \(spec.count)")
            }
            total += spec.count
            if waiting(owner: caller) + total > config.throttle.maxQueuedPerOwner {
                throw .overQueueLimit(owner: caller, limit: config.throttle.maxQueuedPerOwner)
            }
            let cls = try SubmitValidator.chooseClass(spec, config: config)
            resolved.append((try validator.resolve(spec, checkFiles: shares(.sharesHostFileSystem, cls.provider)), cls.name))
        }
        var pending: [(Int, Job)] = []
        pending.reserveCapacity(total)
        for (index, r) in resolved.enumerated() {
            var one = r.spec
            one.count = 1
            let state: JobState = one.hold ? .held : .queued
            let job = Job(id: 0, spec: one, owner: caller, state: state, className: r.className, submittedAt: now,
                          reason: one.hold ? one.holdReason ?? "submitted on hold" : nil)
            for _ in 0..<r.spec.count { pending.append((index, job)) }
        }
        let specOf = pending.map(\.0)
        func group(_ saved: [Job]) -> [[JobID]] {
            var ids = Array(repeating: [JobID](), count: specs.count)
            for (i, job) in saved.enumerated() { ids[specOf[i]].append(job.id) }
            return ids
        }
        let saved: [Job]
        do {
            saved = try store.insert(pending.map(\.1), at: now, key: key.map { (caller, $0, group) }) { job in
                self.observers.flatMap { $0.effects(of: job, from: nil, at: now) }
            }
        } catch {
            throw .invalidSpec("the job could not be recorded: \(error)")
        }
        let ids = group(saved)
        for job in saved {
            track(job)
        }
        outbox?.poke()
        eventsChanged()
        schedule()
        return ids
    }

    /// Takes an unfinished job into memory (at submit and at start).
    func track(_ job: Job) {
        jobs[job.id] = job
        unfinishedByOwner[job.owner, default: 0] += 1
        if observers.contains(where: { $0.hasPeriodicPolicy(job) }) { periodicJobs.insert(job.id) }
        if job.state == .queued { enqueue(job) }
    }

    /// An owner's jobs that wait (queued or held): unfinished jobs that have no run.
    func waiting(owner: UInt32) -> Int {
        let running = workspaces.values.reduce(0) { n, w in n + w.runs.values.reduce(0) { $0 + ($1.owner == owner ? 1 : 0) } }
        return max(0, unfinishedByOwner[owner, default: 0] - running)
    }

    /// Whether the provider of that name has the capability (an unknown provider has none).
    func shares(_ capability: ProviderCapabilities, _ provider: String) -> Bool {
        providers[provider]?.capabilities.contains(capability) ?? false
    }

    /// A new HTCondor-style cluster number, durable.
    func nextCluster() throws -> Int64 { try store.next("cluster") }

    /// The user a job of `uid` runs as, and whose rights its files are checked and written with:
    /// the owner, except that root's jobs run as `[daemon] root_jobs_run_as` (a job never runs
    /// as root). From the resolver's cache, which requests fill off the scheduler.
    func identity(_ uid: UInt32) -> Identity? { people.entry(uid).identity }

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
            s.running += w.runs.count
            for run in w.runs.values { s.runningByOwner[run.owner, default: 0] += 1 }
            switch w.record.state {
            case .creating, .booting, .parking, .restoring:
                // Slots that are coming: jobs wait for them rather than make another workspace.
                s.creating[cls, default: 0] += 1
                s.creatingTotal += 1
                s.workspaces[cls, default: 0] += 1
            case .ready, .busy:
                s.workspaces[cls, default: 0] += 1
                if w.link != nil, let c = config.workspaceClass(named: cls) {
                    s.freeSlots[cls, default: []].append((w.record.id, c.slots - w.runs.count))
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
        guard !stopped, !queue.isEmpty else { return }
        var s = snapshot(now: now)
        var blockedClasses = Set<String>()
        for (cls, b) in creationBackoff where b.until > now {
            blockedClasses.insert(cls)
            nextTimedPass = min(nextTimedPass, b.until)
        }
        var changes: [(job: Job, event: StoreEvent)] = []
        var sends: [(AgentLink, RunRequest)] = []
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
                if let parked = workspaces.values.first(where: { $0.record.className == cls && $0.record.state.isParked }) {
                    unpark(parked.record.id)
                } else {
                    startCreation(className: cls)
                }
                s.record(admission, for: job)
            case .wait(let reason):
                s.record(admission, for: job)
                switch reason {
                case .globalRunning: return .stop
                case .startRate:
                    nextTimedPass = min(nextTimedPass, now + bucket.wait(now: now))
                    return .stop
                case .ownerRunning: return .skipOwner
                case .classFull, .creationLimit, .unknownClass: blockedClasses.insert(job.className)
                case .backoff(let until): nextTimedPass = min(nextTimedPass, until)
                case .workspaceBeingCreated, .held, .notQueued: break
                }
            }
            return .next
        }
        for (job, _) in changes { dequeue(job.id) }
        commit(changes)
        for (link, request) in sends { send(request, over: link) }
    }

    /// Writes changes in one transaction. A store that cannot be written is fatal: acting on
    /// state that is not recorded could run a job twice after a restart.
    func commit(_ changes: [(job: Job, event: StoreEvent)]) {
        guard !changes.isEmpty else { return }
        let effects = changes.flatMap { change in
            observers.flatMap { $0.effects(of: change.job, from: change.event.from, at: change.event.at) }
                .map { (job: change.job.id, effect: $0, at: change.event.at) }
        }
        do { try store.update(changes, effects: effects) } catch {
            logger.critical("cannot write the store; stopping so nothing runs unrecorded", metadata: ["error": "\(error)"])
            exit(70)
        }
        // A job back in the queue may start at once: the timer's next pass should not wait.
        if changes.contains(where: { $0.job.state == .queued }) { nextTimedPass = 0 }
        if !effects.isEmpty { outbox?.poke() }
        for (job, _) in changes where job.state.isTerminal { finish(job.id) }
        eventsChanged()
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

    /// The front doors' periodic policies (HTCondor's periodic_hold/release/remove).
    func applyPeriodicPolicies(now: Double) {
        for id in periodicJobs {
            guard let job = jobs[id] else { periodicJobs.remove(id); continue }
            guard let decision = observers.lazy.compactMap({ $0.periodic(job, now: now) }).first else { continue }
            var j = job
            let from = j.state
            let key = RunKey(job: id, attempt: j.attempts)
            let link = j.state.isActive ? j.workspaceID.flatMap { workspaces[$0]?.link } : nil
            switch decision {
            case .hold(let reason):
                guard (try? j.move(to: .held, reason: reason)) != nil else { continue }
                j.workspaceID = nil
                link?.send(.signal(key, .kill))
            case .release(let reason):
                guard (try? j.move(to: .queued, reason: reason)) != nil else { continue }
            case .remove(let reason):
                guard (try? j.move(to: .cancelled, reason: reason)) != nil else { continue }
                j.endedAt = now
                link?.send(.signal(key, .kill))
            }
            jobs[id] = j
            dequeue(id)
            if j.state == .queued { enqueue(j) }
            commit([(j, .transition(j, from: from, at: now))])
        }
    }

    func stop() {
        stopped = true
        for w in workspaces.values { w.link?.close() }
    }
}
