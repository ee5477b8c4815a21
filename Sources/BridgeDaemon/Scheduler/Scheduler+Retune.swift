import BridgeAPI
import BridgeStore
import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// Changing the resources of running workspaces: by an admin (`wsbridge workspaces retune`), or
/// because a config reload changed their class. The provider plans first; a plan with any
/// change that cannot be made live is applied not at all.
extension Scheduler {
    /// The allocation a workspace has now: its record's, or (a record of an older version) its
    /// class's.
    func allocation(of w: Workspace, _ cls: WorkspaceClass) -> ResourceAllocation {
        w.allocation ?? ResourceAllocation(of: cls)
    }

    func retune(_ wsID: String, _ request: RetuneRequest, caller: UInt32) async throws -> RetuneReply {
        guard isAdmin(caller) else {
            throw CommandError(description: "only root or the admin group may retune workspaces", code: "forbidden")
        }
        guard let w = workspaces[wsID] else { throw CommandError(description: "no workspace \(wsID)", code: "not-found") }
        guard let cls = config.workspaceClass(named: w.record.className) else {
            throw CommandError(description: "workspace \(wsID): its class \(w.record.className) is no longer configured", code: "conflict")
        }
        let target: ResourceAllocation
        do { target = try request.applied(to: allocation(of: w.record, cls)) } catch {
            throw CommandError(description: error.description, code: "bad-request")
        }
        let plan = try await retune(wsID, to: target, why: "by uid \(caller)")
        return RetuneReply(workspace: wsID, plan: plan, allocation: target)
    }

    /// Plans and applies a retune of a ready or busy workspace; records it. Throws a
    /// `CommandError` (`conflict`) with the refusals or the failure, having changed nothing.
    @discardableResult
    func retune(_ wsID: String, to target: ResourceAllocation, why: String) async throws -> RetunePlan {
        guard let w = workspaces[wsID] else { throw CommandError(description: "no workspace \(wsID)", code: "not-found") }
        guard w.record.state == .ready || w.record.state == .busy else {
            throw CommandError(description: "workspace \(wsID) is \(w.record.state.rawValue): only a ready or busy workspace can be retuned", code: "conflict")
        }
        guard !retuning.contains(wsID), !w.migrating else {
            throw CommandError(description: "workspace \(wsID) is being retuned or moved; ask again when that is done", code: "conflict")
        }
        guard let cls = config.workspaceClass(named: w.record.className), let provider = providers[w.record.provider] else {
            throw CommandError(description: "workspace \(wsID): no class or provider for it", code: "conflict")
        }
        retuning.insert(wsID)
        defer { retuning.remove(wsID) }
        let current = allocation(of: w.record, cls)
        let plan = await provider.planRetune(w.record, of: cls, from: current, to: target)
        if plan.isEmpty { return plan }
        guard plan.isLive else { throw CommandError(description: RetuneError.refused(plan).description, code: "conflict") }
        let enforcement: [Enforcement]
        do { enforcement = try await provider.retune(w.record, of: cls, plan: plan) } catch {
            logger.error("workspace retune failed", metadata: ["workspace": "\(wsID)", "error": "\(error)"])
            try? store.record(StoreEvent(at: Self.now, workspaceID: wsID, kind: "workspace-retune-failed", message: error.description))
            throw CommandError(description: error.description, code: "conflict")
        }
        guard workspaces[wsID] != nil else { return plan }
        let note = "retuned \(why) at \(formatTime(Self.now)): \(plan.summary)"
        workspaces[wsID]!.record.allocation = target
        workspaces[wsID]!.record.allocationNote = note
        workspaces[wsID]!.record.enforcement = enforcement
        try? store.save(workspaces[wsID]!.record, event: StoreEvent(at: Self.now, workspaceID: wsID, kind: "workspace-retuned", message: plan.summary))
        logger.info("workspace retuned", metadata: ["workspace": "\(wsID)", "change": "\(plan.summary)"])
        eventsChanged()
        return plan
    }

    /// After a config load: each workspace whose class's resources differ from what it has is
    /// retuned in place where its provider can do all of it live, and otherwise drained (it
    /// takes no new job and goes when its runs end; new workspaces come from the new class).
    /// Parked ones have no runs and are simply replaced; ones on their way up are followed once
    /// they are ready. Returns what was done, per workspace.
    func followClassChanges(from old: BridgeConfig) async -> [String] {
        var outcomes: [String] = []
        for id in workspaces.keys.sorted() where JobVMWorkspace.job(ofWorkspace: id) == nil {
            guard let w = workspaces[id], let before = old.workspaceClass(named: w.record.className) else { continue }
            if let outcome = await followClassChange(id, before: classFollowAfterBoot[id] ?? before) { outcomes.append(outcome) }
        }
        return outcomes
    }

    /// Follows the change of one workspace's class from `before` to the class now configured;
    /// `nil` when there is nothing to follow.
    func followClassChange(_ id: String, before: WorkspaceClass) async -> String? {
        guard let w = workspaces[id], let cls = config.workspaceClass(named: w.record.className) else { return nil }
        let current = allocation(of: w.record, before)
        var target = ResourceAllocation(of: cls)
        target.bandwidthKBps = current.bandwidthKBps
        // Only what the class changed is followed: an admin's own retune of other values stays.
        let classChanged = ResourceControl.changed(from: ResourceAllocation(of: before), to: ResourceAllocation(of: cls))
        var wanted = current
        for c in classChanged { Self.copy(c, from: target, into: &wanted) }
        guard !classChanged.isEmpty, wanted != current else { return nil }
        let outcome: String
        switch w.record.state {
        case .ready where retuning.contains(id), .busy where retuning.contains(id):
            outcome = "\(id): left as it is, an admin's retune of it is under way (class \(cls.name) changed on config reload; reload again after)"
        case .ready, .busy:
            classFollowAfterBoot[id] = nil
            do {
                let plan = try await retune(id, to: wanted, why: "on config reload (class \(cls.name) changed)")
                outcome = "\(id): retuned in place: \(plan.summary)"
            } catch {
                let why = "draining on config reload, replaced by new workspaces of class \(cls.name): \((error as? CommandError)?.description ?? "\(error)")"
                outcome = "\(id): \(why)"
                drain(id, reason: why)
            }
        case .paused, .saved:
            classFollowAfterBoot[id] = nil
            outcome = "\(id): destroyed (parked, no runs); new workspaces of class \(cls.name) get the new resources"
            await destroyWorkspace(id, reason: "class \(cls.name) changed on config reload")
        case .creating, .booting, .parking, .restoring:
            // Made (or brought back) with the class as it was: followed once its agent reports.
            if classFollowAfterBoot[id] == nil { classFollowAfterBoot[id] = before }
            outcome = "\(id): \(w.record.state.rawValue), followed once it is ready (class \(cls.name) changed on config reload)"
        case .draining, .destroying, .lost, .destroyed:
            return nil
        }
        logger.info("class change followed", metadata: ["outcome": "\(outcome)"])
        return outcome
    }

    /// A workspace that was on its way up at a reload is ready now: it follows its class's change.
    func followClassChangeAfterBoot(_ id: String) {
        guard let before = classFollowAfterBoot[id], workspaces[id]?.record.state.takesJobs == true else { return }
        Task {
            if let outcome = await self.followClassChange(id, before: before) { self.lastReloadChanges.append(outcome) }
        }
    }

    /// Takes no new jobs from now on; destroyed by `maintain` once its runs have ended.
    func drain(_ id: String, reason: String) {
        guard move(id, to: .draining) else { return }
        // Its lease ends now: an agent that reconnects finds it draining still, as after a lease.
        workspaces[id]!.record.leaseExpiresAt = min(workspaces[id]!.record.leaseExpiresAt, Self.now)
        workspaces[id]!.record.reason = reason
        workspaces[id]!.record.allocationNote = reason
        try? store.save(workspaces[id]!.record, event: StoreEvent(at: Self.now, workspaceID: id, kind: "workspace-draining", message: reason))
    }

    static func copy(_ c: ResourceControl, from a: ResourceAllocation, into b: inout ResourceAllocation) {
        switch c {
        case .memory: b.memoryMB = a.memoryMB
        case .cpus: b.cpus = a.cpus
        case .cpuWeight: b.cpuWeight = a.cpuWeight
        case .cpuCap: b.cpuCapPercent = a.cpuCapPercent
        case .disk: b.diskMB = a.diskMB
        case .bandwidth: b.bandwidthKBps = a.bandwidthKBps
        }
    }
}
