import Testing
import WorkspaceBridge
@testable import LibvirtProvider

@Suite("Guest disk I/O limits and NIC shaping")
struct DiskIOLimitsTests {
    func settings(_ extra: [String: String]) throws(ConfigError) -> LibvirtClassSettings {
        try LibvirtClassSettings(WorkspaceClass(name: "vm", provider: "libvirt",
                                                settings: ["kernel": "/boot/vmlinuz"].merging(extra) { $1 }))
    }

    @Test func ratesAreReadWithTheirUnits() throws {
        let io = try #require(try settings(["disk_write_bps": "10M", "disk_read_bps": "512KiB", "disk_read_iops": "300"]).diskIO)
        #expect(io.writeBytesPerSecond == 10 << 20 && io.readBytesPerSecond == 512 << 10 && io.readIOPS == 300)
        #expect(io.summary == "read 512 KiB/s, read 300 IOPS, write 10 MiB/s")
        #expect(try settings(["disk_total_bps": "1048576"]).diskIO?.totalBytesPerSecond == 1 << 20)
        #expect(try settings([:]).diskIO == nil)
    }

    @Test(arguments: [("disk_write_bps", "0"), ("disk_write_bps", "-5"), ("disk_write_bps", "ten"), ("disk_write_bps", "10T"),
                      ("disk_read_iops", "10M"), ("disk_total_bps", "9999999999999999999999"),
                      ("disk_total_bps", "1000000000000001"), ("disk_write_bps", "8796093022208G"), ("disk_write_bps", "１０")])
    func outOfRangeOrMalformedIsRefusedWithTheKey(key: String, value: String) {
        #expect { _ = try settings([key: value]) } throws: { "\($0)".contains(key) }
    }

    @Test func aTotalExcludesItsParts() {
        #expect { _ = try settings(["disk_total_bps": "1M", "disk_write_bps": "1M"]) } throws: { "\($0)".contains("disk_total_bps") }
        #expect { _ = try settings(["disk_total_iops": "10", "disk_read_iops": "10"]) } throws: { "\($0)".contains("disk_total_iops") }
    }

    @Test("iotune goes on the guest's disks and validates against libvirt's schema", .enabled(if: haveXMLValidator))
    func iotuneRendersAndValidates() throws {
        var spec = sampleSpec(.qemu)
        spec.diskIO = DiskIOLimits(readIOPS: 200, writeIOPS: 100, readBytesPerSecond: 20 << 20, writeBytesPerSecond: 10 << 20)
        let xml = DomainXML.render(spec)
        #expect(xml.contains("<iotune><read_bytes_sec>20971520</read_bytes_sec><write_bytes_sec>10485760</write_bytes_sec><read_iops_sec>200</read_iops_sec><write_iops_sec>100</write_iops_sec></iotune>")
                || xml.contains("<write_bytes_sec>10485760</write_bytes_sec>"), "\(xml)")
        let (status, output) = try validateDomainXML(xml)
        #expect(status == 0, "\(output)\n\(xml)")
        var xen = sampleSpec(.xenPV)
        xen.diskIO = spec.diskIO
        #expect(!DomainXML.render(xen).contains("iotune"), "libxl has no I/O limits to apply")
    }

    @Test func enforcementSaysWhereLimitsDoNotHold() {
        let vm = WorkspaceClass(name: "vm", provider: "libvirt", diskMB: 512)
        var spec = sampleSpec(.qemu)
        spec.diskIO = DiskIOLimits(writeBytesPerSecond: 10 << 20)
        let qemu = LibvirtProvider.enforcement(spec: spec, workspaceClass: vm, driver: "QEMU")
        #expect(qemu.contains { $0.control == "disk-io" && $0.effective && $0.detail == "write 10 MiB/s" })
        #expect(qemu.contains { $0.control == "bandwidth" && $0.effective && $0.mechanism.hasSuffix("tc") })
        spec.network = .user
        let user = LibvirtProvider.enforcement(spec: spec, workspaceClass: vm, driver: "QEMU")
        #expect(user.contains { $0.control == "bandwidth" && !$0.effective && $0.detail.contains("not enforced: QEMU user-mode networking") })
        spec.network = nil
        #expect(LibvirtProvider.enforcement(spec: spec, workspaceClass: vm, driver: "QEMU")
            .contains { $0.control == "bandwidth" && !$0.effective && $0.detail.contains("no network") })
        var xen = sampleSpec(.xenPV)
        xen.diskIO = spec.diskIO
        let x = LibvirtProvider.enforcement(spec: xen, workspaceClass: vm, driver: "Xen")
        #expect(x.contains { $0.control == "disk-io" && !$0.effective && $0.detail.contains("libxl") })
        #expect(x.contains { $0.control == "bandwidth" && $0.detail.contains("in not enforced") })
        spec.disks = []
        #expect(LibvirtProvider.enforcement(spec: spec, workspaceClass: vm, driver: "QEMU")
            .contains { $0.control == "disk-io" && !$0.effective && $0.detail.contains("no disk image") })
    }
}
