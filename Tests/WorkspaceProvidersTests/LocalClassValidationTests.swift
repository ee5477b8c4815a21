import Foundation
import Testing
@testable import WorkspaceProviders
import WorkspaceBridge

/// A local class gets the network it asks for or is refused when the config is read: its jobs
/// never run on another network than the one named.
@Suite struct LocalClassValidationTests {
    let provider = LocalProvider(stateDirectory: NSTemporaryDirectory() + "wsb-validate-\(UUID().uuidString.prefix(8))",
                                 agentExecutable: "/bin/false", journalPath: nil, cgroups: .detect(root: "/nonexistent"),
                                 bwrap: nil, scratchDisk: .failure(.init(reason: "test")),
                                 shapedNetwork: .success(ShapedNetwork(ip: HostTool(path: "/bin/false"), tc: HostTool(path: "/bin/false"))))

    func cls(_ network: WorkspaceNetwork, _ settings: [String: String]) -> WorkspaceClass {
        WorkspaceClass(name: "c", network: network, settings: settings)
    }

    @Test func ratesAreKiBPerSecondEachWay() throws {
        let r = try #require(try LocalProvider.shapedRates(cls(.shaped, ["bandwidth_kbps": "1024", "outbound_kbps": "512"])))
        #expect(r.inboundBytesPerSecond == 1 << 20 && r.outboundBytesPerSecond == 512 << 10)
        #expect(try LocalProvider.shapedRates(cls(.host, [:])) == nil)
        try provider.validate(cls(.shaped, ["inbound_kbps": "100"]))
        try provider.validate(cls(.host, [:]))
        try provider.validate(cls(.none, [:]))
    }

    @Test func shapedWithoutRatesRatesWithoutShapingAndBadRatesAreRefused() {
        #expect { try provider.validate(cls(.shaped, [:])) } throws: { "\($0)".contains("needs bandwidth_kbps") }
        #expect { try provider.validate(cls(.host, ["bandwidth_kbps": "10"])) } throws: { "\($0)".contains("shapes only network = \"shaped\"") }
        for bad in ["0", "-1", "1.5", "lots", "1073741825", "99999999999999999999"] {
            #expect { try provider.validate(cls(.shaped, ["bandwidth_kbps": bad])) } throws: { "\($0)".contains("settings.bandwidth_kbps") }
        }
    }

    @Test func shapedIsRefusedWhereNamespacesCannotBeMade() {
        let without = LocalProvider(stateDirectory: provider.stateDirectory, agentExecutable: "/bin/false", journalPath: nil,
                                    cgroups: .detect(root: "/nonexistent"), bwrap: nil, scratchDisk: .failure(.init(reason: "test")),
                                    shapedNetwork: .failure(.init(reason: "tc is not installed (iproute2)")))
        #expect { try without.validate(cls(.shaped, ["bandwidth_kbps": "10"])) } throws: { "\($0)".contains("tc is not installed") }
    }

    @Test func namesFitInterfaceNamesAndDifferPerWorkspaceAndDaemon() {
        let a = ShapedNetwork.Names(scope: "d1234", id: "ws-1"), b = ShapedNetwork.Names(scope: "d1234", id: "ws-2")
        let c = ShapedNetwork.Names(scope: "d9999", id: "ws-1")
        #expect(a.hostEnd.count <= 15 && a.workspaceEnd.count <= 15)
        #expect(Set([a.hostEnd, b.hostEnd, c.hostEnd]).count == 3 && a.namespace != c.namespace)
        #expect(ShapedNetwork.Names(scope: "d1234", id: "ws-1") == a, "stable: a restarted daemon finds a leaked one")
    }

    @Test func theBucketHoldsAFiftiethOfASecondAndAtLeastSixteenKiB() {
        #expect(ShapedNetwork.tbf(1 << 20) == ["tbf", "rate", "8388608bit", "burst", "20971", "latency", "50ms"])
        #expect(ShapedNetwork.tbf(1024)[4] == "16384")
    }
}
