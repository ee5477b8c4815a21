import Foundation
import Synchronization

/// Owners' user names for the status page, from the password database, cached for a minute
/// (the lookup may go to a directory service). An unknown uid shows as its number.
enum UserNames {
    private static let cache = Mutex<[UInt32: (name: String, at: Double)]>([:])

    static func names(of uids: Set<UInt32>) -> [UInt32: String] {
        let now = Date().timeIntervalSince1970
        var out: [UInt32: String] = [:]
        for uid in uids {
            if let c = cache.withLock({ $0[uid] }), now - c.at < 60 {
                out[uid] = c.name
                continue
            }
            let name = Identity.lookup(uid: uid)?.name ?? "uid \(uid)"
            cache.withLock { c in
                if c.count > 10_000 { c = [:] }
                c[uid] = (name, now)
            }
            out[uid] = name
        }
        return out
    }
}
