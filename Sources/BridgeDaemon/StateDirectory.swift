import Foundation

/// The daemon's state directory holds every job's spec (environment values included): only root
/// may read what is in it. Others may only pass through it to the API socket. The providers keep
/// their own directories in it private themselves.
///
/// Modes are set file by file rather than with a process-wide umask, which the local agents and,
/// through them, the jobs would inherit (a job's own output files keep the user's usual modes).
enum StateDirectory {
    /// Files that hold job data, created 0600 if missing and brought to 0600 if they exist (a
    /// store made by an earlier version was 0644). SQLite gives its `-wal` and `-shm` files the
    /// mode of the database file.
    static let privateFiles = ["wsbridge.sqlite", "wsbridge.sqlite-wal", "wsbridge.sqlite-shm", "agents.journal", "daemon.lock"]

    static func secure(_ dir: String) throws {
        guard chmod(dir, 0o711) == 0 else { throw DaemonError.setup("cannot set the mode of \(dir): \(String(cString: strerror(errno)))") }
        for name in privateFiles {
            let path = dir + "/" + name
            if name == "wsbridge.sqlite" || name == "agents.journal" {
                let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
                if fd >= 0 { close(fd) }
            }
            if access(path, F_OK) == 0 && chmod(path, 0o600) != 0 {
                throw DaemonError.setup("cannot make \(path) private: \(String(cString: strerror(errno)))")
            }
        }
    }
}
