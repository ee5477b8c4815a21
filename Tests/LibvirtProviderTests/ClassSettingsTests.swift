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

    /// A remote host's guests would have their agent socket on that host: refused at once, with why.
    @Test func remoteHostsAreRefusedWithAReason() {
        #expect {
            _ = try settings("qemu:///system,qemu+ssh://node2.example.org/system")
        } throws: { error in
            "\(error)".contains("qemu+ssh://node2.example.org/system") && "\(error)".contains("not supported yet")
        }
    }
}
