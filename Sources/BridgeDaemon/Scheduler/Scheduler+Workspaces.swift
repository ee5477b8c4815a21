import AgentProtocol
import BridgeStore
import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// The life of workspaces: creation, attachment of their agents, loss, destruction, idle
/// reaping and leases (warm workspaces: `Scheduler+WarmWorkspaces.swift`).
extension Scheduler {
    /// Creates a workspace of a class; with `job`, that job's own VM (`JobSpec.vm`).
    func startCreation(className: String, forJob job: JobID? = nil) {
        guard let cls = config.workspaceClass(named: className), let provider = providers[cls.provider] else {
            logger.error("no provider for class", metadata: ["class": "\(className)"])
            return
        }
        let number = (try? store.next("workspace")) ?? Int64(workspaces.count + 1)
        let id = job.map { JobVMWorkspace.workspaceID(for: $0, number: number) } ?? "ws-\(number)"
        let now = Self.now
        let record = Workspace(id: id, className: className, provider: cls.provider, state: .creating, pid: nil,
                               endpoint: "", handle: "", createdAt: now, leaseExpiresAt: now + Double(cls.leaseSeconds),
                               lastUsedAt: now)
        workspaces[id] = WorkspaceRuntime(record: record, phaseSince: now)
        try? store.save(record, event: StoreEvent(at: now, workspaceID: id, kind: "workspace-creating", message: className))
        logger.info("creating workspace", metadata: ["workspace": "\(id)", "class": "\(className)"])
        Task {
            do {
                var w = job == nil ? try await provider.create(id: id, workspaceClass: cls)
                    : try await provider.createJobVM(id: id, workspaceClass: cls)
                // What it was made with: a later reload compares the class with this.
                if w.allocation == nil { w.allocation = ResourceAllocation(of: cls) }
                self.created(w)
            } catch {
                self.creationFailed(id: id, className: className, error: "\(error)")
            }
        }
    }

    func created(_ made: Workspace) {
        guard let current = workspaces[made.id], current.record.state == .creating, !stopped else { return }
        var w = made
        w.state = .creating
        if let d = w.imageDigest, !ImageDigest.isValid(d) {
            logger.error("provider gave a malformed image digest", metadata: ["workspace": "\(w.id)"])
            w.imageDigest = nil
        }
        noteCreatedDigest(w)
        try? w.move(to: .booting)
        workspaces[w.id]!.record = w
        workspaces[w.id]!.idleSince = Self.now
        metrics?.workspace(.create, className: w.className, seconds: Self.now - current.phaseSince)
        workspaces[w.id]!.phaseSince = Self.now
        creationBackoff[w.className] = nil
        try? store.save(w, event: StoreEvent(at: Self.now, workspaceID: w.id, kind: "workspace-ready",
                                             message: w.enforcement.map(\.description).joined(separator: "; ")))
        logger.info("workspace ready", metadata: ["workspace": "\(w.id)", "pid": "\(w.pid ?? 0)"])
        attach(w.id)
        eventsChanged()
        schedule()
    }

    func creationFailed(id: String, className: String, error: String) {
        workspaces[id] = nil
        let failures = (creationBackoff[className]?.failures ?? 0) + 1
        let wait = min(60, pow(2, Double(failures - 1)))
        creationBackoff[className] = (Self.now + wait, failures, error)
        try? store.deleteWorkspace(id, event: StoreEvent(at: Self.now, workspaceID: id, kind: "workspace-failed", message: error))
        logger.error("workspace creation failed", metadata: ["workspace": "\(id)", "class": "\(className)", "error": "\(error)"])
        eventsChanged()
    }

    /// Moves a workspace through its state machine; a move it forbids is a bug, logged and not made.
    @discardableResult
    func move(_ wsID: String, to next: WorkspaceState) -> Bool {
        guard var w = workspaces[wsID] else { return false }
        do { try w.record.move(to: next) } catch {
            logger.error("workspace state not changed", metadata: ["error": "\(error)"])
            return false
        }
        workspaces[wsID] = w
        return true
    }

    /// Connects to the workspace's agent and asks for its state; the workspace boots until the
    /// agent answers (see `adopt`). The connection is made off the scheduler.
    func attach(_ wsID: String) {
        guard let w = workspaces[wsID] else { return }
        if w.record.state != .booting {
            guard move(wsID, to: .booting) else { return }
            // A reconnect, not a boot: its time is not a boot time.
            workspaces[wsID]!.phaseSince = 0
        }
        let endpoint = w.record.endpoint
        Task {
            do {
                let link = try await AgentLink.connect(workspaceID: wsID, endpoint: endpoint)
                self.linked(wsID, link)
            } catch {
                guard self.workspaces[wsID]?.record.state == .booting, self.workspaces[wsID]?.link == nil else { return }
                self.logger.warning("cannot reach agent", metadata: ["workspace": "\(wsID)", "error": "\(error)"])
                self.workspaceLost(wsID, reason: "its agent does not answer: \(error)")
            }
        }
    }

    func linked(_ wsID: String, _ link: AgentLink) {
        guard let w = workspaces[wsID], w.record.state == .booting, w.link == nil, !stopped else {
            link.close()
            return
        }
        workspaces[wsID]!.link = link
        link.send(.hello)
        Task {
            for await _ in link.arrivals { self.handle(link.takeArrived(), from: wsID, link: link) }
            self.handle(link.takeArrived(), from: wsID, link: link)
            await self.linkClosed(wsID, link: link)
        }
    }

    func linkClosed(_ wsID: String, link: AgentLink) async {
        guard !stopped, let w = workspaces[wsID], w.link === link else { return }
        workspaces[wsID]!.link = nil
        // A guest that moves loses its channel on the way; the move attaches it again.
        if w.migrating { return }
        if w.record.state == .destroying || w.record.state == .parking || w.record.state.isParked { return }
        // The agent may only have dropped the connection; try again before declaring a loss.
        if let provider = providers[w.record.provider], await provider.isAlive(w.record) {
            for _ in 0..<5 {
                if let again = try? await AgentLink.connect(workspaceID: wsID, endpoint: w.record.endpoint) {
                    again.close()
                    attach(wsID)
                    return
                }
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
        }
        workspaceLost(wsID, reason: "its agent died")
    }

    /// A workspace died: its jobs go back to the queue (not counted against their retries) and
    /// what is left of it is removed.
    func workspaceLost(_ wsID: String, reason: String) {
        guard var w = workspaces.removeValue(forKey: wsID) else { return }
        w.link?.close()
        let now = Self.now
        let requeued = requeueActiveJobs(in: wsID, because: "workspace \(wsID) lost (\(reason))")
        try? w.record.move(to: .lost)
        logger.warning("workspace lost", metadata: ["workspace": "\(wsID)", "reason": "\(reason)", "requeued": "\(requeued)"])
        try? store.deleteWorkspace(wsID, event: StoreEvent(at: now, workspaceID: wsID, kind: "workspace-lost", message: reason))
        let record = w.record
        if let provider = providers[record.provider] {
            Task { try? await provider.destroy(record) }
        }
        eventsChanged()
        schedule()
    }

    /// Puts the jobs that run in a workspace back in the queue; their lost run does not count
    /// against their retries. Returns how many.
    @discardableResult
    func requeueActiveJobs(in wsID: String?, because why: String) -> Int {
        let now = Self.now
        var changes: [(job: Job, event: StoreEvent)] = []
        for (id, job) in jobs where job.state.isActive && (wsID == nil ? workspaces[job.workspaceID ?? ""] == nil : job.workspaceID == wsID) {
            var j = job
            let from = j.state
            try? j.move(to: .queued, reason: "\(why); requeued")
            j.workspaceID = nil
            jobs[id] = j
            enqueue(j)
            changes.append((j, .transition(j, from: from, at: now)))
        }
        metrics?.requeued(.workspaceLost, count: changes.count)
        commit(changes)
        return changes.count
    }

    /// Destroys a workspace on purpose (idle, lease, admin). Jobs still in it are requeued.
    func destroyWorkspace(_ wsID: String, reason: String) async {
        guard beginDestroy(wsID, reason: reason) else { return }
        await endDestroy(wsID, reason: reason)
    }

    /// The part of a destruction that happens at once: the workspace is `destroying` (takes no
    /// job, counts as out of service) before this returns.
    func beginDestroy(_ wsID: String, reason: String) -> Bool {
        guard workspaces[wsID] != nil, move(wsID, to: .destroying), let w = workspaces[wsID] else { return false }
        requeueActiveJobs(in: wsID, because: "workspace \(wsID) destroyed (\(reason))")
        w.link?.send(.shutdown)
        w.link?.close()
        return true
    }

    func endDestroy(_ wsID: String, reason: String) async {
        guard let w = workspaces[wsID], w.record.state == .destroying else { return }
        if let provider = providers[w.record.provider] { try? await provider.destroy(w.record) }
        workspaces[wsID] = nil
        classFollowAfterBoot[wsID] = nil
        try? store.deleteWorkspace(wsID, event: StoreEvent(at: Self.now, workspaceID: wsID, kind: "workspace-destroyed", message: reason))
        logger.info("workspace destroyed", metadata: ["workspace": "\(wsID)", "reason": "\(reason)"])
        eventsChanged()
        schedule()
    }

    /// Idle reaping and leases; runs on the timer.
    func maintain() async {
        retryStore()
        sampleHistory()
        let store = self.store
        Task.detached { store.checkpoint() }
        let now = Self.now
        let keptWarm = Set(config.classes.flatMap { warmSet(of: $0, now: now) })
        for (id, w) in workspaces where w.record.state != .destroying && !w.migrating && JobVMWorkspace.job(ofWorkspace: id) == nil {
            guard let cls = config.workspaceClass(named: w.record.className) else {
                if w.runs.isEmpty { await destroyWorkspace(id, reason: "its class is no longer configured") }
                continue
            }
            switch w.record.state {
            case .ready where now >= w.record.leaseExpiresAt, .busy where now >= w.record.leaseExpiresAt:
                move(id, to: .draining)
                try? store.save(workspaces[id]!.record, event: StoreEvent(at: now, workspaceID: id, kind: "workspace-draining",
                                                                          message: "lease expired"))
                if w.runs.isEmpty { await destroyWorkspace(id, reason: "lease expired") }
            case .ready where w.runs.isEmpty && isOnDrainedHost(w):
                // Left behind by a drain (its move failed, or it was busy then): it goes once idle.
                await destroyWorkspace(id, reason: "its host is drained")
            case .ready where isOutdated(w):
                // The rollout replaces it within max_unavailable; reaping it besides would not be.
                continue
            case .ready:
                guard let since = w.idleSince else {
                    workspaces[id]!.idleSince = now
                    continue
                }
                let warm = keptWarm.contains(id)
                if !warm && now - since >= Double(cls.idleTimeoutSeconds) {
                    await destroyWorkspace(id, reason: "idle for \(cls.idleTimeoutSeconds) s")
                } else if warm && cls.warmMode != .running && now - since >= 2 {
                    // A warm workspace of a paused or saved class waits parked.
                    park(id, as: cls.warmMode)
                }
            case .draining where w.runs.isEmpty:
                await destroyWorkspace(id, reason: w.record.reason ?? "lease expired")
            case .paused where now >= w.record.leaseExpiresAt, .saved where now >= w.record.leaseExpiresAt:
                await destroyWorkspace(id, reason: "lease expired")
            default:
                break
            }
        }
        // Passes run it too, but a class with nothing queued may see none for a while.
        if rolloutActive { rollOut() }
        keepWarm(now: now)
        retireJobVMs()
        evaluatePeriodicPolicies(now: now)
        if now - lastPrune >= 60 {
            lastPrune = now
            // A small batch a minute: at 50 jobs/s that is 3,000 a minute, so eight batches keep pace.
            for _ in 0..<8 {
                guard let pruned = try? store.pruneFinished(endedBefore: now - config.store.keepFinishedDays * 86_400),
                      pruned == 500 else { break }
            }
        }
        scheduleIfDue()
    }
}
