import AgentProtocol
import BridgeAPI
import BridgeStore
import Foundation
import WorkspaceBridge

/// One page of a job listing: the newest `limit` jobs with ids below `before`.
struct JobPage {
    var limit = 10_000
    var before: JobID?
}

extension Scheduler {
    func isAdmin(_ uid: UInt32) -> Bool {
        uid == 0 || uid == daemonUID || people.entry(uid).isAdmin
    }

    /// A job the caller may see, from memory when unfinished, else from the store.
    func visibleJob(_ id: JobID, caller: UInt32) throws -> Job {
        guard let job = try jobs[id] ?? store.job(id) else { throw CommandError.notFound(id) }
        guard job.owner == caller || isAdmin(caller) else { throw CommandError.forbidden(id) }
        return job
    }

    func status(ids: [JobID]?, caller: UInt32, history: Bool, page: JobPage = JobPage()) throws -> [JobStatus] {
        let list: [Job]
        if let ids {
            let stored = try store.jobs(ids: ids.filter { jobs[$0] == nil })
            let admin = isAdmin(caller)
            list = try ids.map { id in
                guard let job = jobs[id] ?? stored[id] else { throw CommandError.notFound(id) }
                guard job.owner == caller || admin else { throw CommandError.forbidden(id) }
                return job
            }
        } else {
            list = try store.jobs(owner: isAdmin(caller) ? nil : caller, before: page.before, limit: page.limit)
        }
        let waiting = list.contains { $0.state == .queued } ? waitReasons() : [:]
        return try list.map { job in
            let transitions = history ? try store.events(after: 0, jobID: job.id).compactMap { e in
                e.to.map { JobTransition(from: e.from, to: $0, at: e.at, reason: e.message) }
            } : nil
            let current = jobs[job.id] ?? job
            return JobStatus(job: current, history: transitions,
                             waiting: current.state == .queued || current.state == .held ? explanation(current, waiting) : nil)
        }
    }

    func explain(_ id: JobID, caller: UInt32) throws -> ExplainReply {
        let visible = try visibleJob(id, caller: caller)
        let job = jobs[id] ?? visible
        return ExplainReply(job: id, state: job.state, explanation: explanation(job, waitReasons()))
    }

    /// What a scheduling pass would answer for every queued job, without doing any of it: one
    /// pass in queue order, so jobs ahead take the slots and creations first, as they would.
    /// With `only`, the pass stops once it has answered for those jobs.
    func waitReasons(only wanted: Set<JobID>? = nil) -> [JobID: String] {
        let now = Self.now
        var s = snapshot(now: now)
        var reasons: [JobID: String] = [:]
        var tokens = bucket
        var left = wanted?.count ?? Int.max
        // Per class, once: an image rollout under way (it may be why a job waits).
        var rollouts: [String: String?] = [:]
        for id in queue.ordered {
            if left == 0 { break }
            guard let job = jobs[id] else { continue }
            if wanted?.contains(id) ?? true { left -= 1 }
            if let b = creationBackoff[job.className], b.until > now {
                reasons[id] = "class \(job.className): creating a workspace failed (\(b.error)); next try at \(formatTime(b.until))"
                continue
            }
            s.startTokens = tokens.wait(now: now) == 0
            let admission = policy.admit(job, s)
            switch admission {
            case .dispatch(let ws):
                reasons[id] = "eligible: starts in \(ws) at the next scheduling pass"
                _ = tokens.take(now: now)
            case .createWorkspace(let cls):
                reasons[id] = "eligible: a workspace of class \(cls) will be created for it"
            case .wait(let reason):
                reasons[id] = reason.description
                if case .notQueued = reason {} else if case .held = reason {} else {
                    if rollouts[job.className] == nil { rollouts[job.className] = .some(rolloutDescription(of: job.className)) }
                    if case .some(.some(let rollout)) = rollouts[job.className] { reasons[id]! += "; " + rollout }
                }
            }
            s.record(admission, for: job)
        }
        return reasons
    }

    func explanation(_ job: Job, _ reasons: [JobID: String]) -> String {
        switch job.state {
        case .queued: return reasons[job.id] ?? "queued"
        case .held: return WaitReason.held(job.reason).description
        case .starting, .running, .suspended: return "\(job.state.rawValue) in \(job.workspaceID ?? "?")"
        case .done, .failed, .cancelled:
            return "\(job.state.rawValue)\(job.exit.map { " (\($0))" } ?? "")\(job.reason.map { ": \($0)" } ?? "")"
        }
    }

    enum Action: String { case cancel, hold, release, suspend, resume }

    func act(_ action: Action, on id: JobID, caller: UInt32) throws -> JobActionReply {
        let visible = try visibleJob(id, caller: caller)
        guard var job = jobs[id] else {
            throw CommandError(description: "job \(id) is already \(visible.state.rawValue)", code: "conflict")
        }
        let from = job.state
        let now = Self.now
        let run = job.state.isActive ? job.workspaceID.flatMap { ws in workspaces[ws].map { (ws, $0) } } : nil
        let key = RunKey(job: id, attempt: job.attempts)
        func refuse() -> CommandError {
            CommandError(description: "cannot \(action.rawValue) job \(id): it is \(job.state.rawValue)", code: "conflict")
        }
        switch action {
        case .cancel:
            guard (try? job.move(to: .cancelled, reason: "cancelled by uid \(caller)")) != nil else { throw refuse() }
            job.endedAt = now
            run?.1.link?.send(.signal(key, .kill))
        case .hold:
            guard (try? job.move(to: .held, reason: "held by uid \(caller)")) != nil else { throw refuse() }
            job.workspaceID = nil
            run?.1.link?.send(.signal(key, .kill))
        case .release:
            guard job.state == .held, (try? job.move(to: .queued, reason: "released by uid \(caller)")) != nil else { throw refuse() }
            metrics?.requeued(.released)
            job.notBefore = nil
        case .suspend:
            guard job.state == .running, let link = run?.1.link else { throw refuse() }
            link.send(.signal(key, .suspend))
            return JobActionReply(job: id, state: .suspended)
        case .resume:
            guard job.state == .suspended, let link = run?.1.link else { throw refuse() }
            link.send(.signal(key, .resume))
            return JobActionReply(job: id, state: .running)
        }
        jobs[id] = job
        dequeue(id)
        if job.state == .queued { enqueue(job) }
        commit([(job, .transition(job, from: from, at: now))])
        schedule()
        return JobActionReply(job: id, state: job.state)
    }

    /// Returns when the job is finished, or after the timeout.
    func waitTerminal(_ id: JobID, caller: UInt32, timeout: Double) async throws -> JobStatus {
        let job = try visibleJob(id, caller: caller)
        if !job.state.isTerminal {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.awaitTerminal(id) }
                group.addTask { try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9)) }
                await group.next()
                group.cancelAll()
                self.wakeTerminalWaiters(id)
            }
        }
        return try status(ids: [id], caller: caller, history: false)[0]
    }

    private func awaitTerminal(_ id: JobID) async {
        // A waiter that starts after its timeout already won (a timeout near 0) would find no
        // wake-up left and hold its request until the job ends: it must not register at all.
        guard jobs[id] != nil, !Task.isCancelled else { return }
        await withCheckedContinuation { terminalWaiters[id, default: []].append($0) }
    }

    private func wakeTerminalWaiters(_ id: JobID) {
        // The timeout won: release the waiter so it does not leak.
        if jobs[id] != nil, let waiters = terminalWaiters.removeValue(forKey: id) { waiters.forEach { $0.resume() } }
    }

    /// Events after `seq`; waits up to `wait` seconds for the first one.
    func events(after seq: Int64, jobID: JobID?, caller: UInt32, wait: Double) async throws -> EventsReply {
        if let jobID { _ = try visibleJob(jobID, caller: caller) }
        var found = try store.events(after: seq, jobID: jobID)
        if found.isEmpty && wait > 0 {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.awaitEvent() }
                group.addTask { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
                await group.next()
                group.cancelAll()
                self.eventsChanged()
            }
            found = try store.events(after: seq, jobID: jobID)
        }
        let admin = isAdmin(caller)
        var visible: [EventView] = []
        for e in found {
            if !admin, let j = e.jobID, (try? visibleJob(j, caller: caller)) == nil { continue }
            if !admin, e.jobID == nil { continue }
            visible.append(EventView(seq: e.seq, at: e.at, job: e.jobID, workspace: e.workspaceID, kind: e.kind,
                                     from: e.from, to: e.to, message: e.message))
        }
        return EventsReply(events: visible, last: found.last?.seq ?? seq)
    }

    private func awaitEvent() async {
        // As in `awaitTerminal`: too late once the wait is over.
        guard !Task.isCancelled else { return }
        await withCheckedContinuation { eventWaiters.append($0) }
    }

    /// This machine's name, for the workspaces that run on it.
    static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0, buffer[0] != 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Root and the admin group see every workspace. Anyone else sees only the workspaces that run
    /// their own jobs, with only their own job ids and without the agent's pid, socket or handle.
    func workspaceStatus(caller: UInt32) -> [WorkspaceStatus] {
        let admin = isAdmin(caller)
        return workspaces.values.sorted { $0.record.createdAt < $1.record.createdAt }.compactMap { w in
            let slots = config.workspaceClass(named: w.record.className)?.slots ?? 0
            let host = hostName(of: w.record)
            let outdated = imageDigests[w.record.className] == nil || w.record.imageDigest == nil || w.isJobVM ? nil : isOutdated(w)
            if admin {
                return WorkspaceStatus(workspace: w.record, slots: slots, jobs: w.runs.values.map(\.job).sorted(), host: host,
                                       outdated: outdated)
            }
            let mine = w.runs.values.filter { $0.owner == caller }.map(\.job).sorted()
            guard !mine.isEmpty else { return nil }
            var record = w.record
            record.pid = nil
            record.endpoint = ""
            record.handle = ""
            return WorkspaceStatus(workspace: record, slots: slots, jobs: mine, host: host, outdated: outdated)
        }
    }

    func destroyByAdmin(_ wsID: String, caller: UInt32) async throws {
        guard isAdmin(caller) else {
            throw CommandError(description: "only root or the admin group may destroy workspaces", code: "forbidden")
        }
        guard workspaces[wsID] != nil else { throw CommandError(description: "no workspace \(wsID)", code: "not-found") }
        await destroyWorkspace(wsID, reason: "destroyed by uid \(caller)")
    }

    func policyReply() -> PolicyReply {
        PolicyReply(config: config, source: configSource, loadedAt: configLoadedAt, workspaceChanges: lastReloadChanges)
    }

    /// Takes a new config; running jobs stay, new limits apply from the next pass. Workspaces of
    /// a class whose resources changed are retuned in place where they can be, else drained.
    func apply(_ new: BridgeConfig, source: String?) async {
        let now = Self.now
        let old = config
        config = new
        people.reconfigure(new)
        configSource = source
        configLoadedAt = now
        policy = ThrottlePolicy(config: new)
        bucket.reconfigure(rate: new.throttle.startRate, burst: new.throttle.effectiveBurst, now: now)
        try? store.record(StoreEvent(at: now, kind: "policy-reloaded", message: source ?? "built-in defaults"))
        logger.info("policy loaded", metadata: ["source": "\(source ?? "defaults")"])
        // New workspaces use the new image as soon as its digest is known; until then, the old.
        refreshImageDigests()
        lastReloadChanges = await followClassChanges(from: old)
        eventsChanged()
        schedule()
    }
}
