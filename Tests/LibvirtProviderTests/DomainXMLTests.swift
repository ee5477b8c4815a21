import Foundation
import Testing
@testable import LibvirtProvider

@Suite("Domain XML")
struct DomainXMLTests {
    @Test("every guest kind validates against libvirt's schema", .enabled(if: haveXMLValidator),
          arguments: GuestKind.allCases)
    func validates(kind: GuestKind) throws {
        let xml = DomainXML.render(sampleSpec(kind))
        let (status, output) = try validateDomainXML(xml)
        #expect(status == 0, "\(kind): \(output)\n\(xml)")
        #expect(output.contains("validates"))
    }

    @Test("minimal variants (no disk, no network, no serial log) validate too", .enabled(if: haveXMLValidator),
          arguments: GuestKind.allCases)
    func minimalValidates(kind: GuestKind) throws {
        var spec = sampleSpec(kind)
        spec.disks = []
        spec.network = nil
        spec.bandwidth = nil
        spec.serialLogPath = nil
        spec.initrd = nil
        spec.cpu = CPUTuning(weight: 100, capPercent: nil)
        let (status, output) = try validateDomainXML(DomainXML.render(spec))
        #expect(status == 0, "\(kind): \(output)")
    }

    @Test("QEMU user networking validates and carries no bandwidth", .enabled(if: haveXMLValidator))
    func userNetworking() throws {
        var spec = sampleSpec(.qemu)
        spec.network = .user
        let xml = DomainXML.render(spec)
        #expect(xml.contains("<interface type='user'>"))
        #expect(!xml.contains("<bandwidth>"))
        #expect(try validateDomainXML(xml).0 == 0)
    }

    @Test("QEMU/KVM: domain type, cgroup shares and quota, virtio agent channel, serial file")
    func qemuShape() {
        let xml = DomainXML.render(sampleSpec(.qemu))
        #expect(xml.contains("<domain type='qemu'>"))
        #expect(DomainXML.render(sampleSpec(.kvm)).contains("<domain type='kvm'>"))
        #expect(xml.contains("<shares>2048</shares>"))           // weight 200 -> 2 x 1024
        #expect(xml.contains("<global_period>100000</global_period>"))
        #expect(xml.contains("<global_quota>150000</global_quota>")) // 150 % of one CPU
        #expect(xml.contains("<source mode='bind' path='/run/wsbridge/libvirt/wsb-sample.agent'/>"))
        #expect(xml.contains("<target type='virtio' name='org.wsbridge.agent.0'/>"))
        #expect(xml.contains("<serial type='file'>"))
        #expect(xml.contains("<target dev='vda' bus='virtio'/>"))
        #expect(xml.contains("<inbound average='12800'/>"))
        #expect(xml.contains("<memory unit='MiB'>1024</memory>"))
        #expect(xml.contains("<currentMemory unit='MiB'>512</currentMemory>"))
    }

    @Test("q35 (the default): every virtio device on the root bus, one slot each from 0x02; pc: left to libvirt; no USB controller on either")
    func virtioDevicesOnTheRootBus() throws {
        let q35 = DomainXML.render(sampleSpec(.qemu))
        #expect(q35.contains("machine='q35'>hvm</type>"))
        let slots = q35.components(separatedBy: "<address type='pci' domain='0x0000' bus='0x00' slot='").dropFirst().map { $0.prefix(4) }
        // The virtio-serial controller, the disk, the NIC, the balloon and the RNG.
        #expect(slots == ["0x02", "0x03", "0x04", "0x05", "0x06"])
        let controller = try #require(q35.range(of: "<controller type='virtio-serial' index='0'>"))
        let first = try #require(q35.range(of: "<address type='pci'"))
        #expect(controller.upperBound < first.lowerBound && !q35[controller.upperBound..<first.lowerBound].contains("</controller>"))
        #expect(q35.contains("<controller type='usb' model='none'/>"))
        var pc = sampleSpec(.kvm)
        pc.machine = "pc"
        let pcXML = DomainXML.render(pc)
        #expect(!pcXML.contains("<address type='pci'") && pcXML.contains("<controller type='usb' model='none'/>"))
        #expect(!DomainXML.render(sampleSpec(.xenHVM)).contains("<address type='pci'"))
    }

    @Test("room for vCPUs: <vcpu> is the maximum, `current` those present at boot; without room, no `current`")
    func vcpuMaximum() throws {
        var spec = sampleSpec(.qemu)
        #expect(DomainXML.render(spec).contains("<vcpu placement='static'>2</vcpu>"))
        spec.maxVcpus = 4
        let xml = DomainXML.render(spec)
        #expect(xml.contains("<vcpu placement='static' current='2'>4</vcpu>"), "\(xml)")
        let (status, output) = try validateDomainXML(xml)
        #expect(status == 0, "\(output)")
    }

    @Test("Xen PV: xen os type, xvd disks on the xen bus, Xen weight, PV channel, outbound-only bandwidth")
    func xenShape() {
        let xml = DomainXML.render(sampleSpec(.xenPV))
        #expect(xml.contains("<domain type='xen'>"))
        #expect(xml.contains("<type arch='x86_64' machine='xenpv'>xen</type>"))
        #expect(xml.contains("<shares>512</shares>"))            // weight 200 -> 2 x 256
        #expect(!xml.contains("global_quota"))                   // libxl: cap only at run time
        #expect(xml.contains("<target dev='xvda' bus='xen'/>"))
        #expect(xml.contains("<target type='xen' name='org.wsbridge.agent.0'/>"))
        #expect(xml.contains("<script path='vif-bridge'/>"))
        #expect(xml.contains("<outbound average='6400'/>"))
        #expect(!xml.contains("<inbound"))
        #expect(DomainXML.render(sampleSpec(.xenHVM)).contains("machine='xenfv'>hvm</type>"))
    }

    @Test("text and attributes are escaped")
    func escaping() throws {
        var spec = sampleSpec(.qemu, className: "a&b<c>'d\"")
        spec.cmdline = "console=ttyS0 x=\"1\" y<2 & z"
        let xml = DomainXML.render(spec)
        #expect(xml.contains("class='a&amp;b&lt;c&gt;&apos;d&quot;'"))
        #expect(xml.contains("<cmdline>console=ttyS0 x=\"1\" y&lt;2 &amp; z</cmdline>"))
        #expect(XMLTree.escape("a\u{1}b", attribute: false) == "a b")
        if haveXMLValidator { #expect(try validateDomainXML(xml).0 == 0) }
    }

    @Test("CPU weight and cap map into each scheduler's units, within the safe ranges")
    func cpuMapping() {
        #expect(CPUTuning(weight: 100, capPercent: nil).qemuShares == 1024)
        #expect(CPUTuning(weight: 5000, capPercent: nil).qemuShares == 10_000) // cgroup v2 limit
        #expect(CPUTuning(weight: 0, capPercent: nil).qemuShares == 2)
        #expect(CPUTuning(weight: 100, capPercent: nil).xenWeight == 256)
        #expect(CPUTuning(weight: 100, capPercent: 50).qemuGlobalQuota == 50_000)
        let xen = Dictionary(CPUTuning(weight: 50, capPercent: 25).schedulerParameters(forScheduler: "credit2"),
                             uniquingKeysWith: { $1 })
        #expect(xen["weight"] == .uint(128))
        #expect(xen["cap"] == .uint(25))
        let posix = Dictionary(CPUTuning(weight: 50, capPercent: nil).schedulerParameters(forScheduler: "posix"),
                               uniquingKeysWith: { $1 })
        #expect(posix["cpu_shares"] == .ullong(512))
        #expect(posix["global_quota"] == .llong(-1))
    }

    @Test("our metadata element round-trips through its parser")
    func metadataRoundTrip() throws {
        let meta = sampleSpec(.qemu).metadata
        let parsed = try #require(WorkspaceMetadata(xml: meta.element.rendered()))
        #expect(parsed == meta)
        #expect(WorkspaceMetadata(xml: "<other xmlns='x' id='1'/>") == nil)
        #expect(WorkspaceMetadata(xml: "<workspace/>") == nil)
    }

    @Test("Xen PV XML defines and starts on the test driver")
    func xenOnTestDriver() async throws {
        let c = try await LibvirtConnection.open("test:///default")
        let name = "wsb-xenpv-\(UUID().uuidString.prefix(8))"
        let d = try await c.defineDomain(xml: DomainXML.render(sampleSpec(.xenPV, name: name)))
        try await d.start()
        #expect(try await d.state().kind == .running)
        let live = try await d.xmlDescription()
        #expect(live.contains("<domain type='xen'"))
        #expect(live.contains("org.wsbridge.agent.0"))
        try await d.destroy()
        try await d.undefine()
        await c.close()
    }
}
