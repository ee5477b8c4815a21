import Dispatch
import Foundation
import Synchronization
import WorkspaceBridge

/// Who a uid is for the daemon: the user a job of theirs runs as, and whether they are an admin.
/// Password and group lookups may go to LDAP or NIS and hang: they are made here, off the
/// scheduler, before a request reaches it, with a deadline, and cached; the scheduler reads only
/// the cache (and looks up itself only what no request brought, such as a recovered job's owner).
final class IdentityResolver: Sendable {
    struct Entry: Sendable {
        /// The user jobs of this uid run as (root's run as `root_jobs_run_as`); nil if unknown.
        var identity: Identity?
        var isAdmin: Bool
        var at: Double
    }

    private struct State {
        var entries: [UInt32: Entry] = [:]
        var adminGroup: String?
        var rootJobsRunAs: String
    }

    private let state: Mutex<State>
    private let daemonUID = UInt32(geteuid())
    /// A cached answer is used for this long before it is looked up again.
    let freshFor = 60.0
    /// A lookup that takes longer is given up; the request goes on with what is known.
    let deadline = 5.0

    init(config: BridgeConfig) {
        state = Mutex(State(adminGroup: config.adminGroup, rootJobsRunAs: config.rootJobsRunAs))
    }

    /// A new config may name another admin group or user for root's jobs: forget everything.
    func reconfigure(_ config: BridgeConfig) {
        state.withLock { $0 = State(adminGroup: config.adminGroup, rootJobsRunAs: config.rootJobsRunAs) }
    }

    /// What the cache knows, however old.
    func cached(_ uid: UInt32) -> Entry? { state.withLock { $0.entries[uid] } }

    /// Looks the uid up if the cache has nothing fresh, off the caller's thread, within the deadline.
    func resolve(_ uid: UInt32) async {
        let now = Date().timeIntervalSince1970
        let (fresh, group, runAs) = state.withLock { s in
            (s.entries[uid].map { now - $0.at < freshFor } ?? false, s.adminGroup, s.rootJobsRunAs)
        }
        if fresh { return }
        let once = FirstCaller()
        let daemonUID = self.daemonUID
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Blocking.run {
                let entry = Self.lookup(uid, adminGroup: group, rootJobsRunAs: runAs, daemonUID: daemonUID)
                self.state.withLock { $0.entries[uid] = entry }
                if once.first() { done.resume() }
            }
            Blocking.deadlines.asyncAfter(deadline: .now() + deadline) { if once.first() { done.resume() } }
        }
    }

    static func lookup(_ uid: UInt32, adminGroup: String?, rootJobsRunAs: String, daemonUID: UInt32) -> Entry {
        var id = uid == 0 && daemonUID == 0 ? Identity.lookup(name: rootJobsRunAs) : Identity.lookup(uid: uid)
        // Whatever the config or the password database says, a job never runs as uid 0.
        if id?.uid == 0 && daemonUID == 0 { id = nil }
        let admin = uid == 0 || uid == daemonUID || (adminGroup.map { Identity.isMember(uid: uid, ofGroup: $0) } ?? false)
        return Entry(identity: id, isAdmin: admin, at: Date().timeIntervalSince1970)
    }

    /// For the scheduler: the cached answer, or a lookup now if there is none.
    func entry(_ uid: UInt32) -> Entry {
        if let e = cached(uid) { return e }
        let (group, runAs) = state.withLock { ($0.adminGroup, $0.rootJobsRunAs) }
        let e = Self.lookup(uid, adminGroup: group, rootJobsRunAs: runAs, daemonUID: daemonUID)
        state.withLock { $0.entries[uid] = e }
        return e
    }
}
