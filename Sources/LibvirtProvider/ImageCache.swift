import Foundation

/// A content-addressed cache of base images, kernels and initramfs files on this host, plus the
/// per-workspace copy-on-write overlays made from them.
///
/// A source file is copied once into the cache under the SHA-256 of its content
/// (`sha256-<hex>`); every workspace then boots from the read-only cached copy (its disk through
/// a qcow2 overlay), so replacing the source file never changes a running guest, and a hundred
/// workspaces of one class cost one copy. Insertion is atomic (copy to a temporary name, then
/// rename) and serialised by a lock file, so concurrent daemons never see half a file.
public struct ImageCache: Sendable {
    /// Where cached copies live.
    public let directory: String

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case missingSource(String)
        case io(String, String)
        case tool(String)
        public var description: String {
            switch self {
            case .missingSource(let p): return "image \(p) does not exist or is not readable"
            case let .io(p, m): return "image cache: \(p): \(m)"
            case .tool(let m): return "image tool failed: \(m)"
            }
        }
    }

    public init(directory: String) {
        self.directory = directory
    }

    /// The cached copy of `source`, inserting it on first use. Returns its path in the cache.
    public func cachedCopy(of source: String) throws(Failure) -> String {
        let fm = FileManager.default
        guard fm.isReadableFile(atPath: source) else { throw .missingSource(source) }
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch { throw .io(directory, "\(error)") }
        let digest = try sha256(of: source)
        let ext = (source as NSString).pathExtension
        let target = (directory as NSString).appendingPathComponent("sha256-\(digest)" + (ext.isEmpty ? "" : ".\(ext)"))
        if fm.fileExists(atPath: target) {
            // A hit refreshes the timestamp: a cache trimmer evicts least recently used first.
            try? fm.setAttributes([.modificationDate: Date()], ofItemAtPath: target)
            return target
        }
        return try insert(copyOf: source, claimed: digest, ext: ext)
    }

    /// Copies `source` into the cache under the digest of what was copied, which is `claimed`
    /// (the source's digest, taken before) unless the source changed meanwhile.
    func insert(copyOf source: String, claimed digest: String, ext: String) throws(Failure) -> String {
        let fm = FileManager.default
        let target = (directory as NSString).appendingPathComponent("sha256-\(digest)" + (ext.isEmpty ? "" : ".\(ext)"))
        var placed = target
        try withLock { () throws(Failure) in
            if fm.fileExists(atPath: target) { return }
            let temp = target + ".partial-\(getpid())"
            try? fm.removeItem(atPath: temp)
            do {
                try fm.copyItem(atPath: source, toPath: temp)
                try fm.setAttributes([.posixPermissions: 0o444], ofItemAtPath: temp)
            } catch {
                try? fm.removeItem(atPath: temp)
                throw Failure.io(target, "\(error)")
            }
            // The copy is named by its own content: a source changed while it was hashed or
            // copied must not leave a file whose name (the workspaces' image digest) lies.
            let copied: String
            do throws(Failure) { copied = try sha256(of: temp) } catch {
                try? fm.removeItem(atPath: temp)
                throw error
            }
            if copied != digest {
                placed = (directory as NSString).appendingPathComponent("sha256-\(copied)" + (ext.isEmpty ? "" : ".\(ext)"))
                if fm.fileExists(atPath: placed) {
                    try? fm.removeItem(atPath: temp)
                    return
                }
            }
            if rename(temp, placed) != 0 {
                let message = String(cString: strerror(errno))
                try? fm.removeItem(atPath: temp)
                throw Failure.io(placed, message)
            }
        }
        return placed
    }

    /// The content digest of a file this cache (or a remote pool, named the same way) holds,
    /// read from its name: `sha256-<hex>[.ext]`.
    public static func digest(ofCached path: String) -> String? {
        let name = (path as NSString).lastPathComponent
        guard name.hasPrefix("sha256-") else { return nil }
        let hex = String(name.dropFirst(7).prefix(64))
        return hex.count == 64 ? hex : nil
    }

    /// Creates a qcow2 overlay at `overlay` whose backing file is `base` (read-only, shared).
    public func createOverlay(base: String, at overlay: String, sizeMB: Int? = nil) throws(Failure) {
        let format = Self.format(of: base)
        var args = ["create", "-q", "-f", "qcow2", "-F", format, "-b", base, overlay]
        if let sizeMB { args.append("\(sizeMB)M") }
        do { try HostCommand.run("qemu-img", args) } catch { throw .tool("\(error)") }
    }

    /// `qcow2` when the file starts with the qcow magic, else `raw`.
    public static func format(of path: String) -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { return "raw" }
        defer { try? h.close() }
        let magic = (try? h.read(upToCount: 4)) ?? Data()
        return magic == Data([0x51, 0x46, 0x49, 0xFB]) ? "qcow2" : "raw"
    }

    /// Lowercase hex SHA-256 of the file's content. Uses coreutils' `sha256sum`: Foundation has no
    /// digest on Linux, and a multi-gigabyte image deserves the optimised implementation.
    public func sha256(of path: String) throws(Failure) -> String {
        // Hashing gigabytes on every create would dominate start-up: remember digests by the
        // file's identity and change time.
        var st = stat()
        let key = stat(path, &st) == 0 ? "\(path)|\(st.st_dev)|\(st.st_ino)|\(st.st_size)|\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)" : nil
        if let key, let known = DigestMemo.shared.get(key) { return known }
        let out: String
        do { out = try HostCommand.run("sha256sum", ["-b", "--", path]) } catch { throw .tool("\(error)") }
        guard let hex = out.split(separator: " ").first, hex.count == 64 else { throw .tool("sha256sum printed \(out)") }
        if let key { DigestMemo.shared.set(key, String(hex)) }
        return String(hex)
    }

    private func withLock(_ body: () throws(Failure) -> Void) throws(Failure) {
        let lockPath = (directory as NSString).appendingPathComponent(".lock")
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(lockPath, String(cString: strerror(errno))) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw .io(lockPath, String(cString: strerror(errno))) }
        defer { flock(fd, LOCK_UN) }
        try body()
    }
}

/// Digests already computed in this process, by file identity.
private final class DigestMemo: @unchecked Sendable {
    static let shared = DigestMemo()
    private let lock = NSLock()
    private var digests: [String: String] = [:]
    func get(_ key: String) -> String? { lock.withLock { digests[key] } }
    func set(_ key: String, _ value: String) { lock.withLock { digests[key] = value } }
}
