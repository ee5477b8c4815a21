import Foundation
import Testing
import WorkspaceBridge
@testable import LibvirtProvider

/// The domain of a job that is a VM (HTCondor `universe = vm`), as `libvirt_simple_script.awk`
/// shapes it, and how its stopping ends the job.
@Suite("Job VM domain XML")
struct JobVMDomainXMLTests {
    func sample(_ kind: GuestKind, kernel: Bool = true) -> JobVMDomain {
        let meta = WorkspaceMetadata(workspaceID: "vm-7.3", className: "vm", createdAt: 1, leaseExpiresAt: 2,
                                     endpoint: "/run/wsbridge/libvirt/wsb-vm.agent", instanceDirectory: "/var/lib/wsbridge/libvirt/instances/wsb-vm",
                                     owner: "d1")
        let dev = kind.isXen ? "xvd" : "vd"
        return JobVMDomain(name: "wsb-d1-vm-7.3", kind: kind, memoryMiB: 256, vcpus: 2,
                           disks: [.init(path: "/var/lib/wsbridge/libvirt/instances/wsb-vm/disk0-\(dev)a.raw", format: "raw", device: "\(dev)a", readOnly: false),
                                   .init(path: "/var/lib/wsbridge/libvirt/instances/wsb-vm/disk1-\(dev)b.qcow2", format: "qcow2", device: "\(dev)b", readOnly: true)],
                           kernel: kernel ? "/var/lib/wsbridge/libvirt/instances/wsb-vm/kernel" : nil,
                           initrd: kernel ? "/var/lib/wsbridge/libvirt/instances/wsb-vm/initrd" : nil,
                           cmdline: kernel ? "console=ttyS0 root=/dev/\(dev)a" : nil, network: .network("default"),
                           macAddress: "52:54:00:12:34:56", serialLogPath: "/var/lib/wsbridge/libvirt/instances/wsb-vm/serial.log",
                           metadata: meta)
    }

    @Test("every guest kind validates against libvirt's schema, with a kernel or booting its disk", .enabled(if: haveXMLValidator),
          arguments: GuestKind.allCases, [true, false])
    func validates(kind: GuestKind, kernel: Bool) throws {
        let xml = JobVMDomainXML.render(sample(kind, kernel: kernel))
        let (status, output) = try validateDomainXML(xml)
        #expect(status == 0, "\(kind): \(output)\n\(xml)")
    }

    @Test("the job's disks on its devices, r read-only, its MAC on a virtio NIC, its memory and vCPUs, our metadata, no agent channel")
    func shape() {
        let xml = JobVMDomainXML.render(sample(.qemu))
        #expect(xml.contains("<domain type='qemu'>"))
        #expect(xml.contains("<memory unit='MiB'>256</memory>") && xml.contains("<vcpu placement='static'>2</vcpu>"))
        #expect(xml.contains("<target dev='vda' bus='virtio'/>") && xml.contains("<target dev='vdb' bus='virtio'/>"))
        #expect(xml.contains("<driver name='qemu' type='qcow2'/>") && xml.contains("<readonly/>"))
        #expect(xml.components(separatedBy: "<readonly/>").count == 2, "only the r disk")
        #expect(xml.contains("<mac address='52:54:00:12:34:56'/>") && xml.contains("<model type='virtio'/>"))
        #expect(xml.contains("<on_poweroff>destroy</on_poweroff>") && xml.contains("<on_reboot>restart</on_reboot>")
                && xml.contains("<on_crash>destroy</on_crash>"))
        #expect(xml.contains("workspace='vm-7.3'") || xml.contains("id='vm-7.3'"))
        #expect(!xml.contains("<channel"), "nothing of ours runs in the user's guest")
        #expect(JobVMDomainXML.render(sample(.qemu, kernel: false)).contains("<boot dev='hd'/>"))
    }

    @Test("vm_type = xen renders the Xen PV form: xen os type, the job's xvd disks on the xen bus, a Xen console")
    func xenForm() {
        let xml = JobVMDomainXML.render(sample(.xenPV))
        #expect(xml.contains("<domain type='xen'>") && xml.contains(">xen</type>"))
        #expect(xml.contains("<target dev='xvda' bus='xen'/>") && xml.contains("<target type='xen' port='0'/>"))
        #expect(!xml.contains("<model type='virtio'/>"))
        #expect(JobVMDomainXML.render(sample(.xenPV, kernel: false)).contains("<bootloader>/usr/lib/xen/bin/pygrub</bootloader>"),
                "xen_kernel = included: the kernel in the image")
    }

    @Test("a guest that powers off completes (exit 0); destroyed or crashed fails with the reason")
    func exits() {
        #expect(JobVMExit.of(DomainState(kind: .shutOff, reason: 1)) == (.exited(0), nil))
        #expect(JobVMExit.of(DomainState(kind: .shutOff, reason: 2)).reason == "the VM was destroyed")
        #expect(JobVMExit.of(DomainState(kind: .shutOff, reason: 3)).exit == .signaled(9))
        #expect(JobVMExit.of(DomainState(kind: .crashed, reason: 0)).reason == "the VM crashed")
    }
}
