import AgentProtocol
import Foundation
import WorkspaceBridge

/// Content digests (SHA-256, lowercase hex) of what workspaces are made from: single files,
/// directory trees, and one digest over named parts (a guest's kernel, initramfs, disk and
/// command line). A file's digest is remembered by its identity (device, inode, size, change
/// and modification times), so that a reload does not read unchanged gigabytes again.
public enum ImageDigest {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "image \(path): \(message)" }
    }

    /// Most entries of a directory tree taken as an image: a tree larger than a root file system
    /// is a wrong path (`/`), not an image.
    public static let maxTreeEntries = 500_000

    /// One digest over named parts, in the order given: `name=value` lines.
    public static func combine(_ parts: [(String, String)]) -> String {
        var h = SHA256()
        for (name, value) in parts { h.update(Array("\(name)=\(value)\n".utf8)) }
        return h.finish()
    }

    /// Whether `text` is a digest as the store keeps it.
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The digest of a regular file's content.
    public static func file(_ path: String) throws(Failure) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { throw Failure(path: path, message: String(cString: strerror(errno))) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw Failure(path: path, message: "not a regular file") }
        let key = identity(path, st)
        if let known = Memo.shared.get(key) { return known }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw Failure(path: path, message: String(cString: strerror(errno))) }
        defer { close(fd) }
        var h = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, message: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        }
        let digest = h.finish()
        // Changed while it was read: the digest names no content that ever was; not remembered.
        var after = stat()
        if fstat(fd, &after) == 0, identity(path, after) == key { Memo.shared.set(key, digest) }
        return digest
    }

    /// The digest of a file or of a directory tree: every entry's relative path, type and mode,
    /// a file's content digest, a symbolic link's target, in sorted order. Links inside the tree
    /// are not followed (a link out of it is recorded as a link); the root is (a site that
    /// switches `/opt/sw` from one version's directory to another's changes the image).
    public static func tree(_ root: String) throws(Failure) -> String {
        var st = stat()
        guard stat(root, &st) == 0 else { throw Failure(path: root, message: String(cString: strerror(errno))) }
        if st.st_mode & S_IFMT == S_IFREG { return try file(root) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure(path: root, message: "neither a file nor a directory") }
        var parts: [(String, String)] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let dir = relative.isEmpty ? root : root + "/" + relative
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted() } catch {
                throw Failure(path: dir, message: "\(error)")
            }
            for name in names {
                let rel = relative.isEmpty ? name : relative + "/" + name
                let path = root + "/" + rel
                guard lstat(path, &st) == 0 else { throw Failure(path: path, message: String(cString: strerror(errno))) }
                let mode = String(st.st_mode & 0o7777, radix: 8)
                switch st.st_mode & S_IFMT {
                case S_IFREG: parts.append((rel, "file \(mode) \(try file(path))"))
                case S_IFDIR:
                    parts.append((rel, "dir \(mode)"))
                    pending.append(rel)
                case S_IFLNK:
                    let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
                    parts.append((rel, "link \(target)"))
                default: parts.append((rel, "other \(mode)"))
                }
                if parts.count > maxTreeEntries {
                    throw Failure(path: root, message: "more than \(maxTreeEntries) entries: not an image directory")
                }
            }
        }
        return combine(parts.sorted { $0.0 < $1.0 })
    }

    static func identity(_ path: String, _ st: stat) -> String {
        "\(path)|\(st.st_dev)|\(st.st_ino)|\(st.st_size)|\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }

    /// Digests already computed in this process, by file identity.
    private final class Memo: @unchecked Sendable {
        static let shared = Memo()
        private let lock = NSLock()
        private var digests: [String: String] = [:]
        func get(_ key: String) -> String? { lock.withLock { digests[key] } }
        func set(_ key: String, _ value: String) {
            lock.withLock {
                // Bounded: a tree of many small files must not grow the daemon without end.
                if digests.count >= 1_000_000 { digests.removeAll() }
                digests[key] = value
            }
        }
    }
}
