import Foundation
import Testing
import WorkspaceBridge
@testable import LibvirtProvider

@Suite("Guest boot options: class settings, kernel command line, firmware and CPU in the domain XML")
struct GuestBootOptionsTests {
    func settings(_ extra: [String: String], domainType: String = "qemu") throws(ConfigError) -> LibvirtClassSettings {
        try LibvirtClassSettings(WorkspaceClass(name: "vm", provider: "libvirt", settings: [
            "uris": domainType.hasPrefix("xen") ? "xen:///system" : "qemu:///system", "domain_type": domainType,
            "kernel": "/boot/vmlinuz"].merging(extra) { $1 }))
    }

    func spec(_ s: LibvirtClassSettings) -> DomainSpec {
        let meta = WorkspaceMetadata(workspaceID: "ws-1", className: "vm", createdAt: 1, leaseExpiresAt: 2,
                                     endpoint: "/run/wsbridge/libvirt/wsb-1.agent", instanceDirectory: "/var/lib/wsbridge/libvirt/instances/wsb-1")
        return DomainSpec(name: "wsb-1", workspaceClass: WorkspaceClass(name: "vm", provider: "libvirt"), settings: s, metadata: meta,
                          kernel: "/k", initrd: "/i", disks: [], serialLogPath: "/var/lib/wsbridge/libvirt/instances/wsb-1/serial.log",
                          agentSocketPath: meta.endpoint)
    }

    @Test("defaults: the harmless boot-speed arguments only; mitigations, audit and the CPU's RNG untouched; qboot where this host has it, no <cpu>")
    func defaults() throws {
        let s = try settings([:])
        let haveQboot = FileManager.default.fileExists(atPath: GuestBootOptions.qbootPath)
        #expect(s.boot == GuestBootOptions(firmware: haveQboot ? .rom(GuestBootOptions.qbootPath) : .standard))
        #expect(s.cmdline == "console=ttyS0 panic=-1 quiet cryptomgr.notests tsc=reliable no_timer_check 8250.nr_uarts=1")
        let xml = DomainXML.render(spec(s))
        #expect(xml.contains("<loader") == haveQboot)
        #expect(!xml.contains("<cpu "))
        for risky in ["mitigations=off", "random.trust_cpu", "audit=0", "lpj="] { #expect(!xml.contains(risky)) }
    }

    @Test("everything a site may turn on: qboot, rdrand required on qemu64, and the arguments, before the class's own cmdline")
    func siteChoices() throws {
        let s = try settings(["firmware": "qboot", "trust_cpu_rng": "true", "mitigations": "false", "kernel_audit": "off",
                              "lpj": "9577900", "cmdline": "wsbridge.debug=1"])
        #expect(s.cmdline.hasSuffix("cryptomgr.notests tsc=reliable no_timer_check 8250.nr_uarts=1 lpj=9577900 audit=0 mitigations=off random.trust_cpu=on wsbridge.debug=1"))
        let xml = DomainXML.render(spec(s))
        #expect(xml.contains("<loader readonly='yes' type='rom'>/usr/share/qemu/qboot.rom</loader>"))
        #expect(xml.contains("<cpu mode='custom' match='exact'>"))
        #expect(xml.contains("<model fallback='forbid'>qemu64</model>"))
        #expect(xml.contains("<feature policy='require' name='rdrand'/>"))
        // Inside <os>: type, then the loader, then the kernel.
        let type = try #require(xml.range(of: "<type arch='x86_64' machine='q35'>hvm</type>"))
        let loader = try #require(xml.range(of: "<loader "))
        let kernel = try #require(xml.range(of: "<kernel>"))
        #expect(type.upperBound < loader.lowerBound && loader.upperBound < kernel.lowerBound)
    }

    @Test("the rendered XML with firmware and CPU features validates against libvirt's schema", .enabled(if: haveXMLValidator),
          arguments: [GuestKind.qemu, .kvm])
    func validates(kind: GuestKind) throws {
        var s = sampleSpec(kind)
        s.firmwareROM = GuestBootOptions.qbootPath
        s.cpuFeatures = ["rdrand"]
        let (status, output) = try validateDomainXML(DomainXML.render(s))
        #expect(status == 0, "\(output)")
    }

    @Test("quick_boot = false leaves the kernel's own boot checks")
    func quickBootOff() throws {
        #expect(try settings(["quick_boot": "false"]).cmdline == "console=ttyS0 panic=-1 quiet")
    }

    @Test("Xen PV: only what applies there (no TSC, IO-APIC timer or UART options, no loader, no <cpu>); Xen HVM keeps the x86 ones")
    func xen() throws {
        let pv = try settings(["trust_cpu_rng": "yes", "lpj": "1000", "mitigations": "no"], domainType: "xen")
        #expect(pv.cmdline == "console=hvc0 panic=-1 quiet init_on_free=1 cryptomgr.notests mitigations=off random.trust_cpu=on")
        let xml = DomainXML.render(spec(pv))
        #expect(!xml.contains("<cpu ") && !xml.contains("<loader"))
        let hvm = try settings([:], domainType: "xen-hvm")
        #expect(hvm.cmdline.hasSuffix("cryptomgr.notests tsc=reliable no_timer_check 8250.nr_uarts=1"))
        #expect { _ = try settings(["firmware": "qboot"], domainType: "xen") } throws: {
            "\($0)".contains("firmware") && "\($0)".contains("Xen")
        }
    }

    @Test("bad values are refused with the key")
    func badValues() {
        #expect { _ = try settings(["quick_boot": "maybe"]) } throws: { "\($0)".contains("quick_boot") && "\($0)".contains("true or false") }
        #expect { _ = try settings(["lpj": "-3"]) } throws: { "\($0)".contains("lpj") }
        #expect { _ = try settings(["firmware": "uefi"]) } throws: { "\($0)".contains("firmware") && "\($0)".contains("qboot") }
        #expect { _ = try settings(["firmware": "/nonexistent/qboot.rom"]) } throws: { "\($0)".contains("does not exist") }
    }

    @Test("firmware: bios keeps SeaBIOS; a remote URI or a Xen class never gets qboot by default")
    func firmwareChoice() throws {
        #expect(try settings(["firmware": "bios"]).boot.firmwareROM == nil)
        let remote = try LibvirtClassSettings(WorkspaceClass(name: "vm", provider: "libvirt", settings: [
            "uris": "qemu+ssh://node1/system", "domain_type": "qemu", "kernel": "/boot/vmlinuz"]))
        #expect(remote.boot.firmwareROM == nil)
        #expect(try settings([:], domainType: "xen").boot.firmwareROM == nil)
    }
}
