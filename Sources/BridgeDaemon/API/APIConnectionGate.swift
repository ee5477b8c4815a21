import Foundation
import Synchronization
import WorkspaceBridge

/// Who holds the API's connections, and how fast each uid asks: the bounds that keep one local
/// user from using up the daemon's descriptors or its attention (`[api]` in the config).
final class APIConnectionGate: Sendable {
    struct State {
        var total = 0
        var byUID: [UInt32: Int] = [:]
        var buckets: [UInt32: TokenBucket] = [:]
    }

    let limits: APILimits
    /// The most connections the descriptor limit leaves room for.
    let maxConnections: Int
    private let state = Mutex(State())

    init(limits: APILimits, descriptorLimit: Int) {
        self.limits = limits
        // Descriptors are also needed for the store, agents, workspaces and users' files.
        maxConnections = max(16, min(limits.maxConnections, descriptorLimit - 256))
    }

    /// Takes a connection slot for `uid`, or says why not.
    func admit(uid: UInt32) -> String? {
        state.withLock { s in
            if s.total >= maxConnections { return "the daemon has \(maxConnections) API connections open (api.max_connections)" }
            if s.byUID[uid, default: 0] >= limits.maxConnectionsPerUser {
                return "uid \(uid) has \(limits.maxConnectionsPerUser) API connections open (api.max_connections_per_user)"
            }
            s.total += 1
            s.byUID[uid, default: 0] += 1
            return nil
        }
    }

    /// Takes a slot of the total for a connection whose caller is not known yet (the network
    /// API: each request names its caller), or says why not.
    func admitAnonymously() -> String? {
        state.withLock { s in
            if s.total >= maxConnections { return "the daemon has \(maxConnections) API connections open (api.max_connections)" }
            s.total += 1
            return nil
        }
    }

    func releaseAnonymously() { state.withLock { $0.total -= 1 } }

    func release(uid: UInt32) {
        state.withLock { s in
            s.total -= 1
            s.byUID[uid, default: 1] -= 1
            if s.byUID[uid] == 0 { s.byUID[uid] = nil }
        }
    }

    /// One request of `uid`: false when the uid asks faster than `requests_per_second_per_user`.
    func allowRequest(uid: UInt32, now: Double) -> Bool {
        state.withLock { s in
            let rate = limits.requestsPerSecondPerUser
            var bucket = s.buckets[uid] ?? TokenBucket(rate: rate, burst: max(1, rate), now: now)
            let ok = bucket.take(now: now)
            s.buckets[uid] = bucket
            // Forget full buckets now and then, so that the table holds only active users.
            if s.buckets.count > 10_000 { s.buckets = s.buckets.filter { $0.value.tokens < $0.value.burst - 1 } }
            return ok
        }
    }

    var open: Int { state.withLock { $0.total } }
}
