import Foundation
import Testing
@testable import LibvirtProvider

@Suite("Reconciliation")
struct ReconciliationTests {
    func found(_ id: String, uri: String = "test:///a", name: String? = nil) -> DiscoveredWorkspace {
        DiscoveredWorkspace(uri: uri, domainName: name ?? "wsb-\(id)",
                            metadata: WorkspaceMetadata(workspaceID: id, className: "c", createdAt: 0, leaseExpiresAt: 0,
                                                        endpoint: "", instanceDirectory: ""),
                            state: DomainState(kind: .running, reason: 1))
    }

    @Test("known are adopted, unknown destroyed, absent known reported missing")
    func decisions() {
        let plan = Reconciliation.plan(discovered: [found("ws-1"), found("ws-leak")], known: ["ws-1", "ws-2"], foreignCount: 3)
        #expect(plan.adopt.map(\.metadata.workspaceID) == ["ws-1"])
        #expect(plan.destroy.map(\.metadata.workspaceID) == ["ws-leak"])
        #expect(plan.missing == ["ws-2"])
        #expect(plan.foreignCount == 3)
    }

    @Test("nothing is declared missing while a host is unreachable")
    func unreachableHost() {
        let plan = Reconciliation.plan(discovered: [found("ws-1")], known: ["ws-1", "ws-2"],
                                       unreachable: ["qemu+ssh://n2/system": .timedOut(operation: "list", uri: "n2", seconds: 1)])
        #expect(plan.missing.isEmpty)
        #expect(plan.adopt.count == 1)
    }

    @Test("a duplicate of a known id on a second host is destroyed, one copy adopted")
    func duplicate() {
        let plan = Reconciliation.plan(discovered: [found("ws-1", uri: "test:///b"), found("ws-1", uri: "test:///a")], known: ["ws-1"])
        #expect(plan.adopt.map(\.uri) == ["test:///a"])
        #expect(plan.destroy.map(\.uri) == ["test:///b"])
    }

    @Test("against a fake host: foreign untouched, leaked destroyed, live adopted")
    func onTestDriver() async throws {
        let dir = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = try writeNodeFile(in: dir, domains: [
            ("foreign-db", nil, false),
            ("foreign-off", nil, true),
            ("wsb-live", metadataElement(id: "ws-live"), false),
            ("wsb-leaked", metadataElement(id: "ws-leaked"), false),
            ("wsb-leaked-off", metadataElement(id: "ws-leaked-off"), true),
        ])
        let uri = "test://\(node)"
        let provider = testProvider(dir: dir, uris: [uri])
        #expect(try await provider.discover() == ["ws-leaked", "ws-leaked-off", "ws-live"])

        let plan = await provider.reconcile(known: ["ws-live", "ws-gone"])
        #expect(plan.adopt.map(\.domainName) == ["wsb-live"])
        #expect(Set(plan.destroy.map(\.domainName)) == ["wsb-leaked", "wsb-leaked-off"])
        #expect(plan.missing == ["ws-gone"])
        #expect(plan.foreignCount == 2)
        let adopted = provider.adoptable(plan.adopt[0])
        #expect(adopted.handle == "\(uri)#wsb-live")
        #expect(await provider.isAlive(adopted))

        let failures = await provider.apply(plan)
        #expect(failures.isEmpty)
        let c = try await provider.hosts.connection(uri)
        let names = Set(try await c.listAllDomains().map(\.name))
        #expect(names == ["foreign-db", "foreign-off", "wsb-live"])
        #expect(try await c.lookupDomain(name: "foreign-db").state().kind == .running)
        #expect(try await provider.discover() == ["ws-live"])
        await provider.hosts.closeAll()
    }
}
