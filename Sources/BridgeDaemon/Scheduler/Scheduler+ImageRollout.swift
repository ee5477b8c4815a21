import BridgeStore
import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// Image versions: each class's current image digest, computed off the scheduler at start and
/// on every reload, and the rollout that replaces workspaces made from another image
/// (`ImageRollout`: the decisions; here: what they take to carry out).
extension Scheduler {
    /// Computes every class's image digest off the scheduler (hashing a disk image takes time;
    /// unchanged files are not read again), then rolls out what changed.
    func refreshImageDigests() {
        digestGeneration += 1
        digestsPending = true
        let generation = digestGeneration
        let classes = config.classes.compactMap { c in providers[c.provider].map { (c, $0) } }
        Task.detached {
            var found: [String: String] = [:]
            var failed: [String: String] = [:]
            for (c, provider) in classes {
                do {
                    let d = try await provider.imageDigest(of: c)
                    if ImageDigest.isValid(d) { found[c.name] = d } else { failed[c.name] = "malformed digest" }
                } catch {
                    failed[c.name] = "\(error)"
                }
            }
            await self.imageDigestsComputed(found, failed: failed, generation: generation)
        }
    }

    func imageDigestsComputed(_ found: [String: String], failed: [String: String], generation: Int) {
        guard generation == digestGeneration, !stopped else { return }
        digestsPending = false
        let now = Self.now
        for name in imageDigests.keys where config.workspaceClass(named: name) == nil { imageDigests[name] = nil }
        for (name, digest) in found.sorted(by: { $0.key < $1.key }) where imageDigests[name] != digest {
            let old = imageDigests[name]
            imageDigests[name] = digest
            let message = "class \(name): image \(old.map { String($0.prefix(12)) } ?? "unknown") -> \(digest.prefix(12))"
            logger.info("class image", metadata: ["class": "\(name)", "digest": "\(digest)"])
            try? store.record(StoreEvent(at: now, kind: "image-digest", message: message))
        }
        for (name, error) in failed.sorted(by: { $0.key < $1.key }) {
            // Not known: nothing of the class is outdated until it is (its creations fail anyway).
            imageDigests[name] = nil
            logger.error("class image unreadable", metadata: ["class": "\(name)", "error": "\(error)"])
            try? store.record(StoreEvent(at: now, kind: "image-unreadable", message: "class \(name): \(error)"))
        }
        rolloutActive = true
        eventsChanged()
        schedule()
    }

    /// A workspace made from an image other than its class's current one. One whose digest is
    /// not known (recorded before digests were) is not: an upgrade replaces nothing by itself.
    /// Nor is any while digests are being computed after a reload: a workspace made from the
    /// new files meanwhile would look outdated against the old digest.
    func isOutdated(_ w: WorkspaceRuntime) -> Bool {
        guard !digestsPending, !w.isJobVM, let made = w.record.imageDigest, let current = imageDigests[w.record.className] else { return false }
        return made != current
    }

    /// A new workspace's image is not its class's current one: made from an older image (a
    /// creation under way at a reload), or the files changed since they were hashed; then the
    /// class's digest is computed again, and the rollout sorts out which is outdated.
    func noteCreatedDigest(_ w: Workspace) {
        guard let made = w.imageDigest, let current = imageDigests[w.className], made != current else { return }
        rolloutActive = true
        refreshImageDigests()
    }

    func rolloutPhase(_ w: WorkspaceRuntime) -> ImageRollout.Phase? {
        switch w.record.state {
        case .creating, .booting, .parking, .restoring: .coming
        case .ready: w.runs.isEmpty && w.collecting.isEmpty ? .idle : .busy
        case .busy: .busy
        case .paused, .saved: .parked
        case .draining, .destroying: .retired
        case .lost, .destroyed: nil
        }
    }

    func rolloutPlan(for cls: WorkspaceClass) -> ImageRollout.Plan {
        let members = workspaces.values.compactMap { w -> ImageRollout.Member? in
            guard w.record.className == cls.name, !w.isJobVM, let phase = rolloutPhase(w) else { return nil }
            return ImageRollout.Member(id: w.record.id, outdated: isOutdated(w), phase: phase)
        }
        return ImageRollout.plan(members, maxSurge: cls.maxSurge, maxUnavailable: cls.maxUnavailable)
    }

    /// Retires what the plans allow; stops looking once no class has an outdated workspace.
    func rollOut() {
        guard !stopped else { return }
        var anyOutdated = false
        for cls in config.classes where imageDigests[cls.name] != nil {
            let plan = rolloutPlan(for: cls)
            anyOutdated = anyOutdated || plan.inProgress
            for id in plan.retire {
                let reason = "replaced: made from image \(workspaces[id]?.record.imageDigest?.prefix(12) ?? "?"), the class's is now \(imageDigests[cls.name]!.prefix(12))"
                logger.info("retiring an outdated workspace", metadata: ["workspace": "\(id)", "class": "\(cls.name)"])
                if beginDestroy(id, reason: reason) {
                    // With its end (workspace-destroyed), bounds its time out of service in the events.
                    try? store.record(StoreEvent(at: Self.now, workspaceID: id, kind: "workspace-retiring", message: reason))
                    Task { await self.endDestroy(id, reason: reason) }
                }
            }
        }
        rolloutActive = anyOutdated
    }

    /// For `policy explain`: the rollout of a class, when one is under way.
    func rolloutDescription(of className: String) -> String? {
        guard let cls = config.workspaceClass(named: className), let digest = imageDigests[className] else { return nil }
        let plan = rolloutPlan(for: cls)
        guard plan.inProgress else { return nil }
        return ImageRollout.describe(plan, className: className, digest: digest, maxUnavailable: cls.maxUnavailable)
    }
}
