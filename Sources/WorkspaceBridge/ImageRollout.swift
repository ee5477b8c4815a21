/// Replacing a class's workspaces when its image changes, as Kubernetes rolls out a Deployment:
/// a pure function of the class's workspaces and its two limits, so that the scheduler and
/// `wsbridge policy explain` cannot disagree.
///
/// - New workspaces are always made from the current image.
/// - An outdated workspace running jobs takes no new ones, finishes those and is then idle.
///   It still serves its jobs, so it is not unavailable.
/// - An idle outdated workspace (ready or parked) serves jobs until it is retired (destroyed);
///   retired outdated workspaces (destroying, draining) are the *unavailable* ones, at most
///   `max_unavailable` at once, parked ones first (they serve no job before a restore).
/// - While any outdated workspace exists, the class may hold `max_surge` workspaces above
///   `max_workspaces`, so that replacements are made while the outdated ones finish.
public enum ImageRollout {
    /// What the rollout needs to know of one workspace.
    public struct Member: Sendable, Equatable {
        public var id: String
        /// Made from another image than the class's current one.
        public var outdated: Bool
        public var phase: Phase
        public init(id: String, outdated: Bool, phase: Phase) {
            self.id = id
            self.outdated = outdated
            self.phase = phase
        }
    }

    public enum Phase: Sendable, Equatable {
        /// Being made, booting, parking or restoring: left alone until it settles.
        case coming
        /// Ready with no run.
        case idle
        /// Paused or saved, waiting for a job.
        case parked
        /// Runs jobs.
        case busy
        /// Taken out of service: draining or being destroyed.
        case retired
    }

    /// One pass's decision for a class.
    public struct Plan: Sendable, Equatable {
        /// Outdated workspaces to destroy now, in order.
        public var retire: [String]
        /// Outdated workspaces left, these included.
        public var outdated: Int
        /// Outdated workspaces out of service once `retire` is done (never above the limit
        /// unless they were already, e.g. after a reload lowered it).
        public var unavailable: Int
        /// Workspaces the class may hold above `max_workspaces` now.
        public var surge: Int
        public var inProgress: Bool { outdated > 0 }
    }

    public static func plan(_ members: [Member], maxSurge: Int, maxUnavailable: Int) -> Plan {
        let outdated = members.filter(\.outdated)
        var unavailable = outdated.filter { $0.phase == .retired }.count
        let candidates = outdated.filter { $0.phase == .parked }.map(\.id).sorted()
            + outdated.filter { $0.phase == .idle }.map(\.id).sorted()
        var retire: [String] = []
        for id in candidates where unavailable < maxUnavailable {
            retire.append(id)
            unavailable += 1
        }
        return Plan(retire: retire, outdated: outdated.count, unavailable: unavailable,
                    surge: surge(outdated: outdated.count, maxSurge: maxSurge))
    }

    /// Workspaces allowed above `max_workspaces`: `max_surge` while any outdated one is left.
    public static func surge(outdated: Int, maxSurge: Int) -> Int {
        outdated > 0 ? max(0, maxSurge) : 0
    }

    /// A rollout's state in words, for `policy explain` and the log.
    public static func describe(_ plan: Plan, className: String, digest: String, maxUnavailable: Int) -> String {
        "class \(className) rolls out image \(digest.prefix(12)): \(plan.outdated) outdated workspace(s) left, "
            + "\(plan.unavailable) of max_unavailable \(maxUnavailable) out of service, max_surge \(plan.surge) above max_workspaces"
    }
}
