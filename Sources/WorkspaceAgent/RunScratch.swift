import AgentProtocol
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The workspace's size-limited scratch disk (a file system its provider mounted for it), from
/// which each run gets its private `/tmp`, `/dev/shm` and `/var/tmp`. The disk is shared by the
/// workspace's runs, so one run filling it is told from the disk itself, whatever the job did
/// with the error it got.
struct RunScratch: Sendable {
    /// Where the disk is mounted; only root can reach it (the provider made it so).
    let mountPoint: String
    /// The class's `disk_mb`, for the reason a run is given.
    let diskMB: Int

    /// The disk counts as full below this much room: ext4 refuses a write some way short of its
    /// last free block (room kept for the metadata of writes under way: measured, a 16 MB disk
    /// filled by `dd bs=1M` still reports 419 KiB available), so a job that met the limit never
    /// leaves it at zero. 1/64 of the disk, and at least 1 MiB.
    static func fullBelowBytes(total: UInt64) -> UInt64 { max(1 << 20, total / 64) }

    var reason: String { "disk limit of \(diskMB) MB reached" }

    func directory(of key: RunKey) -> String { "\(mountPoint)/runs/\(key.job).\(key.attempt)" }

    /// Makes the run's directories, empty: world-writable and sticky as a `/tmp` is, and seen by
    /// this run only (each is bound into the run's own mount namespace).
    func make(for key: RunKey) throws -> String {
        let dir = directory(of: key)
        remove(for: key)
        for (path, mode) in [("\(mountPoint)/runs", 0o700), (dir, 0o755)] as [(String, mode_t)] {
            if mkdir(path, mode) != 0 && errno != EEXIST { throw ScratchError(path: path, errno: errno) }
        }
        for sub in SpawnRequest.scratchSubdirectories {
            let path = dir + "/" + sub
            guard mkdir(path, 0o700) == 0, chmod(path, 0o1777) == 0 else { throw ScratchError(path: path, errno: errno) }
        }
        return dir
    }

    /// Removes what the run left on the disk (the space goes back to the workspace's next runs).
    func remove(for key: RunKey) {
        try? FileManager.default.removeItem(atPath: directory(of: key))
    }

    /// Removes every run's directories (an agent starting again: none of its runs is left).
    func removeAll() {
        try? FileManager.default.removeItem(atPath: "\(mountPoint)/runs")
    }

    /// Whether the disk has (next to) no room or no inode left.
    func isFull() -> Bool {
        var s = statvfs()
        guard statvfs(mountPoint, &s) == 0 else { return false }
        let total = UInt64(s.f_blocks) * UInt64(s.f_frsize)
        return UInt64(s.f_bavail) * UInt64(s.f_frsize) < Self.fullBelowBytes(total: total) || (s.f_files > 0 && s.f_favail == 0)
    }
}

struct ScratchError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "cannot make \(path) on the scratch disk: \(String(cString: strerror(errno)))" }
}
