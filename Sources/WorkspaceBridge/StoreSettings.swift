/// `[store]`: how long the store keeps what is over.
public struct StoreSettings: Codable, Sendable, Equatable {
    /// Finished jobs (done, failed, cancelled) with their events, and submit keys, are removed
    /// this many days after they ended, a small batch at a time.
    public var keepFinishedDays: Double = 7

    public init() {}

    func validate() throws(ConfigError) {
        guard keepFinishedDays > 0, keepFinishedDays <= 36_500 else {
            throw ConfigError(key: "store.keep_finished_days", message: "must be more than 0 and at most 36500")
        }
    }
}
