import Testing
import WorkspaceBridge
@testable import LibvirtProvider

/// What the daemon's metrics and status page show of libvirt hosts.
@Suite struct HostHealthTests {
    @Test func theHostPoolRemembersWhichHostsAnswered() async {
        let pool = LibvirtHostPool(openTimeout: 5, callTimeout: 5)
        _ = try? await pool.connection("test:///default")
        _ = try? await pool.connection("nosuchdriver:///nothing")
        let reached = await pool.reachability()
        #expect(reached["test:///default"] == true)
        #expect(reached["nosuchdriver:///nothing"] == false)
        await pool.closeAll()
        #expect(await pool.reachability()["test:///default"] == true)
    }

    @Test func localHypervisorsAreThisHost() async {
        let provider = LibvirtProvider(uris: ["test:///default"])
        _ = try? await provider.hosts.connection("test:///default")
        let hosts = await provider.hostReachability()
        #expect(hosts.count == 1 && hosts[0].host == nil && hosts[0].reachable)
        await provider.hosts.closeAll()
    }
}
