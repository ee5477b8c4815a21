import Foundation
import WorkspaceBridge

/// A local workspace's disk of `disk_mb`: a file of that size in the workspace's directory,
/// formatted ext4 and loop-mounted there, made and removed with the workspace. Each run's
/// `/tmp`, `/dev/shm` and `/var/tmp` are directories on it (the agent makes them), so what a job
/// writes outside its own directory and its owner's home fills this disk, not the host's.
///
/// The file is allocated in full up front: a sparse one would let many workspaces promise more
/// than the host has, and a job would then fill the host's file system after all.
public struct ScratchDisk: Sendable {
    let mkfs: HostTool
    let mount: HostTool

    /// The tools, or why a scratch disk cannot be made on this host.
    public static func detect() -> Result<ScratchDisk, ScratchDiskUnavailable> {
        if geteuid() != 0 { return .failure(.init(reason: "only root can mount a workspace's disk")) }
        if access("/dev/loop-control", F_OK) != 0 { return .failure(.init(reason: "no loop devices (/dev/loop-control is missing)")) }
        guard let mkfs = HostTool.find(["/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4"]) else {
            return .failure(.init(reason: "mkfs.ext4 is not installed (e2fsprogs)"))
        }
        guard let mount = HostTool.find(["/usr/bin/mount", "/bin/mount"]) else {
            return .failure(.init(reason: "mount is not installed (util-linux)"))
        }
        return .success(ScratchDisk(mkfs: mkfs, mount: mount))
    }

    static func image(in workspaceDirectory: String) -> String { workspaceDirectory + "/scratch.img" }
    /// Where the disk is mounted: inside the workspace's root-only directory, so no user reaches
    /// any run's files through it.
    public static func mountPoint(in workspaceDirectory: String) -> String { workspaceDirectory + "/scratch" }

    /// Makes and mounts the disk; on failure leaves nothing behind.
    public func create(in workspaceDirectory: String, sizeMB: Int) throws -> String {
        let image = Self.image(in: workspaceDirectory)
        let mountPoint = Self.mountPoint(in: workspaceDirectory)
        do {
            try allocate(image, bytes: Int64(sizeMB) << 20, sizeMB: sizeMB)
            // No journal and no blocks kept for root: the disk lives as long as its workspace,
            // and every block of `disk_mb` is the jobs'. No discard: on a loop device it would
            // punch the allocation back out of the file.
            try mkfs.run(["-q", "-F", "-m", "0", "-O", "^has_journal", "-E", "nodiscard", "-L", "wsbridge-scratch", image])
            guard mkdir(mountPoint, 0o700) == 0 || errno == EEXIST else { throw ScratchDiskError("cannot make \(mountPoint): \(String(cString: strerror(errno)))") }
            // A loop device set up by mount is freed by the kernel when the last mount of it goes
            // (autoclear), in whichever mount namespace that happens.
            try mount.run(["-t", "ext4", "-o", "loop,nosuid,nodev", image, mountPoint])
            guard chmod(mountPoint, 0o700) == 0 else { throw ScratchDiskError("cannot restrict \(mountPoint): \(String(cString: strerror(errno)))") }
        } catch {
            Self.remove(in: workspaceDirectory)
            if let e = error as? ScratchDiskError { throw e }
            throw ScratchDiskError("cannot make the \(sizeMB) MB disk: \(error)")
        }
        return mountPoint
    }

    private func allocate(_ path: String, bytes: Int64, sizeMB: Int) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw ScratchDiskError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let rc = posix_fallocate(fd, 0, off_t(bytes))
        if rc == ENOSPC || rc == EFBIG {
            throw ScratchDiskError("the host's file system has no room for a \(sizeMB) MB disk (disk_mb)")
        }
        guard rc == 0 else { throw ScratchDiskError("cannot allocate \(path): \(String(cString: strerror(rc)))") }
    }

    /// Unmounts (lazily: a run's mount namespace may hold it a moment longer) and deletes the
    /// disk; quiet when there is none. Never fails: a disk left by a crash must not stop the
    /// daemon from starting.
    public static func remove(in workspaceDirectory: String) {
        let mountPoint = mountPoint(in: workspaceDirectory)
        while umount2(mountPoint, Int32(MNT_DETACH)) == 0 {}
        rmdir(mountPoint)
        unlink(image(in: workspaceDirectory))
    }

    /// The enforcement entry of a workspace with this disk.
    static func enforcement(sizeMB: Int) -> Enforcement {
        Enforcement(control: "disk", mechanism: "loop-mounted ext4", effective: true,
                    detail: "\(sizeMB) MB for the workspace's runs' /tmp, /var/tmp and /dev/shm")
    }
}

/// Why no scratch disk can be made on this host.
public struct ScratchDiskUnavailable: Error, Sendable {
    public var reason: String
}

struct ScratchDiskError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
