import Foundation

/// A unix user as the daemon needs it to run jobs in their name.
public struct Identity: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var name: String
    public var home: String
    public var groups: [UInt32]

    /// Looks up a uid in the password and group databases.
    public static func lookup(uid: UInt32) -> Identity? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid_t(uid), &pwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        let name = String(cString: pwd.pw_name)
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(pwd.pw_name, pwd.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(pwd.pw_name, pwd.pw_gid, &groups, &count)
        }
        return Identity(uid: uid, gid: UInt32(pwd.pw_gid), name: name, home: String(cString: pwd.pw_dir),
                        groups: groups.prefix(Int(count)).map { UInt32($0) })
    }

    /// Looks up a user by name.
    public static func lookup(name: String) -> Identity? {
        guard let pw = getpwnam(name) else { return nil }
        return lookup(uid: UInt32(pw.pointee.pw_uid))
    }

    /// Members of a named group (by their user names), for the admin group.
    public static func isMember(uid: UInt32, ofGroup group: String) -> Bool {
        guard let id = lookup(uid: uid), let g = getgrnam(group) else { return false }
        return id.groups.contains(UInt32(g.pointee.gr_gid))
    }
}

/// File-permission checks made on behalf of a job's owner, before the job is accepted, so that a
/// missing executable or an unwritable output fails the submit with a clear message.
struct OwnerAccess {
    let identity: Identity

    enum Mode { case read, write, execute }

    func can(_ mode: Mode, _ path: String) -> Bool {
        guard let st = ownerStat(path) else { return false }
        return allows(mode, st)
    }

    func exists(_ path: String) -> Bool { ownerStat(path) != nil }

    func isDirectory(_ path: String) -> Bool { ownerStat(path).map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false }

    func isRegularFile(_ path: String) -> Bool { ownerStat(path).map { ($0.st_mode & S_IFMT) == S_IFREG } ?? false }

    /// `stat` as the owner's own would answer: nothing when a directory on the way is not
    /// searchable by the owner (their stat fails with EACCES: fork.pm's `-e`, run as the user,
    /// says "does not exist"), though the daemon, as root, can see the file.
    private func ownerStat(_ path: String) -> stat? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        if identity.uid != 0, path.hasPrefix("/") {
            var dir = (path as NSString).deletingLastPathComponent
            while true {
                var d = stat()
                guard stat(dir, &d) == 0, allows(.execute, d) else { return nil }
                if dir == "/" { break }
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
        return st
    }

    private func allows(_ mode: Mode, _ st: stat) -> Bool {
        if identity.uid == 0 { return mode != .execute || st.st_mode & 0o111 != 0 }
        let bits: mode_t = switch mode { case .read: 4; case .write: 2; case .execute: 1 }
        if st.st_uid == identity.uid { return st.st_mode & (bits << 6) != 0 }
        if identity.groups.contains(UInt32(st.st_gid)) || st.st_gid == identity.gid { return st.st_mode & (bits << 3) != 0 }
        return st.st_mode & bits != 0
    }
}
