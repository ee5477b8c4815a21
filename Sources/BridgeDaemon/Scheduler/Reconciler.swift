import BridgeStore
import Foundation
import WorkspaceBridge

extension Scheduler {
    /// At start: make the store agree with reality. Live workspaces are adopted (their agents
    /// then report their runs, see `adopt`), dead ones are removed and their jobs requeued,
    /// workspaces on the host that the store does not know are destroyed, and jobs that claim a
    /// workspace that is gone are requeued.
    func recover() async throws {
        let (unfinished, unloadable) = try store.unfinishedJobs()
        for job in unfinished {
            // A stored job that the API would refuse today (limits tightened, a row written by
            // hand or by an older version) must not stop the daemon: it fails with the reason.
            do { try job.spec.validate() } catch {
                try store.markUnloadable(job.id, reason: error.description, at: Self.now)
                continue
            }
            track(job)
        }
        // Loading left freed pages behind (rows, JSON); give them back before serving.
        MallocTrim.run()
        for (id, reason) in unloadable {
            logger.error("a stored job cannot be loaded; marked failed", metadata: ["job": "\(id)", "reason": "\(reason)"])
            try store.markUnloadable(id, reason: reason, at: Self.now)
        }
        try loadDrainedHosts()
        var lost: [(Workspace, String)] = []
        for w in try store.workspaces() {
            guard let provider = providers[w.provider] else {
                lost.append((w, "provider \(w.provider) is not configured"))
                continue
            }
            if w.state.isParked {
                // Parked on purpose: it waits for a job, not for its agent.
                workspaces[w.id] = WorkspaceRuntime(record: w)
            } else if w.state == .creating || w.state == .parking || w.state == .restoring || w.state == .destroying {
                lost.append((w, "it was \(w.state.rawValue) when the daemon stopped"))
            } else if let live = await provider.isAlive(w) ? w : await provider.relocated(w) {
                do { try await provider.adopt(live) } catch {
                    lost.append((live, "it cannot be reached: \(error)"))
                    continue
                }
                if live.handle != w.handle {
                    // Moved by a drain that the daemon did not live to record: it is where it went.
                    try? store.save(live, event: StoreEvent(at: Self.now, workspaceID: w.id, kind: "workspace-moved",
                                                            message: "found on another host at start: \(live.handle)"))
                }
                // Whatever it was, it boots again: its agent reports, then it takes jobs or drains.
                var booting = live
                booting.state = .booting
                workspaces[w.id] = WorkspaceRuntime(record: booting, idleSince: Self.now)
            } else {
                lost.append((w, "it died while the daemon was down"))
            }
        }
        for (w, reason) in lost {
            workspaces[w.id] = WorkspaceRuntime(record: w)
            workspaceLost(w.id, reason: reason)
        }
        for provider in providers.values {
            for id in (try? await provider.discover()) ?? [] where workspaces[id] == nil {
                logger.warning("removing a leaked workspace", metadata: ["workspace": "\(id)", "provider": "\(provider.name)"])
                let leaked = Workspace(id: id, className: "", provider: provider.name, state: .lost, pid: nil, endpoint: "",
                                     handle: "", createdAt: 0, leaseExpiresAt: 0, lastUsedAt: 0)
                try? await provider.destroy(leaked)
                try? store.record(StoreEvent(at: Self.now, workspaceID: id, kind: "workspace-leaked", message: "destroyed at start"))
            }
        }
        // Jobs that claim a workspace that is no longer there.
        let orphans = requeueActiveJobs(in: nil, because: "its workspace is gone")
        for (id, w) in workspaces where w.record.state == .booting { attach(id) }
        refreshImageDigests()
        logger.info("recovered", metadata: ["jobs": "\(jobs.count)", "workspaces": "\(workspaces.count)",
                                            "requeued": "\(orphans)"])
        schedule()
    }
}

/// glibc's `malloc_trim` (not in the Glibc module): hands freed heap pages back to the system.
enum MallocTrim {
    typealias Function = @convention(c) (Int) -> Int32
    static func run() {
        guard let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, "malloc_trim") else { return }
        _ = unsafeBitCast(sym, to: Function.self)(0)
    }
}
