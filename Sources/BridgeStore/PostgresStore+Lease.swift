import Foundation
import GRDB

/// Which daemon of several sharing one PostgreSQL store is active: the one holding the lease, a
/// single row with its holder, an epoch that grows with every change of holder, and an expiry on
/// the database server's clock (so hosts' clocks do not matter). The active daemon renews it every
/// few seconds; a standby takes it once it has expired. Every write of the active daemon checks
/// the epoch in its own transaction (`fence(by:)`), so a daemon that lost the lease (stopped,
/// cut off, paused past its expiry) can write nothing once another holds it: no split brain.
extension PostgresStore {
    /// The lease as it stands.
    public struct Lease: Sendable, Equatable {
        public var holder: String
        public var epoch: Int64
        /// Seconds until it expires, by the server's clock (negative: expired).
        public var remainingSeconds: Double
    }

    /// Takes the lease when it is free, expired, or already this holder's (a daemon started again
    /// in the same place: the old process is gone, the state directory's lock says so); the new
    /// epoch, or nil when another daemon holds it. Taking it fences every later write by it.
    public func acquireLease(holder: String, seconds: Double, onLost: @escaping @Sendable (String) -> Void) throws -> Int64? {
        let epoch: Int64? = try session { s in
            try s.rows("""
                UPDATE lease SET holder = ?, epoch = epoch + 1, expiresAt = extract(epoch from clock_timestamp())::double precision + ?
                WHERE singleton = 1 AND (expiresAt < extract(epoch from clock_timestamp())::double precision OR holder = ?)
                RETURNING epoch
                """, [holder, seconds, holder]).first?["epoch"]
        }
        if let epoch { fence(by: epoch, onLost: onLost) }
        return epoch
    }

    /// Extends the lease of `epoch` by `seconds` from now; false when it has passed on.
    public func renewLease(epoch: Int64, seconds: Double) throws -> Bool {
        try session { s in
            try s.execute("UPDATE lease SET expiresAt = extract(epoch from clock_timestamp())::double precision + ? WHERE singleton = 1 AND epoch = ?",
                          [seconds, epoch]) == 1
        }
    }

    /// Gives the lease up at once (a graceful stop), so that a standby need not wait for it to expire.
    public func releaseLease(epoch: Int64) throws {
        try session { s in
            try s.execute("UPDATE lease SET expiresAt = 0 WHERE singleton = 1 AND epoch = ?", [epoch])
        }
    }

    public func lease() throws -> Lease {
        try session { s in
            guard let row = try s.rows("""
                SELECT holder, epoch, expiresAt - extract(epoch from clock_timestamp())::double precision AS remaining FROM lease WHERE singleton = 1
                """).first else { throw StoreError.corrupt(path: settings.description, cause: "the store has no lease row") }
            return Lease(holder: row["holder"], epoch: row["epoch"], remainingSeconds: row["remaining"])
        }
    }
}
