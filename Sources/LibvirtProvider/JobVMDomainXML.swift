/// The domain of a job that is a virtual machine of the user's own (HTCondor `universe = vm`),
/// resolved to host paths. Pure data, rendered by `JobVMDomainXML`.
public struct JobVMDomain: Sendable, Equatable {
    public struct Disk: Sendable, Equatable {
        /// The staged copy or the overlay over it, in the workspace's instance directory.
        public var path: String
        public var format: String
        /// The guest device the job named (`vda`, `xvda`, `hda`).
        public var device: String
        public var readOnly: Bool
        public init(path: String, format: String, device: String, readOnly: Bool) {
            self.path = path
            self.format = format
            self.device = device
            self.readOnly = readOnly
        }
    }

    public var name: String
    public var kind: GuestKind
    public var memoryMiB: Int
    public var vcpus: Int
    public var disks: [Disk]
    /// Direct kernel boot; `nil` boots the first disk (its bootloader).
    public var kernel: String?
    public var initrd: String?
    public var cmdline: String?
    /// The class's network, when the job asked for networking.
    public var network: DomainSpec.NetworkSource?
    public var macAddress: String?
    public var serialLogPath: String?
    public var metadata: WorkspaceMetadata
    public var machine: String = "pc"
    public var arch: String = "x86_64"

    public init(name: String, kind: GuestKind, memoryMiB: Int, vcpus: Int, disks: [Disk], kernel: String?, initrd: String?,
                cmdline: String?, network: DomainSpec.NetworkSource?, macAddress: String?, serialLogPath: String?,
                metadata: WorkspaceMetadata) {
        self.name = name
        self.kind = kind
        self.memoryMiB = memoryMiB
        self.vcpus = vcpus
        self.disks = disks
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
        self.network = network
        self.macAddress = macAddress
        self.serialLogPath = serialLogPath
        self.metadata = metadata
    }
}

/// Renders a job VM's domain the way HTCondor's `libvirt_simple_script.awk` does (the user's
/// disks on the devices they named, `r` read-only, a virtio NIC with the job's MAC, memory and
/// vCPUs from the job), with our metadata, and without our agent channel: nothing of ours runs
/// in the guest. Unlike HTCondor (`on_crash = restart`), a crash stops the domain, so the job
/// fails with the reason instead of booting again; a reboot is a reboot, never an end.
public enum JobVMDomainXML {
    public static func render(_ vm: JobVMDomain) -> String { tree(vm).rendered() }

    public static func tree(_ vm: JobVMDomain) -> XMLTree {
        var children: [XMLTree] = [
            .leaf("name", vm.name),
            .leaf("title", "wsbridge job VM \(vm.metadata.workspaceID) (class \(vm.metadata.className))"),
            XMLTree("metadata", children: [vm.metadata.element]),
            .leaf("memory", vm.memoryMiB, [("unit", "MiB")]),
            .leaf("vcpu", vm.vcpus, [("placement", "static")]),
        ]
        // A Xen PV guest without a kernel of the job's boots the kernel in its own disk
        // (HTCondor's `xen_kernel = included`): pygrub reads it from there.
        if vm.kind == .xenPV, vm.kernel == nil { children.append(.leaf("bootloader", "/usr/lib/xen/bin/pygrub")) }
        children.append(os(vm))
        if vm.kind != .xenPV {
            children.append(XMLTree("features", children: [XMLTree("acpi"), XMLTree("apic")] + (vm.kind == .xenHVM ? [XMLTree("pae")] : [])))
        }
        children += [.leaf("on_poweroff", "destroy"), .leaf("on_reboot", "restart"), .leaf("on_crash", "destroy")]
        children.append(devices(vm))
        return XMLTree("domain", [("type", vm.kind.domainType)], children: children)
    }

    static func os(_ vm: JobVMDomain) -> XMLTree {
        var c: [XMLTree]
        switch vm.kind {
        case .xenPV: c = [.leaf("type", "xen", [("arch", vm.arch), ("machine", "xenpv")])]
        case .xenHVM: c = [.leaf("type", "hvm", [("arch", vm.arch), ("machine", "xenfv")])]
        case .kvm, .qemu: c = [.leaf("type", "hvm", [("arch", vm.arch), ("machine", vm.machine)])]
        }
        if let kernel = vm.kernel {
            c.append(.leaf("kernel", kernel))
            if let initrd = vm.initrd { c.append(.leaf("initrd", initrd)) }
            if let cmdline = vm.cmdline { c.append(.leaf("cmdline", cmdline)) }
        } else if vm.kind != .xenPV {
            c.append(XMLTree("boot", [("dev", "hd")]))
        }
        return XMLTree("os", children: c)
    }

    static func devices(_ vm: JobVMDomain) -> XMLTree {
        var d: [XMLTree] = []
        for disk in vm.disks {
            let bus: String
            if vm.kind.isXen { bus = "xen" } else if disk.device.hasPrefix("hd") { bus = "ide" } else if disk.device.hasPrefix("sd") { bus = "scsi" } else { bus = "virtio" }
            var c = [
                XMLTree("driver", [("name", "qemu"), ("type", disk.format)]),
                XMLTree("source", [("file", disk.path)]),
                XMLTree("target", [("dev", disk.device), ("bus", bus)]),
            ]
            if disk.readOnly { c.append(XMLTree("readonly")) }
            d.append(XMLTree("disk", [("type", "file"), ("device", "disk")], children: c))
        }
        if let network = vm.network {
            var c: [XMLTree] = []
            let type: String
            switch network {
            case .bridge(let br):
                type = "bridge"
                c.append(XMLTree("source", [("bridge", br)]))
            case .network(let net):
                type = "network"
                c.append(XMLTree("source", [("network", net)]))
            case .user:
                type = "user"
            }
            if let mac = vm.macAddress { c.append(XMLTree("mac", [("address", mac)])) }
            if !vm.kind.isXen { c.append(XMLTree("model", [("type", "virtio")])) }
            d.append(XMLTree("interface", [("type", type)], children: c))
        }
        if vm.kind == .xenPV {
            d.append(XMLTree("console", [("type", "pty")], children: [XMLTree("target", [("type", "xen"), ("port", "0")])]))
        } else if let log = vm.serialLogPath {
            d.append(XMLTree("serial", [("type", "file")], children: [
                XMLTree("source", [("path", log), ("append", "on")]), XMLTree("target", [("port", "0")]),
            ]))
        } else {
            d.append(XMLTree("serial", [("type", "pty")], children: [XMLTree("target", [("port", "0")])]))
        }
        if !vm.kind.isXen { d.append(XMLTree("memballoon", [("model", "none")])) }
        return XMLTree("devices", children: d)
    }
}
