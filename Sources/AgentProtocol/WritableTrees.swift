extension RunRequest {
    /// The directory trees the run may write in, ready to be mounted writable over a read-only
    /// root: absolute and normalized, outermost first, none inside another (a tree mounted with
    /// its parent is already writable), and never `/` itself (that would undo the read-only root).
    public var writableTrees: [String] {
        let asked = writablePaths ?? [directory] + (environment["HOME"].map { [$0] } ?? [])
        let normalized = Set(asked.prefix(Self.maxWritablePaths).compactMap(Self.normalized))
        let outermostFirst = normalized.sorted { ($0.count, $0) < ($1.count, $1) }
        var trees: [String] = []
        for path in outermostFirst where !trees.contains(where: { path.hasPrefix($0 + "/") }) {
            trees.append(path)
        }
        return trees
    }

    /// `path` without `.`, empty components and a trailing slash; nil for a relative path, for
    /// one with `..` (it could name something else than it seems), and for `/`.
    static func normalized(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.isEmpty, !parts.contains("..") else { return nil }
        return "/" + parts.joined(separator: "/")
    }
}
