/// A write a state change owes the outside world: a line of a GRAM SEG day file, an event of an
/// HTCondor user log, an accounting record. It is stored in the transaction of the change it
/// describes and delivered afterwards, at least once, by the daemon's outbox writer, which makes
/// a repeated delivery of the same bytes to the same file a no-op. A crash between the commit and
/// the write therefore loses nothing and doubles nothing.
public struct SideEffect: Codable, Sendable, Equatable {
    /// How the text reaches its file.
    public enum Kind: String, Codable, Sendable {
        /// Appended to the file (made if missing).
        case append
        /// The whole file, new: written beside it and renamed into place, so that a reader
        /// watching the directory (an APEL sender) never sees it half-written.
        case file
    }

    /// The file.
    public var path: String
    /// Written with this user's rights (a user's own log); nil: with the daemon's (site files
    /// such as the SEG day files).
    public var owner: UInt32?
    /// What to write; empty only makes sure the file exists.
    public var text: String
    public var kind: Kind
    /// The permissions a file made by the delivery gets (0644 when nil).
    public var mode: Int?

    public init(path: String, owner: UInt32?, text: String, kind: Kind = .append, mode: Int? = nil) {
        self.path = path
        self.owner = owner
        self.text = text
        self.kind = kind
        self.mode = mode
    }
}
