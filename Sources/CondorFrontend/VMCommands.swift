import WorkspaceBridge

/// The VM universe commands (`SubmitHash::SetVMParams`, `src/condor_utils/submit_utils.cpp`):
/// `vm_type`, `vm_memory`, `vm_vcpus`, `vm_disk`, `vm_networking[_type]`, `vm_macaddr`,
/// `vm_checkpoint`, `vm_no_output_vm`, `vm_vnc` and the `xen_*` kernel commands, into the job
/// attributes HTCondor writes, plus the `VMDescription` the bridge boots.
///
/// HTCondor has no way to name a kernel for a KVM job (a KVM image boots its own bootloader);
/// the bridge also reads the job attributes `+VM_Kernel`, `+VM_Initrd` and `+VM_Kernel_Params`
/// for a direct kernel boot of either type.
extension JobAdBuilder {
    mutating func setVMParams(iwd: String) throws(SubmitError) -> VMDescription? {
        guard universe == 13 else { return nil }
        guard let typeText = try param("vm_type", "JobVMType").map({ Self.stripQuotes($0).lowercased() }), !typeText.isEmpty else {
            throw fail("'vm_type' cannot be found.\nPlease specify 'vm_type' for vm universe in your submit description file.")
        }
        if typeText == "vmware" { throw fail("A vm_type of 'vmware' is no longer supported") }
        guard let hypervisor = VMDescription.Hypervisor(rawValue: typeText) else {
            throw fail("'\(typeText)' is not a supported VM type (vm_type must be xen or kvm)")
        }
        ad.assign("JobVMType", typeText)

        guard let memText = try param("vm_memory", "JobVMMemory") else {
            throw fail("'vm_memory' cannot be found.\nPlease specify 'vm_memory' for vm universe in your submit description file.")
        }
        guard let memory = ResourceUnits.parse(memText, base: 1024 * 1024), memory > 0, memory <= Int64(SpecBounds.memoryMB.upperBound) else {
            throw fail("vm_memory = \(memText) is not a valid amount of memory (MiB, or with a K, M, G or T unit)")
        }
        ad.assign("JobVMMemory", .int(memory))
        ad.assign("ExecutableSize", .int(memory * 1024))
        if try param("request_memory", "RequestMemory") == nil {
            // condor_submit: "RequestMemory defaults to MY.JobVMMemory".
            ad.assign("RequestMemory", .int(memory))
        }

        var vcpus = 1
        if let v = try intParam("vm_vcpus", alt: "JobVM_VCPUS") {
            guard v >= 1, v <= Int64(SpecBounds.cpus.upperBound) else { throw fail("vm_vcpus = \(v) must be between 1 and \(SpecBounds.cpus.upperBound)") }
            vcpus = Int(v)
        } else if let r = try intParam("request_cpus", alt: "RequestCpus"), r >= 1, r <= Int64(SpecBounds.cpus.upperBound) {
            vcpus = Int(r)
        }
        ad.assign("JobVM_VCPUS", .int(Int64(vcpus)))

        let networking = try boolParam("vm_networking", "JobVMNetworking", default: false)
        ad.assign("JobVMNetworking", networking)
        if networking, let t = try param("vm_networking_type", "JobVMNetworkingType") {
            let type = Self.stripQuotes(t).lowercased()
            guard ["nat", "bridge", "user"].contains(type) else { throw fail("vm_networking_type must be nat, bridge or user, not \(t)") }
            ad.assign("JobVMNetworkingType", type)
        }
        let mac = try param("vm_macaddr", "JobVM_MACADDR").map { Self.stripQuotes($0) }
        if let mac { ad.assign("JobVM_MACADDR", mac) }
        let checkpoint = try boolParam("vm_checkpoint", "JobVMCheckpoint", default: false)
        ad.assign("JobVMCheckpoint", checkpoint)
        if try boolParam("vm_vnc", "JobVMVNCConsole", default: false) { ad.assign("JobVMVNCConsole", true) }
        let noOutput = try boolParam("vm_no_output_vm", "VMPARAM_No_Output_VM", default: false)
        ad.assign("VMPARAM_No_Output_VM", noOutput)

        guard let diskText = try param("vm_disk", "VMPARAM_vm_Disk").map({ Self.stripQuotes($0) }), !diskText.isEmpty else {
            throw fail("'vm_disk' cannot be found.\nPlease specify 'vm_disk' for \(typeText) vm universe in your submit description file.")
        }
        let disks = try Self.vmDisks(diskText, iwd: iwd, fail: fail)
        ad.assign("VMPARAM_vm_Disk", diskText)

        var kernel: String?, initrd: String?, kernelArguments: String?
        if hypervisor == .xen {
            guard let k = try param("xen_kernel", "VMPARAM_Xen_Kernel").map({ Self.stripQuotes($0) }), !k.isEmpty else {
                throw fail("'xen_kernel' cannot be found.\nPlease specify 'xen_kernel' for the xen virtual machine in your submit description file.")
            }
            ad.assign("VMPARAM_Xen_Kernel", k)
            switch k.lowercased() {
            case "included": break
            case "vmx": ad.assign("JobVMHardwareVT", true)
            default:
                kernel = Self.fullPath(k, in: iwd)
                guard let root = try param("xen_root", "VMPARAM_Xen_Root").map({ Self.stripQuotes($0) }), !root.isEmpty else {
                    throw fail("'xen_root' cannot be found.\nPlease specify 'xen_root' for the xen virtual machine in your submit description file.")
                }
                ad.assign("VMPARAM_Xen_Root", root)
                kernelArguments = "root=\(root)"
                if let i = try param("xen_initrd", "VMPARAM_Xen_Initrd").map({ Self.stripQuotes($0) }), !i.isEmpty {
                    ad.assign("VMPARAM_Xen_Initrd", i)
                    initrd = Self.fullPath(i, in: iwd)
                }
            }
            if let p = try param("xen_kernel_params", "VMPARAM_Xen_Kernel_Params").map({ Self.stripQuotes($0) }), !p.isEmpty {
                ad.assign("VMPARAM_Xen_Kernel_Params", p)
                kernelArguments = [kernelArguments, p].compactMap { $0 }.joined(separator: " ")
            }
        }
        // The bridge's own direct-boot attributes (`+VM_Kernel = "vmlinuz"`), for either type.
        if let k = forcedString("VM_Kernel") {
            kernel = Self.fullPath(k, in: iwd)
            initrd = forcedString("VM_Initrd").map { Self.fullPath($0, in: iwd) } ?? initrd
            kernelArguments = forcedString("VM_Kernel_Params") ?? kernelArguments
        }

        // condor_submit forces file transfer for VM jobs: the images travel, and come back on exit.
        ad.assign("ShouldTransferFiles", "YES")
        ad.assign("WhenToTransferOutput", checkpoint ? "ON_EXIT_OR_EVICT" : "ON_EXIT")
        let vm = VMDescription(hypervisor: hypervisor, memoryMB: Int(memory), vcpus: vcpus, disks: disks, networking: networking,
                               macAddress: mac, outputDisks: !noOutput, kernel: kernel, initrd: initrd,
                               kernelArguments: kernelArguments)
        do { try vm.validate() } catch { throw fail(error.description) }
        return vm
    }

    /// `vm_disk`: comma-separated `file:device:permission[:format]` (`validate_disk_param(…,3,4)`).
    static func vmDisks(_ text: String, iwd: String, fail: (String) -> SubmitError) throws(SubmitError) -> [VMDescription.Disk] {
        var disks: [VMDescription.Disk] = []
        for entry in text.split(separator: ",") {
            let fields = entry.split(separator: ":", omittingEmptySubsequences: false).map { SubmitLexer.trim(String($0)) }
            guard (3...4).contains(fields.count), !fields[0].isEmpty, !fields[1].isEmpty else {
                throw fail("'vm_disk' has an invalid entry \"\(entry)\": use file:device:permission[:format], comma-separated")
            }
            let perm = fields[2].lowercased()
            guard ["r", "w", "rw"].contains(perm) else {
                throw fail("'vm_disk' permission \"\(fields[2])\" must be r or w")
            }
            let format = fields.count == 4 && !fields[3].isEmpty ? fields[3].lowercased() : nil
            disks.append(.init(file: fullPath(fields[0], in: iwd), device: fields[1], writable: perm.contains("w"), format: format))
        }
        return disks
    }

    /// A `+Attr = "text"` the submit file forced.
    func forcedString(_ attr: String) -> String? {
        if case .literal(.string(let s))? = ad[attr], !s.isEmpty { return s }
        return nil
    }
}
