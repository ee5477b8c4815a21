import Foundation
import WorkspaceBridge

/// The libvirt part of a workspace class, read from `WorkspaceClass.settings`.
///
/// Keys (snake_case like the rest of the config; the camelCase spelling is accepted too):
/// - `uris` (comma separated) or `uri`: hypervisors, e.g. `"qemu:///system,xen:///system"` or
///   `"qemu+ssh://root@node1/system"`; default `qemu:///system`. On a remote host (a URI naming
///   a host) images are uploaded through libvirt into a storage pool there, and the agent
///   channel is reached through libvirt too: nothing but the libvirt connection is needed.
/// - `storage_pool` (default `wsbridge`), `storage_pool_path` (default `/var/lib/wsbridge/pool`):
///   the directory pool on remote hosts, created at that path when it does not exist.
/// - `domain_type`: `kvm` (default for QEMU URIs), `qemu` (TCG, no hardware virtualisation),
///   `xen` (PV, default for Xen URIs) or `xen-hvm`.
/// - `kernel` (required), `initrd`, `cmdline` (extra kernel arguments).
/// - `image`: base disk image (qcow2 or raw); each workspace gets a qcow2 overlay of it.
/// - `max_memory_mb`: ceiling for growing memory at run time (default: the class memory).
/// - `max_cpus`: ceiling for adding vCPUs at run time (default: the class cpus); the guest is
///   defined with this many, of which `cpus` are present at boot.
/// - `machine`: QEMU machine type (default `q35`: its virtio devices sit on the root bus, and a
///   guest reaches its agent about 0.35 s sooner under TCG than on `pc`; see `DomainXML`).
/// - `bridge` or `network_name`: where the NIC goes when the class has a network (`host` or `shaped`)
///   (default: QEMU user networking; `xenbr0` for Xen).
/// - `bandwidth_kbps`, `inbound_kbps`, `outbound_kbps`: average NIC rates in KiB/s (shaped on
///   bridges and libvirt networks; QEMU user networking cannot be, and says so).
/// - `disk_read_bps`, `disk_write_bps`, `disk_total_bps` (bytes per second, `K`/`M`/`G` suffixes),
///   `disk_read_iops`, `disk_write_iops`, `disk_total_iops`: the guest disk's I/O limits
///   (`DiskIOLimits`, QEMU/KVM only).
/// - `boot_timeout_seconds`: how long `create` waits for the agent channel (default 120).
/// - `shared_fs`: how the class's `binds` reach its guests, `virtiofs` (default for QEMU/KVM:
///   works with Debian's cloud kernel and the virtiofsd that Debian's QEMU ships) or `9p`
///   (default and only choice for Xen; needs a guest kernel with 9p). Refused with `binds` on a
///   remote host, which cannot see this host's directories.
/// - `quick_boot`, `lpj`, `kernel_audit`, `mitigations`, `trust_cpu_rng`, `firmware`: how the
///   guests boot (`GuestBootOptions`).
public struct LibvirtClassSettings: Sendable, Equatable {
    public var uris: [String]
    public var kind: GuestKind
    public var kernel: String
    public var initrd: String?
    public var extraCmdline: String?
    public var image: String?
    public var maxMemoryMB: Int?
    public var maxCPUs: Int?
    public var machine: String
    public var network: DomainSpec.NetworkSource?
    public var bandwidth: DomainSpec.Bandwidth?
    public var diskIO: DiskIOLimits?
    public var bootTimeoutSeconds: Double
    /// How long a live migration (`wsbridge hosts drain`) may take before it is aborted and the
    /// guest stays where it was.
    public var migrationTimeoutSeconds: Double
    public var storagePool: String
    public var storagePoolPath: String
    public var sharedFilesystem: SharedFilesystemKind
    /// The class's `binds`, each with its mount tag, in the order the guest mounts them.
    public var shares: [GuestShare]
    public var boot: GuestBootOptions

    public init(_ workspaceClass: WorkspaceClass) throws(ConfigError) {
        let s = workspaceClass.settings
        let key = "class \(workspaceClass.name): settings"
        func value(_ names: String...) -> String? {
            for n in names { if let v = s[n]?.trimmingCharacters(in: .whitespaces), !v.isEmpty { return v } }
            return nil
        }
        func integer(_ names: String...) throws(ConfigError) -> Int? {
            guard let name = names.first(where: { s[$0] != nil }), let raw = s[name] else { return nil }
            guard let v = Int(raw.trimmingCharacters(in: .whitespaces)), v > 0 else {
                throw ConfigError(key: "\(key).\(name)", message: "must be a positive integer, not \"\(raw)\"")
            }
            return v
        }

        let uriList = value("uris", "uri") ?? "qemu:///system"
        uris = uriList.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if uris.isEmpty { throw ConfigError(key: "\(key).uris", message: "names no libvirt URI") }
        for uri in uris where URL(string: uri)?.scheme == nil {
            throw ConfigError(key: "\(key).uris", message: "\"\(uri)\" is not a libvirt URI such as qemu:///system")
        }

        if let t = value("domain_type", "domainType") {
            guard let k = GuestKind(setting: t) else {
                throw ConfigError(key: "\(key).domain_type", message: "\"\(t)\" is not one of kvm, qemu, xen, xen-hvm")
            }
            kind = k
        } else {
            kind = uris[0].hasPrefix("xen") ? .xenPV : .kvm
        }

        guard let kernel = value("kernel") else {
            throw ConfigError(key: "\(key).kernel", message: "a libvirt class needs a guest kernel (see contrib/guest-image)")
        }
        self.kernel = kernel
        initrd = value("initrd")
        extraCmdline = value("cmdline")
        image = value("image")
        maxMemoryMB = try integer("max_memory_mb", "maxMemoryMB")
        if let m = maxMemoryMB, m < workspaceClass.memoryMB {
            throw ConfigError(key: "\(key).max_memory_mb", message: "\(m) is below the class memory \(workspaceClass.memoryMB)")
        }
        maxCPUs = try integer("max_cpus", "maxCPUs")
        if let m = maxCPUs, m < workspaceClass.cpus || m > 255 {
            throw ConfigError(key: "\(key).max_cpus", message: "must be between the class cpus (\(workspaceClass.cpus)) and 255, not \(m)")
        }
        machine = value("machine") ?? "q35"

        if workspaceClass.network.isConnected {
            if let br = value("bridge") {
                network = .bridge(br)
            } else if let net = value("network_name", "networkName") {
                network = .network(net)
            } else {
                network = kind.isXen ? .bridge("xenbr0") : .user
            }
        } else {
            network = nil
        }
        let both = try integer("bandwidth_kbps", "bandwidthKBps")
        let inbound = try integer("inbound_kbps", "inboundKBps") ?? both
        let outbound = try integer("outbound_kbps", "outboundKBps") ?? both
        bandwidth = (inbound == nil && outbound == nil) ? nil : .init(inboundKiBps: inbound, outboundKiBps: outbound)
        diskIO = try DiskIOLimits(settings: s, key: key)
        bootTimeoutSeconds = Double(try integer("boot_timeout_seconds", "bootTimeoutSeconds") ?? 120)
        let migrationTimeout = try integer("migration_timeout_seconds", "migrationTimeoutSeconds") ?? 300
        guard migrationTimeout <= 86_400 else {
            throw ConfigError(key: "\(key).migration_timeout_seconds", message: "must be at most 86400 (a day), not \(migrationTimeout)")
        }
        migrationTimeoutSeconds = Double(migrationTimeout)
        storagePool = value("storage_pool", "storagePool") ?? "wsbridge"
        storagePoolPath = value("storage_pool_path", "storagePoolPath") ?? "/var/lib/wsbridge/pool"
        guard storagePoolPath.hasPrefix("/") else {
            throw ConfigError(key: "\(key).storage_pool_path", message: "must be an absolute path, not \"\(storagePoolPath)\"")
        }
        if let fs = value("shared_fs", "sharedFS") {
            guard let k = SharedFilesystemKind(rawValue: fs.lowercased()) else {
                throw ConfigError(key: "\(key).shared_fs", message: "\"\(fs)\" is not one of virtiofs, 9p")
            }
            sharedFilesystem = k
        } else {
            sharedFilesystem = kind.isXen ? .ninep : .virtiofs
        }
        if let problem = GuestShares.check(workspaceClass.binds, kind: sharedFilesystem, guest: kind,
                                           remote: uris.contains(where: Self.isRemote), warmMode: workspaceClass.warmMode) {
            throw ConfigError(key: "class \(workspaceClass.name): binds", message: problem)
        }
        shares = GuestShares.plan(workspaceClass.binds)
        boot = try GuestBootOptions(settings: s, kind: kind, remote: uris.contains(where: Self.isRemote), key: key)
        if let rom = boot.firmwareROM, !uris.contains(where: Self.isRemote), !FileManager.default.fileExists(atPath: rom) {
            throw ConfigError(key: "\(key).firmware", message: "\(rom) does not exist (qboot comes with Debian's qemu-system-data)")
        }
        if cmdline.utf8.count > GuestShares.maxCommandLineBytes {
            throw ConfigError(key: "class \(workspaceClass.name): binds",
                              message: "the guest's kernel command line would be \(cmdline.utf8.count) bytes, more than Linux takes (\(GuestShares.maxCommandLineBytes)); share fewer or shorter paths")
        }
    }

    /// Whether `uri` names another host (`qemu+ssh://node/system`): its files and sockets are
    /// not on this machine, and everything goes through the libvirt connection.
    public static func isRemote(_ uri: String) -> Bool {
        guard let host = URL(string: uri)?.host else { return false }
        return !host.isEmpty
    }

    /// The kernel command line: console on the serial (or Xen) console, power off instead of
    /// hanging on a panic, the boot options' arguments, the shared directories the guest mounts
    /// (`GuestShares`), and the class's own arguments. A Xen guest also zeroes the memory it
    /// frees, so that a saved guest's file holds only memory in use (such as not the unpacked
    /// initramfs's compressed copy): smaller, faster to restore. A QEMU/KVM guest gets the same
    /// from its balloon's free page reporting (`DomainXML`) instead: zeroing costs the kernel a
    /// pass over all of the guest's memory at boot, 1.5 to 2 s of each cold boot under TCG.
    public var cmdline: String {
        var c = "console=\(kind.consoleDevice) panic=-1 quiet"
        if kind.isXen { c += " init_on_free=1" }
        if image != nil { c += " root=/dev/\(kind.isXen ? "xvda" : "vda")" }
        for arg in boot.kernelArguments(for: kind) { c += " " + arg }
        let sharing = GuestShares.commandLine(shares, kind: sharedFilesystem)
        if !sharing.isEmpty { c += " " + sharing }
        if let extra = extraCmdline { c += " " + extra }
        return c
    }
}
