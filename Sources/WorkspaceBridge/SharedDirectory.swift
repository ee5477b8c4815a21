/// A host directory that a class's workspaces see at the same path (`binds` in a `[[class]]`):
/// for local sandboxes a bind mount over the read-only host root, for guests a shared file system
/// (virtio-fs or 9p). Files under it cross into the workspace without staging.
public struct SharedDirectory: Codable, Sendable, Equatable {
    /// Absolute, without `.`/`..` components or a trailing slash.
    public var path: String
    public var writable: Bool

    public init(path: String, writable: Bool) {
        self.path = path
        self.writable = writable
    }

    /// Parses `"/path"`, `"/path:ro"` or `"/path:rw"` (read-only unless `:rw`).
    public init(parsing text: String) throws(ConfigError) {
        var path = Substring(text), writable = false
        if text.hasSuffix(":rw") || text.hasSuffix(":ro") {
            writable = text.hasSuffix(":rw")
            path = path.dropLast(3)
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard path.hasPrefix("/"), !parts.contains(where: { $0 == "." || $0 == ".." }),
              !path.contains(where: { $0 == ":" || $0 == "," || $0.isNewline || $0 == "\0" }) else {
            throw ConfigError(key: "binds", message: "\"\(text)\" is not an absolute path with an optional :ro or :rw")
        }
        self.path = "/" + parts.joined(separator: "/")
        self.writable = writable
    }

    /// Whether `hostPath` (absolute, normalized) is this directory or lies under it.
    public func contains(_ hostPath: String) -> Bool {
        path == "/" || hostPath == path || hostPath.hasPrefix(path + "/")
    }
}

extension Sequence where Element == SharedDirectory {
    /// The innermost shared directory holding `hostPath`, if any.
    public func holding(_ hostPath: String) -> SharedDirectory? {
        filter { $0.contains(hostPath) }.max { $0.path.count < $1.path.count }
    }
}
