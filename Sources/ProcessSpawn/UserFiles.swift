import CSpawn
import Glibc

public enum UserFiles {
    /// Appends text to a file with the rights of `uid`/`gid` (when we are root), never following
    /// a symlink: a user's log is written as that user would.
    public static func append(_ text: String, to path: String, uid: UInt32, gid: UInt32) throws(SpawnFailure) {
        var bytes = Array(text.utf8)
        if ws_append_as(uid_t(uid), gid_t(gid), path, &bytes, bytes.count) != 0 {
            throw SpawnFailure(message: "cannot append to \(path): \(String(cString: strerror(errno)))")
        }
    }
}

extension UserFiles {
    /// Writes bytes to a file with the rights of `uid`/`gid` (when we are root), never following a
    /// symlink; `truncate` starts the file afresh, otherwise the bytes are appended.
    public static func write(_ bytes: [UInt8], to path: String, uid: UInt32, gid: UInt32, groups: [UInt32]? = nil,
                             truncate: Bool) throws(SpawnFailure) {
        let flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND)
        // With the groups, the user's whole identity; without, the file-system uid and gid only.
        let fd = groups.map { openAs(path, flags: flags, uid: uid, gid: gid, groups: $0) }
            ?? asUser(uid, gid) { open(path, flags, 0o644) }
        if fd < 0 { throw SpawnFailure(message: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let failure = bytes.withUnsafeBytes { raw -> SpawnFailure? in
            do throws(SpawnFailure) { try writeAll(fd, raw, path: path) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Writes every byte to an open descriptor, through short writes and interruptions.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SpawnFailure) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SpawnFailure(message: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads at most `limit` bytes of a file with the rights of `uid`/`gid`; a longer file is an
    /// error rather than silently cut.
    public static func read(_ path: String, uid: UInt32, gid: UInt32, limit: Int) throws(SpawnFailure) -> [UInt8] {
        let fd = asUser(uid, gid) { open(path, O_RDONLY | O_CLOEXEC) }
        if fd < 0 { throw SpawnFailure(message: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpawnFailure(message: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return out }
            out += buf[0..<n]
            if out.count > limit { throw SpawnFailure(message: "\(path) is larger than \(limit >> 20) MiB") }
        }
    }

    /// Opens with the file-system ids of the user (per thread, and restored before returning).
    private static func asUser(_ uid: UInt32, _ gid: UInt32, _ body: () -> Int32) -> Int32 {
        guard geteuid() == 0 else { return body() }
        // Never fall back to root's rights.
        guard let setfsuid = FSID.setfsuid, let setfsgid = FSID.setfsgid else { errno = ENOSYS; return -1 }
        let oldGid = setfsgid(gid_t(gid))
        let oldUid = setfsuid(uid_t(uid))
        let fd = body()
        let saved = errno
        _ = setfsuid(uid_t(oldUid))
        _ = setfsgid(gid_t(oldGid))
        errno = saved
        return fd
    }
}

/// glibc's setfsuid/setfsgid (`<sys/fsuid.h>` is not in the Glibc module): unlike setuid they
/// change only the calling thread's file-system ids, so the daemon's other threads keep theirs.
private enum FSID {
    typealias Setter = @convention(c) (UInt32) -> Int32
    static let setfsuid: Setter? = lookup("setfsuid")
    static let setfsgid: Setter? = lookup("setfsgid")
    static func lookup(_ name: String) -> Setter? {
        guard let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, name) else { return nil }
        return unsafeBitCast(sym, to: Setter.self)
    }
}

extension UserFiles {
    /// Opens a file with the user's whole identity (uid, gid, supplementary groups), on this
    /// thread only; see `ws_open_as`. Returns the descriptor or -1 with errno set.
    public static func openAs(_ path: String, flags: Int32, mode: mode_t = 0o644, uid: UInt32, gid: UInt32, groups: [UInt32]) -> Int32 {
        let list = groups.prefix(256).map { gid_t($0) }
        return list.withUnsafeBufferPointer { ws_open_as(uid_t(uid), gid_t(gid), $0.baseAddress, $0.count, path, flags, mode) }
    }
}

extension UserFiles {
    /// A user's whole identity, for the operations below.
    public struct Owner: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        public var groups: [UInt32]
        public init(uid: UInt32, gid: UInt32, groups: [UInt32]) {
            self.uid = uid
            self.gid = gid
            self.groups = groups
        }
    }

    /// Creates a directory as the user; an existing directory is no error.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755, as o: Owner) throws(SpawnFailure) {
        if pathOp(WS_PATH_MKDIR, path, nil, mode, o) != 0 && errno != EEXIST {
            throw SpawnFailure(message: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates the directories of `relative` under `base` as the user (`a/b/c` makes `base/a`, `base/a/b`).
    public static func makeParents(of relative: [Substring], under base: String, as o: Owner) throws(SpawnFailure) {
        var path = base
        for part in relative.dropLast() {
            path += "/" + part
            try makeDirectory(path, as: o)
        }
    }

    /// Renames as the user: a finished file appears under its name at once, whole.
    public static func rename(_ from: String, to: String, as o: Owner) throws(SpawnFailure) {
        if pathOp(WS_PATH_RENAME, from, to, 0, o) != 0 {
            throw SpawnFailure(message: "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    public static func remove(_ path: String, as o: Owner) {
        _ = pathOp(WS_PATH_UNLINK, path, nil, 0, o)
    }

    /// Opens as the user (whole identity).
    public static func openFile(_ path: String, flags: Int32, mode: mode_t = 0o644, as o: Owner) -> Int32 {
        openAs(path, flags: flags, mode: mode, uid: o.uid, gid: o.gid, groups: o.groups)
    }

    private static func pathOp(_ op: Int, _ path: String, _ target: String?, _ mode: mode_t, _ o: Owner) -> Int32 {
        let list = o.groups.prefix(256).map { gid_t($0) }
        return list.withUnsafeBufferPointer { groups in
            ws_path_op_as(uid_t(o.uid), gid_t(o.gid), groups.baseAddress, groups.count, Int32(op), path, target, mode)
        }
    }
}
