/// A write a front door owes the outside world for one state change: a line of a GRAM SEG day
/// file, an event of an HTCondor user log. It is stored in the transaction of the change it
/// describes and delivered afterwards, at least once, by the daemon's outbox writer, which makes
/// a repeated delivery of the same bytes to the same file a no-op. A crash between the commit and
/// the write therefore loses nothing and doubles nothing.
public struct SideEffect: Codable, Sendable, Equatable {
    /// The file, appended to.
    public var path: String
    /// Written with this user's rights (a user's own log); nil: with the daemon's (site files
    /// such as the SEG day files).
    public var owner: UInt32?
    /// What to append; empty only makes sure the file exists.
    public var text: String

    public init(path: String, owner: UInt32?, text: String) {
        self.path = path
        self.owner = owner
        self.text = text
    }
}
