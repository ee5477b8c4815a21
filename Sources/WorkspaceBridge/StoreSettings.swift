/// `[store]`: where the store is and how long it keeps what is over.
public struct StoreSettings: Codable, Sendable, Equatable {
    /// Finished jobs (done, failed, cancelled) with their events, and submit keys, are removed
    /// this many days after they ended, a small batch at a time.
    public var keepFinishedDays: Double = 7
    /// A PostgreSQL server the daemon keeps its state in (`postgresql://user[:password]@host[:port]/database`,
    /// or `postgresql:///database?host=/run/postgresql` for its Unix socket); nil: SQLite in the
    /// state directory.
    public var url: String?

    public init() {}

    func validate() throws(ConfigError) {
        guard keepFinishedDays > 0, keepFinishedDays <= 36_500 else {
            throw ConfigError(key: "store.keep_finished_days", message: "must be more than 0 and at most 36500")
        }
        if let url, !(url.hasPrefix("postgresql://") || url.hasPrefix("postgres://")) || url.utf8.count > 4096 {
            throw ConfigError(key: "store.url", message: "expected postgresql://user@host:port/database")
        }
    }
}
