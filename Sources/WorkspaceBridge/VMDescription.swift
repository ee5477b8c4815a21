/// A job that *is* a virtual machine (HTCondor's `universe = vm`): the user brings the disk
/// images, the guest runs whatever it boots, and the job ends when the guest powers itself off.
///
/// Such a job gets a workspace of its own ("the job's own VM": one slot, made for it and
/// destroyed with it) from a class of a provider that can run job VMs; the class gives the
/// hypervisor host and the limits, the job gives memory, vCPUs and disks. No agent runs in the
/// guest: the guest's power-off is the job's exit (code 0), a crash or a destroy is a failure.
public struct VMDescription: Codable, Sendable, Equatable {
    /// `vm_type`.
    public enum Hypervisor: String, Codable, Sendable, CaseIterable {
        case kvm, xen
    }

    /// One `vm_disk` entry: `file:device:permission[:format]`.
    public struct Disk: Codable, Sendable, Equatable {
        /// The image, absolute (a relative `vm_disk` name is resolved in the job's directory).
        public var file: String
        /// The guest device (`vda`, `xvda`, `hda`, ...).
        public var device: String
        /// `w`: the guest may change it (and the changed image comes back unless
        /// `outputDisks` is false); `r`: read-only.
        public var writable: Bool
        /// The image format (`raw`, `qcow2`); `nil` = `raw`, as HTCondor's default script has it.
        public var format: String?

        public init(file: String, device: String, writable: Bool, format: String? = nil) {
            self.file = file
            self.device = device
            self.writable = writable
            self.format = format
        }
    }

    public var hypervisor: Hypervisor
    /// `vm_memory`, MiB.
    public var memoryMB: Int
    /// `vm_vcpus` (else `request_cpus`).
    public var vcpus: Int
    public var disks: [Disk]
    /// `vm_networking`: the guest gets a network interface (the class's network).
    public var networking: Bool
    /// `vm_macaddr`.
    public var macAddress: String?
    /// `vm_no_output_vm = false` (HTCondor's default): the changed writable images come back
    /// into the job's directory when the guest powers off.
    public var outputDisks: Bool
    /// A kernel to boot directly (`xen_kernel` with a file; for KVM the bridge's `+VM_Kernel`);
    /// `nil` boots the disk (a bootloader in the image).
    public var kernel: String?
    public var initrd: String?
    /// Kernel command line (`xen_kernel_params`, `+VM_Kernel_Params`), with `root=` from `xen_root`.
    public var kernelArguments: String?

    public init(hypervisor: Hypervisor, memoryMB: Int, vcpus: Int = 1, disks: [Disk], networking: Bool = false,
                macAddress: String? = nil, outputDisks: Bool = true, kernel: String? = nil, initrd: String? = nil,
                kernelArguments: String? = nil) {
        self.hypervisor = hypervisor
        self.memoryMB = memoryMB
        self.vcpus = vcpus
        self.disks = disks
        self.networking = networking
        self.macAddress = macAddress
        self.outputDisks = outputDisks
        self.kernel = kernel
        self.initrd = initrd
        self.kernelArguments = kernelArguments
    }

    /// The images that come back after the run: the writable ones, unless the job said not to.
    public var returnedDisks: [Disk] { outputDisks ? disks.filter(\.writable) : [] }

    /// Most disks one guest may have (`vda` … `vdz`).
    public static let maxDisks = 26
    /// Image formats QEMU is asked to open; anything else could make it probe the file.
    public static let formats = ["raw", "qcow2"]

    public func validate() throws(JobSpecError) {
        try SpecBounds.check("vm.memoryMB", memoryMB, in: SpecBounds.memoryMB)
        try SpecBounds.check("vm.vcpus", vcpus, in: SpecBounds.cpus)
        guard (1...Self.maxDisks).contains(disks.count) else {
            throw .invalid("a VM job needs between 1 and \(Self.maxDisks) disks (vm_disk), not \(disks.count)")
        }
        var devices = Set<String>()
        for d in disks {
            guard d.file.hasPrefix("/"), FileTransfer.isClean(d.file) else {
                throw .invalid("vm_disk file \"\(d.file.prefix(200))\" must be an absolute path without NUL, newline, . or .. components")
            }
            guard StagedPath(Self.lastComponent(d.file)) != nil else {
                throw .invalid("vm_disk file \"\(d.file.prefix(200))\" has no usable name")
            }
            guard (2...8).contains(d.device.utf8.count), d.device.utf8.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) }),
                  devices.insert(d.device).inserted else {
                throw .invalid("vm_disk device \"\(d.device.prefix(20))\" must be a distinct name such as vda or xvda (2 to 8 lower-case letters and digits)")
            }
            if let f = d.format, !Self.formats.contains(f) {
                throw .invalid("vm_disk format \"\(f.prefix(20))\" is not one of \(Self.formats.joined(separator: ", "))")
            }
        }
        let names = returnedDisks.map { Self.lastComponent($0.file) }
        if Set(names).count != names.count {
            throw .invalid("two writable vm_disk images have the same name; they would come back over each other")
        }
        for path in [kernel, initrd].compactMap({ $0 }) where !(path.hasPrefix("/") && FileTransfer.isClean(path)) {
            throw .invalid("VM kernel or initrd \"\(path.prefix(200))\" must be an absolute path without . or .. components")
        }
        if initrd != nil, kernel == nil { throw .invalid("a VM initrd needs a kernel to boot directly") }
        if let a = kernelArguments, a.utf8.count > 4096 || a.contains("\0") {
            throw .invalid("VM kernel parameters must be at most 4096 bytes, without NUL")
        }
        if let mac = macAddress, !Self.isMAC(mac) {
            throw .invalid("vm_macaddr \"\(mac.prefix(40))\" is not a MAC address (xx:xx:xx:xx:xx:xx)")
        }
    }

    static func lastComponent(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    static func isMAC(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }
}

/// "The job's own VM": the workspace a VM job gets for itself. Its slots are counted under the
/// job's own key, not its class's, so no other job takes them; it still counts against its
/// class's `max_workspaces` and the creation limits.
public enum JobVMWorkspace {
    /// The snapshot key (free slots, creations) of job `id`'s own workspace.
    public static func key(for id: JobID) -> String { "vm-\(id)" }

    /// A workspace id for job `id`'s own workspace; `number` keeps ids unique across retries.
    public static func workspaceID(for id: JobID, number: Int64) -> String { "vm-\(id).\(number)" }

    /// The job a workspace id was made for, if it is a job's own VM.
    public static func job(ofWorkspace workspaceID: String) -> JobID? {
        guard workspaceID.hasPrefix("vm-"), let dot = workspaceID.lastIndex(of: ".") else { return nil }
        return JobID(workspaceID[workspaceID.index(workspaceID.startIndex, offsetBy: 3)..<dot])
    }
}
