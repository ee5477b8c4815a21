import BridgeStore
import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// Warm workspaces: kept for the jobs to come, running, paused (no CPU) or saved (no memory).
extension Scheduler {
    /// Workspaces of a class that are or will soon be ready for jobs (not draining, not going).
    /// Outdated ones are not: they are replaced, and the warm pool refills with current ones.
    func usable(of className: String) -> Int {
        workspaces.values.filter { $0.record.className == className && $0.record.state.isUsable && !$0.isJobVM && !isOutdated($0) }.count
    }

    /// The workspaces of a class kept for the jobs to come (`warm_workspaces` of them): those
    /// parked or on their way there or back first, then the idle ones, idle longest first, then
    /// the busy ones (idle soon). The others are reaped after the idle timeout; an idle one among
    /// these is parked (`warm_mode`), whatever the others of its class are doing.
    func warmSet(of cls: WorkspaceClass, now: Double) -> [String] {
        guard cls.warmWorkspaces > 0 else { return [] }
        func rank(_ w: WorkspaceRuntime) -> (Int, Double, String) {
            switch w.record.state {
            case .paused, .saved, .parking, .restoring: (0, 0, w.record.id)
            case .ready: (1, -(now - (w.idleSince ?? now)), w.record.id)
            default: (2, 0, w.record.id)
            }
        }
        return workspaces.values.filter { $0.record.className == cls.name && $0.record.state.isUsable && !$0.isJobVM && !isOutdated($0) }
            .sorted { rank($0) < rank($1) }.prefix(cls.warmWorkspaces).map(\.record.id)
    }

    /// Parks an idle warm workspace: paused (no CPU) or saved (no memory). A saved guest's agent
    /// goes away with it, so its link is closed first and its end is not taken for a loss.
    func park(_ id: String, as mode: WarmMode) {
        guard let w = workspaces[id], let provider = providers[w.record.provider], w.runs.isEmpty,
              move(id, to: .parking) else { return }
        if mode == .saved {
            w.link?.close()
            workspaces[id]!.link = nil
        }
        workspaces[id]!.parking = (mode, false)
        let record = workspaces[id]!.record
        Task {
            do {
                try await provider.park(record, as: mode)
                self.parked(id, as: mode)
            } catch {
                self.parkFailed(id, as: mode, error: "\(error)")
            }
        }
    }

    /// A job waits for a workspace of this class, and one is being saved: stop the save, which
    /// takes longer than the job's whole wait would otherwise be (a save, then a restore). If
    /// the save ends first, the job has the saved workspace restored, as before.
    func cancelParking(of className: String) {
        guard let (id, w) = workspaces.first(where: { $0.value.record.className == className && $0.value.record.state == .parking &&
                                                        $0.value.parking?.mode == .saved && $0.value.parking?.cancelling == false }),
              let provider = providers[w.record.provider] else { return }
        workspaces[id]!.parking?.cancelling = true
        let record = w.record
        logger.info("stopping a save: a job is waiting", metadata: ["workspace": "\(id)"])
        Task { _ = await provider.cancelPark(record) }
    }

    /// A park that failed: stopped for a waiting job, the workspace is still running (its agent
    /// is asked for its state again); otherwise it is lost.
    func parkFailed(_ id: String, as mode: WarmMode, error: String) {
        guard let w = workspaces[id], w.record.state == .parking else { return }
        workspaces[id]!.parking = nil
        guard w.parking?.cancelling == true, move(id, to: .booting) else {
            return workspaceLost(id, reason: "could not be \(mode.rawValue): \(error)")
        }
        try? store.save(workspaces[id]!.record, event: StoreEvent(at: Self.now, workspaceID: id, kind: "workspace-booting",
                                                                  message: "save stopped for a waiting job"))
        if let link = w.link { link.send(.hello) } else { attach(id) }
        eventsChanged()
    }

    func parked(_ id: String, as mode: WarmMode) {
        workspaces[id]?.parking = nil
        guard workspaces[id]?.record.state == .parking, move(id, to: mode == .saved ? .saved : .paused) else { return }
        try? store.save(workspaces[id]!.record, event: StoreEvent(at: Self.now, workspaceID: id,
                                                                  kind: "workspace-\(workspaces[id]!.record.state.rawValue)",
                                                                  message: "warm, waiting for a job"))
        // A job that came while it parked waited for it (it counted as coming): bring it back.
        nextTimedPass = 0
        eventsChanged()
    }

    /// Brings a parked workspace back for a waiting job; until then it counts as being created.
    func unpark(_ id: String) {
        guard let w = workspaces[id], w.record.state.isParked, let provider = providers[w.record.provider] else { return }
        let mode: WarmMode = w.record.state == .saved ? .saved : .paused
        guard move(id, to: .restoring) else { return }
        workspaces[id]!.phaseSince = Self.now
        let record = workspaces[id]!.record
        logger.info("resuming a parked workspace", metadata: ["workspace": "\(id)", "from": "\(mode.rawValue)"])
        Task {
            do {
                try await provider.unpark(record, from: mode)
                self.unparked(id, from: mode)
            } catch {
                self.workspaceLost(id, reason: "could not be resumed from \(mode.rawValue): \(error)")
            }
        }
    }

    /// Resumed or restored: its agent is asked for its state again (which also measures the
    /// workspace's clock again, after a pause or a restore).
    func unparked(_ id: String, from mode: WarmMode) {
        guard let w = workspaces[id], w.record.state == .restoring, !stopped, move(id, to: .booting) else { return }
        workspaces[id]!.idleSince = Self.now
        metrics?.workspace(.restore, className: w.record.className, seconds: Self.now - w.phaseSince)
        workspaces[id]!.phaseSince = Self.now
        try? store.save(workspaces[id]!.record, event: StoreEvent(at: Self.now, workspaceID: id, kind: "workspace-booting",
                                                                  message: "resumed from \(mode.rawValue)"))
        if let link = w.link { link.send(.hello) } else { attach(id) }
        eventsChanged()
    }

    /// Creates workspaces for classes with `warm_workspaces` until each has that many usable
    /// ones, within `max_workspaces`, the creation limit and a class's creation backoff.
    func keepWarm(now: Double) {
        guard !stopped else { return }
        var creating = workspaces.values.filter { $0.record.state == .creating || $0.record.state == .restoring }.count
        for cls in config.classes where cls.warmWorkspaces > 0 && providers[cls.provider] != nil {
            if let b = creationBackoff[cls.name], b.until > now { continue }
            // In a rollout, max_surge more, as the throttle policy allows.
            let mine = workspaces.values.filter { $0.record.className == cls.name }
            let all = mine.filter { $0.record.state.isUsable }.count
            let surge = ImageRollout.surge(outdated: mine.filter { isOutdated($0) && $0.record.state != .destroying }.count,
                                           maxSurge: cls.maxSurge)
            var missing = min(cls.warmWorkspaces - usable(of: cls.name), cls.maxWorkspaces + surge - all)
            while missing > 0, creating < config.throttle.maxCreating {
                startCreation(className: cls.name)
                missing -= 1
                creating += 1
            }
        }
    }
}
