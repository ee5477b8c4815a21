import Foundation

/// User names for uids, as `condor_q` and `qstat` show owners: looked up once per uid in the
/// password database; a uid without an entry stays a number, as `ls -l` shows it.
struct OwnerNames {
    private var cache: [UInt32: String?] = [:]

    mutating func name(of uid: UInt32) -> String? {
        if let known = cache[uid] { return known }
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let name = getpwuid_r(uid_t(uid), &pwd, &buffer, buffer.count, &result) == 0 && result != nil
            ? String(cString: pwd.pw_name) : nil
        cache[uid] = name
        return name
    }
}
