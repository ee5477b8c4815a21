import Testing
import WorkspaceBridge
@testable import LibvirtProvider

@Suite struct ClassSettingsTests {
    func settings(_ uris: String) throws(ConfigError) -> LibvirtClassSettings {
        try LibvirtClassSettings(WorkspaceClass(name: "vm", provider: "libvirt", settings: ["uris": uris, "kernel": "/boot/vmlinuz"]))
    }

    @Test func localURIsAreAccepted() throws {
        #expect(try settings("qemu:///system, test:///default").uris == ["qemu:///system", "test:///default"])
    }

    @Test func remoteHostsAreAcceptedWithTheirPool() throws {
        let s = try LibvirtClassSettings(WorkspaceClass(name: "vm", provider: "libvirt", settings: [
            "uris": "qemu:///system,qemu+ssh://root@node2.example.org/system?keyfile=/etc/wsbridge/key",
            "kernel": "/boot/vmlinuz", "storage_pool": "grid", "storage_pool_path": "/srv/pool"]))
        #expect(s.uris.count == 2)
        #expect(s.storagePool == "grid" && s.storagePoolPath == "/srv/pool")
        #expect(try settings("qemu:///system").storagePool == "wsbridge")
    }

    @Test func maxCPUsIsBetweenTheClassCPUsAnd255() throws {
        func maxCPUs(_ v: String, cpus: Int = 2) throws(ConfigError) -> Int? {
            try LibvirtClassSettings(WorkspaceClass(name: "vm", provider: "libvirt", cpus: cpus,
                                                    settings: ["kernel": "/boot/vmlinuz", "max_cpus": v])).maxCPUs
        }
        #expect(try maxCPUs("4") == 4)
        #expect(try maxCPUs("2") == 2)
        for bad in ["1", "256", "0", "-3", "many", "99999999999999999999"] {
            #expect(throws: ConfigError.self, "\(bad)") { try maxCPUs(bad) }
        }
    }

    @Test func whichURIsAreRemote() {
        #expect(!LibvirtClassSettings.isRemote("qemu:///system"))
        #expect(!LibvirtClassSettings.isRemote("xen:///system"))
        #expect(!LibvirtClassSettings.isRemote("test:///default"))
        #expect(LibvirtClassSettings.isRemote("qemu+ssh://root@node2/system"))
        #expect(LibvirtClassSettings.isRemote("qemu+tls://node2.example.org/system"))
        #expect(LibvirtClassSettings.isRemote("xen+ssh://127.0.0.1:2222/system?no_verify=1"))
    }

    @Test func badURIsAndPoolPathsAreRefusedWithTheKey() {
        #expect { _ = try settings("node2/system") } throws: { "\($0)".contains("uris") && "\($0)".contains("not a libvirt URI") }
        #expect {
            _ = try LibvirtClassSettings(WorkspaceClass(name: "vm", provider: "libvirt", settings: [
                "kernel": "/boot/vmlinuz", "storage_pool_path": "pool"]))
        } throws: { "\($0)".contains("storage_pool_path") && "\($0)".contains("absolute") }
    }
}
