/// `[store]`: where the store is and how long it keeps what is over.
public struct StoreSettings: Codable, Sendable, Equatable {
    /// Finished jobs (done, failed, cancelled) with their events, and submit keys, are removed
    /// this many days after they ended, a small batch at a time.
    public var keepFinishedDays: Double = 7
    /// A PostgreSQL server the daemon keeps its state in (`postgresql://user[:password]@host[:port]/database`,
    /// or `postgresql:///database?host=/run/postgresql` for its Unix socket); nil: SQLite in the
    /// state directory.
    public var url: String?
    /// With a PostgreSQL store that several daemons share: the longest a standby waits after the
    /// active daemon died or lost the database before it takes over. The active daemon holds a
    /// lease of two thirds of this and renews it four times as often.
    public var failoverSeconds: Double = 15

    /// How long the lease lasts, and how often it is renewed.
    public var leaseSeconds: Double { failoverSeconds * 2 / 3 }
    public var leaseRenewalSeconds: Double { leaseSeconds / 4 }

    public init() {}

    func validate() throws(ConfigError) {
        guard keepFinishedDays > 0, keepFinishedDays <= 36_500 else {
            throw ConfigError(key: "store.keep_finished_days", message: "must be more than 0 and at most 36500")
        }
        guard failoverSeconds >= 3, failoverSeconds <= 3600 else {
            throw ConfigError(key: "store.failover_seconds", message: "must be between 3 and 3600")
        }
        if let url, !(url.hasPrefix("postgresql://") || url.hasPrefix("postgres://")) || url.utf8.count > 4096 {
            throw ConfigError(key: "store.url", message: "expected postgresql://user@host:port/database")
        }
    }
}
