import WorkspaceBridge

/// How a guest reaches the host directories of its class (`binds`): a libvirt `<filesystem>`
/// per directory, mounted by the guest's `/init` at the same path as on the host.
public enum SharedFilesystemKind: String, Sendable, CaseIterable {
    /// virtio-fs: `virtiofsd` (shipped with Debian's QEMU) serves the directory through shared
    /// guest memory; the host kernel checks every access with the caller's uid and groups.
    /// QEMU/KVM only. Needs the guest kernel's `virtiofs` module, which Debian's cloud kernel has.
    case virtiofs
    /// 9p (VirtFS), passthrough security model: files keep their host owners. The transport is
    /// virtio under QEMU/KVM and Xen's 9pfs front end under Xen. Needs a guest kernel with 9p
    /// (Debian's generic kernel; the cloud kernel has none).
    case ninep = "9p"
}

/// One host directory offered to a guest: its `<filesystem>` mount tag and where it goes.
public struct GuestShare: Sendable, Equatable {
    public var directory: SharedDirectory
    /// The mount tag the guest looks for (`wsbridge0`, `wsbridge1` ...): short enough for
    /// every transport, whatever the path.
    public var tag: String

    /// The kernel command line argument that tells the guest's `/init` where to mount it:
    /// `wsbridge.share=TAG:PATH:rw|ro` (paths hold no `:` and no blank, see `GuestShares.check`).
    public var commandLineArgument: String {
        "wsbridge.share=\(tag):\(directory.path):\(directory.writable ? "rw" : "ro")"
    }
}

/// The shares of a class and their checks.
public enum GuestShares {
    /// At most this many shared directories per class: tags and command line stay small.
    public static let maxShares = 16
    /// x86 Linux truncates a longer kernel command line (`COMMAND_LINE_SIZE`).
    public static let maxCommandLineBytes = 2047

    /// The shares of `binds`, each with its tag, outer directories before those inside them
    /// (the guest mounts them in this order).
    public static func plan(_ binds: [SharedDirectory]) -> [GuestShare] {
        binds.enumerated().sorted { ($0.element.path.count, $0.offset) < ($1.element.path.count, $1.offset) }
            .enumerated().map { GuestShare(directory: $1.element, tag: "wsbridge\($0)") }
    }

    /// The command line arguments for `shares` over `kind`: the file system and one argument per
    /// share; nothing without shares.
    public static func commandLine(_ shares: [GuestShare], kind: SharedFilesystemKind) -> String {
        guard !shares.isEmpty else { return "" }
        return (["wsbridge.sharefs=\(kind.rawValue)"] + shares.map(\.commandLineArgument)).joined(separator: " ")
    }

    /// Why a class cannot share `binds` with its guests, if it cannot.
    /// - Parameters:
    ///   - remote: whether one of the class's hosts is another machine (its guests cannot see
    ///     this host's directories).
    public static func check(_ binds: [SharedDirectory], kind: SharedFilesystemKind, guest: GuestKind,
                             remote: Bool, warmMode: WarmMode) -> String? {
        guard !binds.isEmpty else { return nil }
        if remote {
            return "a class with a remote libvirt host cannot share this host's directories; drop binds (files are staged instead) or use local URIs only"
        }
        if binds.count > maxShares { return "at most \(maxShares) shared directories, not \(binds.count)" }
        if guest.isXen && kind == .virtiofs {
            return "Xen guests share directories through 9p only: set shared_fs = \"9p\" (or leave it unset)"
        }
        if warmMode == .saved {
            // QEMU blocks saving (migration) of a guest with virtio-fs or a mounted 9p export.
            return "a guest with shared directories cannot be saved: use warm_mode \"paused\" or \"running\""
        }
        if let d = binds.first(where: { $0.path.unicodeScalars.contains(where: unfit) }) {
            return "\"\(d.path)\" cannot be passed on the guest's kernel command line (no blanks, quotes, backslashes or control characters)"
        }
        if let d = binds.first(where: { share in
            guestOwned.contains(share.path) || ["/proc/", "/sys/", "/dev/"].contains { share.path.hasPrefix($0) }
        }) {
            return "\"\(d.path)\" belongs to the guest's own system and cannot be shared over it"
        }
        return nil
    }

    /// Directories the guest's init and agent live in or mount themselves.
    static let guestOwned: Set<String> = ["/", "/bin", "/sbin", "/lib", "/usr", "/usr/bin", "/etc", "/dev", "/proc", "/sys",
                                          "/run", "/tmp", "/var", "/var/lib", "/var/lib/wsbridge-agent"]

    private static func unfit(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || c.value < 0x20 || c.value == 0x7F || c == "\"" || c == "'" || c == "\\"
    }
}
