import Testing
import WorkspaceBridge
@testable import LibvirtProvider

/// What the daemon's metrics and status page show of libvirt hosts.
@Suite struct HostHealthTests {
    @Test func workspacesAreNamedByTheirHypervisorsHost() {
        func workspace(_ handle: String) -> Workspace {
            Workspace(id: "ws-1", className: "vm", provider: "libvirt", state: .ready, pid: nil, endpoint: "", handle: handle,
                      createdAt: 0, leaseExpiresAt: 0, lastUsedAt: 0)
        }
        let provider = LibvirtProvider(uris: ["test:///default"])
        #expect(provider.host(of: workspace(LibvirtProvider.handle(uri: "qemu+ssh://root@node1/system", domainName: "wsb-1"))) == "node1")
        #expect(provider.host(of: workspace(LibvirtProvider.handle(uri: "qemu:///system", domainName: "wsb-1"))) == "localhost")
        #expect(provider.host(of: workspace("")) == "localhost")
    }

    @Test func theHostPoolRemembersWhichHostsAnswered() async {
        let pool = LibvirtHostPool(openTimeout: 5, callTimeout: 5)
        _ = try? await pool.connection("test:///default")
        _ = try? await pool.connection("nosuchdriver:///nothing")
        let reached = await pool.reachability()
        #expect(reached["test:///default"] == true)
        #expect(reached["nosuchdriver:///nothing"] == false)
        await pool.closeAll()
    }
}
