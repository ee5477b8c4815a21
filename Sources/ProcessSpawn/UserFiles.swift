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
