/// Which store a job id belongs to.
///
/// Job ids count from 1 in every new store, so an id alone does not name a job once a store has
/// been reset: a front door that hands ids to another system which outlives the store (GRAM job
/// managers replay the day's SEG file and poll by id) pairs each id with the store's identity.
public struct StoreIdentity: Codable, Sendable, Equatable {
    /// A random UUID (lower case), made once when the store was created and never changed.
    public var id: String
    /// Jobs up to this id were recorded before the store had an identity (by an earlier wsbridge
    /// that handed out plain ids): they keep their plain ids. 0 for a store made with one.
    public var legacyJobIDsUpTo: JobID

    public init(id: String, legacyJobIDsUpTo: JobID = 0) {
        self.id = id
        self.legacyJobIDsUpTo = legacyJobIDsUpTo
    }

    /// True for a job whose id went out without the store's identity.
    public func isLegacy(_ job: JobID) -> Bool { job <= legacyJobIDsUpTo }
}
