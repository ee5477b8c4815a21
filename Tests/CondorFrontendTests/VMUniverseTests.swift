import Foundation
import Testing
import WorkspaceBridge
@testable import CondorFrontend

/// `universe = vm` as `SubmitHash::SetVMParams` reads it, and the `VMDescription` the bridge boots.
@Suite struct VMUniverseTests {
    func job(_ submit: String) throws -> CondorSubmitJob {
        try CondorSubmit.parse(text: "universe = vm\nexecutable = myvm\n" + submit + "\nqueue\n", file: "t.sub",
                               cwd: "/tmp", environment: [:]).jobs[0]
    }

    func message(_ submit: String) -> String {
        do { _ = try job(submit); return "" } catch let error as SubmitError { return error.message } catch { return "\(error)" }
    }

    @Test func kvmJobBecomesAttributesAndAVMDescription() throws {
        let j = try job("""
            vm_type = KVM
            vm_memory = 256
            vm_disk = image.img:vda:w:raw, /data/ro.qcow2:vdb:r:qcow2
            vm_networking = true
            vm_networking_type = nat
            request_cpus = 2
            log = job.log
            """)
        #expect(j.ad.unparsed("JobUniverse") == "13")
        #expect(j.ad.unparsed("JobVMType") == "\"kvm\"")
        #expect(j.ad.unparsed("JobVMMemory") == "256")
        #expect(j.ad.unparsed("ExecutableSize") == "262144")
        #expect(j.ad.unparsed("RequestMemory") == "256")
        #expect(j.ad.unparsed("JobVM_VCPUS") == "2")
        #expect(j.ad.unparsed("JobVMNetworking") == "true")
        #expect(j.ad.unparsed("JobVMNetworkingType") == "\"nat\"")
        #expect(j.ad.unparsed("VMPARAM_No_Output_VM") == "false")
        #expect(j.ad.unparsed("VMPARAM_vm_Disk") == "\"image.img:vda:w:raw, /data/ro.qcow2:vdb:r:qcow2\"")
        #expect(j.ad.unparsed("ShouldTransferFiles") == "\"YES\"")
        #expect(j.ad.unparsed("WhenToTransferOutput") == "\"ON_EXIT\"")
        #expect(j.ad.unparsed("TransferExecutable") == "false")
        let vm = try #require(j.spec.vm)
        #expect(vm.hypervisor == .kvm && vm.memoryMB == 256 && vm.vcpus == 2 && vm.networking && vm.outputDisks)
        #expect(vm.disks == [.init(file: "/tmp/image.img", device: "vda", writable: true, format: "raw"),
                             .init(file: "/data/ro.qcow2", device: "vdb", writable: false, format: "qcow2")])
        #expect(vm.returnedDisks.map(\.device) == ["vda"])
        #expect(j.spec.transfer == nil)
        #expect(j.spec.executable == "myvm")
        try j.spec.validate()
    }

    @Test func noOutputVMAndVCPUsAndDirectBoot() throws {
        let j = try job("""
            vm_type = kvm
            vm_memory = 1G
            vm_vcpus = 3
            vm_disk = disk.img:vda:w
            vm_no_output_vm = true
            +VM_Kernel = "boot/vmlinuz"
            +VM_Initrd = "/boot/initrd.img"
            +VM_Kernel_Params = "console=ttyS0"
            """)
        let vm = try #require(j.spec.vm)
        #expect(vm.memoryMB == 1024 && vm.vcpus == 3 && !vm.outputDisks && vm.returnedDisks.isEmpty)
        #expect(vm.kernel == "/tmp/boot/vmlinuz" && vm.initrd == "/boot/initrd.img" && vm.kernelArguments == "console=ttyS0")
    }

    @Test func xenNeedsAKernelAndARootForAKernelFile() throws {
        #expect(message("vm_type = xen\nvm_memory = 128\nvm_disk = a.img:xvda:w").contains("'xen_kernel' cannot be found"))
        #expect(message("vm_type = xen\nvm_memory = 128\nvm_disk = a.img:xvda:w\nxen_kernel = vmlinuz").contains("'xen_root' cannot be found"))
        let j = try job("vm_type = xen\nvm_memory = 128\nvm_disk = a.img:xvda:w\nxen_kernel = vmlinuz\nxen_root = /dev/xvda\nxen_initrd = initrd\nxen_kernel_params = \"quiet\"")
        #expect(j.spec.vm?.kernel == "/tmp/vmlinuz" && j.spec.vm?.initrd == "/tmp/initrd")
        #expect(j.spec.vm?.kernelArguments == "root=/dev/xvda quiet")
        let included = try job("vm_type = xen\nvm_memory = 128\nvm_disk = a.img:xvda:w\nxen_kernel = included")
        #expect(included.spec.vm?.kernel == nil)
        let vmx = try job("vm_type = xen\nvm_memory = 128\nvm_disk = a.img:xvda:w\nxen_kernel = vmx")
        #expect(vmx.ad.unparsed("JobVMHardwareVT") == "true")
    }

    @Test func refusesWhatCondorSubmitRefuses() {
        #expect(message("vm_memory = 128\nvm_disk = a:vda:w").contains("'vm_type' cannot be found"))
        #expect(message("vm_type = vmware\nvm_memory = 128").contains("A vm_type of 'vmware' is no longer supported"))
        #expect(message("vm_type = kvm\nvm_disk = a:vda:w").contains("'vm_memory' cannot be found"))
        #expect(message("vm_type = kvm\nvm_memory = 128").contains("'vm_disk' cannot be found"))
        #expect(message("vm_type = kvm\nvm_memory = 128\nvm_disk = a.img:vda").contains("file:device:permission"))
        #expect(message("vm_type = kvm\nvm_memory = 128\nvm_disk = a.img:vda:x").contains("must be r or w"))
        #expect(message("vm_type = kvm\nvm_memory = 128\nvm_disk = a.img:vda:w:vmdk").contains("format"))
        #expect(message("vm_type = kvm\nvm_memory = 128\nvm_disk = a.img:vda:w,b.img:vda:w").contains("distinct"))
        #expect(message("vm_type = kvm\nvm_memory = 128\nvm_disk = a.img:vda:w\noutput = out").contains("You cannot use input, ouput, and error"))
        #expect(message("vm_type = kvm\nvm_memory = 99999999999\nvm_disk = a.img:vda:w").contains("vm_memory"))
    }

    @Test func descriptionBoundsAreChecked() {
        var vm = VMDescription(hypervisor: .kvm, memoryMB: 0, disks: [.init(file: "/a", device: "vda", writable: true)])
        #expect(throws: JobSpecError.self) { try vm.validate() }
        vm.memoryMB = 64
        vm.disks = []
        #expect(throws: JobSpecError.self) { try vm.validate() }
        vm.disks = [.init(file: "/x/a.img", device: "vda", writable: true), .init(file: "/y/a.img", device: "vdb", writable: true)]
        #expect(throws: JobSpecError.self) { try vm.validate() }
        vm.outputDisks = false
        #expect(throws: Never.self) { try vm.validate() }
        vm.macAddress = "52:54:00:zz:00:01"
        #expect(throws: JobSpecError.self) { try vm.validate() }
    }
}
