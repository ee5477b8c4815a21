/// Everything a domain definition needs, already resolved to host paths. Pure data: the provider
/// fills it from a workspace class, tests fill it by hand.
public struct DomainSpec: Sendable, Equatable {
    /// How the guest reaches a network, if at all.
    public enum NetworkSource: Sendable, Equatable {
        /// A host bridge (`<interface type='bridge'>`).
        case bridge(String)
        /// A libvirt virtual network (`<interface type='network'>`).
        case network(String)
        /// QEMU user-mode networking (SLIRP); no bandwidth control.
        case user
    }

    /// Average rates in KiB/s (libvirt's `<bandwidth>` units); `nil` = unlimited.
    public struct Bandwidth: Sendable, Equatable {
        public var inboundKiBps: Int?
        public var outboundKiBps: Int?
        public init(inboundKiBps: Int?, outboundKiBps: Int?) {
            self.inboundKiBps = inboundKiBps
            self.outboundKiBps = outboundKiBps
        }
    }

    public struct Disk: Sendable, Equatable {
        public var path: String
        /// `qcow2` or `raw`.
        public var format: String
        public init(path: String, format: String) {
            self.path = path
            self.format = format
        }
    }

    public var name: String
    public var kind: GuestKind
    public var memoryMiB: Int
    /// At least `memoryMiB`; room for growing the balloon at run time.
    public var maxMemoryMiB: Int
    public var vcpus: Int
    /// At least `vcpus`; room for adding vCPUs at run time.
    public var maxVcpus: Int
    public var cpu: CPUTuning
    public var kernel: String
    public var initrd: String?
    public var cmdline: String
    public var disks: [Disk]
    /// Host directories the guest mounts at the same paths.
    public var shares: [GuestShare]
    public var sharedFilesystem: SharedFilesystemKind
    public var network: NetworkSource?
    public var bandwidth: Bandwidth?
    /// I/O limits on every disk (QEMU/KVM; libxl has none to apply).
    public var diskIO: DiskIOLimits?
    /// Guest serial console to this host file (QEMU/KVM and Xen HVM; Xen PV consoles go through
    /// xenconsoled, which keeps its own log).
    public var serialLogPath: String?
    /// The host-side Unix socket of the agent channel; QEMU (or libxl) listens on it. `nil`
    /// lets libvirt choose (a guest on a remote host, reached through `virDomainOpenChannel`).
    public var agentSocketPath: String?
    public var metadata: WorkspaceMetadata
    /// QEMU machine type (`pc`, `q35`).
    public var machine: String
    /// Whether the machine is a `q35` (`q35`, or a versioned `pc-q35-7.2`).
    var isQ35: Bool { !kind.isXen && (machine == "q35" || machine.hasPrefix("pc-q35")) }
    public var arch: String
    /// A ROM loaded instead of the standard firmware (QEMU/KVM: qboot); `nil` = the default.
    public var firmwareROM: String?
    /// CPU features the guest must have (QEMU/KVM), e.g. `rdrand`.
    public var cpuFeatures: [String]

    public init(name: String, kind: GuestKind, memoryMiB: Int, maxMemoryMiB: Int? = nil, vcpus: Int, maxVcpus: Int? = nil,
                cpu: CPUTuning, kernel: String, initrd: String?, cmdline: String, disks: [Disk] = [],
                shares: [GuestShare] = [], sharedFilesystem: SharedFilesystemKind = .virtiofs,
                network: NetworkSource? = nil, bandwidth: Bandwidth? = nil, diskIO: DiskIOLimits? = nil, serialLogPath: String?,
                agentSocketPath: String?, metadata: WorkspaceMetadata, machine: String = "q35",
                arch: String = "x86_64", firmwareROM: String? = nil, cpuFeatures: [String] = []) {
        self.name = name
        self.kind = kind
        self.memoryMiB = memoryMiB
        self.maxMemoryMiB = max(memoryMiB, maxMemoryMiB ?? memoryMiB)
        self.vcpus = vcpus
        self.maxVcpus = max(vcpus, maxVcpus ?? vcpus)
        self.cpu = cpu
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
        self.disks = disks
        self.shares = shares
        self.sharedFilesystem = sharedFilesystem
        self.network = network
        self.bandwidth = bandwidth
        self.diskIO = diskIO
        self.serialLogPath = serialLogPath
        self.agentSocketPath = agentSocketPath
        self.metadata = metadata
        self.machine = machine
        self.arch = arch
        self.firmwareROM = firmwareROM
        self.cpuFeatures = cpuFeatures
    }
}

/// Renders libvirt domain XML (schema of libvirt 9.0) for Xen PV, Xen HVM, KVM and QEMU guests.
public enum DomainXML {
    /// The virtio-serial port name (QEMU/KVM) or Xen PV channel name the guest agent opens.
    public static let agentChannelName = "org.wsbridge.agent.0"

    /// The complete `<domain>` document.
    public static func render(_ spec: DomainSpec) -> String {
        tree(spec).rendered()
    }

    /// The `<domain>` element as a tree, for callers that want to add to it.
    public static func tree(_ spec: DomainSpec) -> XMLTree {
        var children: [XMLTree] = [
            .leaf("name", spec.name),
            .leaf("title", "wsbridge workspace \(spec.metadata.workspaceID) (class \(spec.metadata.className))"),
            XMLTree("metadata", children: [spec.metadata.element]),
            .leaf("memory", spec.maxMemoryMiB, [("unit", "MiB")]),
            .leaf("currentMemory", spec.memoryMiB, [("unit", "MiB")]),
        ]
        if let backing = memoryBacking(spec) { children.append(backing) }
        children += [
            .leaf("vcpu", spec.maxVcpus, [("placement", "static")] + (spec.maxVcpus > spec.vcpus ? [("current", "\(spec.vcpus)")] : [])),
            cputune(spec),
            os(spec),
        ]
        if let cpu = cpu(spec) { children.append(cpu) }
        if spec.kind != .xenPV {
            children.append(XMLTree("features", children: [XMLTree("acpi"), XMLTree("apic")] +
                                    (spec.kind == .xenHVM ? [XMLTree("pae")] : [])))
        }
        // A workspace guest that reboots or crashes has lost its jobs' state; stopping it lets the
        // reconciler see that, where a silent restart would hide it.
        children += [.leaf("on_poweroff", "destroy"), .leaf("on_reboot", "destroy"), .leaf("on_crash", "destroy")]
        children.append(devices(spec))
        return XMLTree("domain", [("type", spec.kind.domainType)], children: children)
    }

    static func cputune(_ spec: DomainSpec) -> XMLTree {
        if spec.kind.isXen {
            // libxl copies `shares` into the credit scheduler weight at start; a cap can only be
            // set at run time (scheduler parameter `cap`), which the provider does after start.
            return XMLTree("cputune", children: [.leaf("shares", spec.cpu.xenWeight)])
        }
        var c: [XMLTree] = [.leaf("shares", spec.cpu.qemuShares)]
        if let quota = spec.cpu.qemuGlobalQuota {
            c += [.leaf("global_period", CPUTuning.period), .leaf("global_quota", quota)]
        }
        return XMLTree("cputune", children: c)
    }

    static func os(_ spec: DomainSpec) -> XMLTree {
        let type: XMLTree
        switch spec.kind {
        case .xenPV: type = .leaf("type", "xen", [("arch", spec.arch), ("machine", "xenpv")])
        case .xenHVM: type = .leaf("type", "hvm", [("arch", spec.arch), ("machine", "xenfv")])
        case .kvm, .qemu: type = .leaf("type", "hvm", [("arch", spec.arch), ("machine", spec.machine)])
        }
        var c = [type]
        // Xen HVM guests boot through hvmloader, PV ones through Xen itself: no ROM of ours.
        if let rom = spec.firmwareROM, !spec.kind.isXen {
            c.append(.leaf("loader", rom, [("readonly", "yes"), ("type", "rom")]))
        }
        c.append(.leaf("kernel", spec.kernel))
        if let initrd = spec.initrd { c.append(.leaf("initrd", initrd)) }
        c.append(.leaf("cmdline", spec.cmdline))
        return XMLTree("os", children: c)
    }

    /// The guest CPU, only when a class needs features on it: QEMU's default model (`qemu64`,
    /// what libvirt gives a domain without `<cpu>`) with those features required, so the
    /// domain does not start on a host that cannot give them.
    static func cpu(_ spec: DomainSpec) -> XMLTree? {
        guard !spec.cpuFeatures.isEmpty, !spec.kind.isXen else { return nil }
        return XMLTree("cpu", [("mode", "custom"), ("match", "exact")], children:
            [.leaf("model", "qemu64", [("fallback", "forbid")])]
            + spec.cpuFeatures.map { XMLTree("feature", [("policy", "require"), ("name", $0)]) })
    }

    static func devices(_ spec: DomainSpec) -> XMLTree {
        var d: [XMLTree] = []
        // No USB controller: nothing of the guest's is on USB (its keyboard and mouse are PS/2),
        // and on `q35` the guest's kernel would probe libvirt's default xHCI at every boot.
        if !spec.kind.isXen { d.append(XMLTree("controller", [("type", "usb"), ("model", "none")])) }
        for (i, disk) in spec.disks.enumerated() {
            let letter = String(UnicodeScalar(UInt8(97 + min(i, 25))))
            let target: XMLTree = spec.kind.isXen
                ? XMLTree("target", [("dev", "xvd\(letter)"), ("bus", "xen")])
                : XMLTree("target", [("dev", "vd\(letter)"), ("bus", "virtio")])
            // libxl has no `qdisk` driver name: `qemu` selects QEMU's disk backend in dom0, the
            // one that understands qcow2.
            var c = [
                XMLTree("driver", [("name", "qemu"), ("type", disk.format)]),
                XMLTree("source", [("file", disk.path)]),
                target,
            ]
            if let io = spec.diskIO, !spec.kind.isXen {
                c.append(XMLTree("iotune", children: io.elements.map { .leaf($0.name, $0.value) }))
            }
            d.append(XMLTree("disk", [("type", "file"), ("device", "disk")], children: c))
        }
        d += filesystems(spec)
        if let network = spec.network { d.append(interface(spec, network)) }
        if spec.kind == .xenPV {
            d.append(XMLTree("console", [("type", "pty")], children: [XMLTree("target", [("type", "xen"), ("port", "0")])]))
        } else if let log = spec.serialLogPath {
            d.append(XMLTree("serial", [("type", "file")], children: [
                XMLTree("source", [("path", log), ("append", "on")]),
                XMLTree("target", [("port", "0")]),
            ]))
        } else {
            d.append(XMLTree("serial", [("type", "pty")], children: [XMLTree("target", [("port", "0")])]))
        }
        d.append(XMLTree("channel", [("type", "unix")], children: [
            XMLTree("source", [("mode", "bind")] + (spec.agentSocketPath.map { [("path", $0)] } ?? [])),
            XMLTree("target", [("type", spec.kind.isXen ? "xen" : "virtio"), ("name", agentChannelName)]),
        ]))
        if !spec.kind.isXen {
            // The balloon lets `setMemory` shrink and grow a running guest. With free page
            // reporting the guest hands the host the memory it frees (in 2 MiB blocks, a few
            // seconds later), which the host drops: the guest holds less of the host's memory,
            // and a saved guest's file only the memory in use.
            d.append(XMLTree("memballoon", [("model", "virtio"), ("freePageReporting", "on")]))
            // Entropy from the host: a new guest's kernel has too little of its own, and the
            // agent (the Swift runtime seeds its hashing at start) would wait for it, about a
            // second of every boot.
            d.append(XMLTree("rng", [("model", "virtio")], children: [XMLTree("backend", [("model", "random")], text: "/dev/urandom")]))
        }
        return XMLTree("devices", children: spec.isQ35 ? onPCIeRoot(d) : d)
    }

    /// On `q35`, the virtio devices go straight on the PCI Express root bus (integrated
    /// endpoints), not each behind a root port of its own as libvirt would place them: the
    /// guest's kernel then sets up no port for each, and takes each device's interrupt route from
    /// a fixed ACPI table, where on `pc` it runs the routing method (_PRT) for each device, about
    /// 0.12 s of each boot under TCG per device. Integrated endpoints cannot be unplugged; we
    /// plug nothing into a running guest. Slots 0x02-0x1e are free on `q35` (0x1f holds its
    /// LPC, SATA and SMBus functions); a device past them is left to libvirt.
    static func onPCIeRoot(_ devices: [XMLTree]) -> [XMLTree] {
        var slot = 2
        func placed(_ e: XMLTree) -> XMLTree {
            guard slot <= 0x1e else { return e }
            var e = e
            e.children.append(XMLTree("address", [("type", "pci"), ("domain", "0x0000"), ("bus", "0x00"),
                                                  ("slot", String(format: "0x%02x", slot)), ("function", "0x0")]))
            slot += 1
            return e
        }
        let pci: Set = ["disk", "filesystem", "interface", "memballoon", "rng"]
        return [placed(XMLTree("controller", [("type", "virtio-serial"), ("index", "0")]))]
            + devices.map { pci.contains($0.name) ? placed($0) : $0 }
    }

    static func interface(_ spec: DomainSpec, _ network: DomainSpec.NetworkSource) -> XMLTree {
        var c: [XMLTree] = []
        let type: String
        switch network {
        case .bridge(let br):
            type = "bridge"
            c.append(XMLTree("source", [("bridge", br)]))
            if spec.kind.isXen { c.append(XMLTree("script", [("path", "vif-bridge")])) }
        case .network(let net):
            type = "network"
            c.append(XMLTree("source", [("network", net)]))
        case .user:
            type = "user"
        }
        if !spec.kind.isXen { c.append(XMLTree("model", [("type", "virtio")])) }
        // libvirt shapes traffic with tc on the host-side tap device, which user-mode
        // networking does not have; libxl applies only the outbound average.
        if let bw = spec.bandwidth, network != .user {
            var b: [XMLTree] = []
            if !spec.kind.isXen, let inbound = bw.inboundKiBps { b.append(XMLTree("inbound", [("average", "\(inbound)")])) }
            if let outbound = bw.outboundKiBps { b.append(XMLTree("outbound", [("average", "\(outbound)")])) }
            if !b.isEmpty { c.append(XMLTree("bandwidth", children: b)) }
        }
        return XMLTree("interface", [("type", type)], children: c)
    }
}
