import Foundation
import Testing
@testable import LibvirtProvider

/// The Swift layer over libvirt, against the in-process test driver. All `test:///default`
/// connections of a process share one fake host, so every test uses its own domain names.
@Suite("libvirt connection and domains")
struct ConnectionTests {
    func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

    func minimalXML(_ name: String) -> String {
        "<domain type='test'><name>\(name)</name><memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
    }

    @Test("open, host facts, list, close")
    func openAndClose() async throws {
        let c = try await LibvirtConnection.open("test:///default")
        #expect(try await c.driverType() == "TEST")
        #expect(try await c.libraryVersion() >= 9_000_000)
        #expect(try await c.listAllDomains().contains { $0.name == "test" })
        #expect(await c.isAlive())
        await c.close()
        await c.close() // idempotent
        await #expect(throws: LibvirtError.connectionClosed(uri: "test:///default", reason: .client)) {
            _ = try await c.listAllDomains()
        }
    }

    @Test("full lifecycle with state reasons, memory, scheduler and save/restore")
    func lifecycle() async throws {
        let c = try await LibvirtConnection.open("test:///default")
        defer { Task { await c.close() } }
        let name = uniqueName("wsb-life")
        let d = try await c.defineDomain(xml: minimalXML(name))
        #expect(try await d.state().kind == .shutOff)
        #expect(try await d.isPersistent())
        try await d.start()
        #expect(try await d.state() == DomainState(kind: .running, reason: 1)) // BOOTED
        try await d.suspend()
        #expect(try await d.state().kind == .paused)
        try await d.resume()
        #expect(try await d.state() == DomainState(kind: .running, reason: 5)) // UNPAUSED

        try await d.setMemory(kiB: 131_072, impact: .live)
        #expect(try await d.info().memoryKiB == 131_072)

        #expect(try await d.schedulerType() == "fair")
        try await d.setSchedulerParameters([("weight", .uint(512))])
        // The test driver accepts and discards the weight (always reads 50): the call path and
        // the parameter decoding are what is checked here.
        #expect(try await d.schedulerParameters()["weight"] != nil)

        let dir = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/saved.img"
        try await d.save(to: file)
        #expect(try await d.state().isSaved)
        #expect(FileManager.default.fileExists(atPath: file))
        try await c.restoreDomain(from: file)
        #expect(try await c.lookupDomain(name: name).state() == DomainState(kind: .running, reason: 3)) // RESTORED

        try await d.destroy()
        #expect(try await d.state() == DomainState(kind: .shutOff, reason: 2)) // DESTROYED
        try await d.undefine()
        await #expect { _ = try await c.lookupDomain(name: name) } throws: { ($0 as? LibvirtError)?.isNoDomain == true }
    }

    @Test("metadata: absent on foreign domains, set and read back in our namespace")
    func metadata() async throws {
        let c = try await LibvirtConnection.open("test:///default")
        defer { Task { await c.close() } }
        let d = try await c.defineDomain(xml: minimalXML(uniqueName("wsb-meta")))
        #expect(try await d.metadata(namespace: WorkspaceMetadata.namespace) == nil)
        let meta = WorkspaceMetadata(workspaceID: "ws-42", className: "big", createdAt: 10, leaseExpiresAt: 20,
                                     endpoint: "/x/ws-42.agent", instanceDirectory: "/y")
        try await d.setMetadata(meta.elementForSetMetadata, key: WorkspaceMetadata.prefix, namespace: WorkspaceMetadata.namespace)
        let back = try #require(try await d.metadata(namespace: WorkspaceMetadata.namespace))
        #expect(WorkspaceMetadata(xml: back) == meta)
        try await d.setMetadata(nil, key: WorkspaceMetadata.prefix, namespace: WorkspaceMetadata.namespace)
        #expect(try await d.metadata(namespace: WorkspaceMetadata.namespace) == nil)
        try await d.undefine()
    }

    @Test("lifecycle events arrive through the event loop, and stop after cancel")
    func events() async throws {
        let c = try await LibvirtConnection.open("test:///default")
        defer { Task { await c.close() } }
        let name = uniqueName("wsb-ev")
        let seen = EventLog()
        let registration = try await c.onLifecycleEvent { if $0.domainName == name { seen.add($0.kind) } }
        let d = try await c.defineDomain(xml: minimalXML(name))
        try await d.start()
        try await d.suspend()
        try await d.resume()
        try await d.destroy()
        for _ in 0..<100 where seen.kinds.count < 5 { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(seen.kinds == [.defined, .started, .suspended, .resumed, .stopped])
        await registration.cancel()
        try await d.undefine()
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(!seen.kinds.contains(.undefined))
    }

    @Test("events as an async sequence")
    func eventStream() async throws {
        let c = try await LibvirtConnection.open("test:///default")
        let name = uniqueName("wsb-evs")
        let stream = try await c.lifecycleEvents()
        let d = try await c.defineDomain(xml: minimalXML(name))
        try await d.start()
        var kinds: [DomainLifecycleEvent.Kind] = []
        for await e in stream where e.domainName == name {
            kinds.append(e.kind)
            if kinds.count == 2 { break }
        }
        #expect(kinds == [.defined, .started])
        try await d.destroy()
        try await d.undefine()
        await c.close()
    }

    @Test("bad XML is refused with a typed XML error")
    func badXML() async throws {
        let c = try await LibvirtConnection.open("test:///default")
        defer { Task { await c.close() } }
        await #expect { _ = try await c.defineDomain(xml: "<domain type='test'><name>x</name>") } throws: { e in
            guard case .call(let op, let code, _, let message) = e as? LibvirtError else { return false }
            return op.contains("virDomainDefineXML") && (e as? LibvirtError)?.isXMLError == true && code == .xmlDetail
                && message.contains("Premature end of data")
        }
        // Schema validation catches an element libvirt would otherwise ignore.
        let typo = "<domain type='test'><name>\(uniqueName("wsb-typo"))</name><memory>1024</memory><vcpuu>1</vcpuu><os><type>hvm</type></os></domain>"
        await #expect { _ = try await c.defineDomain(xml: typo) } throws: {
            ($0 as? LibvirtError)?.code == .xmlInvalidSchema
        }
    }

    @Test("starting a running domain fails with a libvirt error, not a crash")
    func startFailure() async throws {
        let c = try await LibvirtConnection.open("test:///default")
        defer { Task { await c.close() } }
        let d = try await c.defineDomain(xml: minimalXML(uniqueName("wsb-twice")))
        try await d.start()
        await #expect { try await d.start() } throws: { e in
            guard case .call(_, let code, _, _) = e as? LibvirtError else { return false }
            return code == .internalError || code == .operationInvalid
        }
        try await d.destroy()
        try await d.undefine()
    }

    @Test("a hung daemon times out instead of blocking the caller")
    func hungDaemon() async throws {
        let dir = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fake = try FakeDaemonSocket(path: dir + "/hung.sock", behaviour: .hang)
        defer { fake.stop() }
        let start = Date()
        await #expect(throws: LibvirtError.timedOut(operation: "virConnectOpen", uri: fake.uri, seconds: 1)) {
            _ = try await LibvirtConnection.open(fake.uri, openTimeout: 1)
        }
        // libvirt itself would wait for minutes; the bound is loose because the whole suite runs
        // in parallel on a small machine, where a resumed task may wait for a thread.
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test("a daemon that hangs up or is absent gives a host-failure error")
    func deadDaemon() async throws {
        let dir = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fake = try FakeDaemonSocket(path: dir + "/dead.sock", behaviour: .hangUp)
        defer { fake.stop() }
        for uri in [fake.uri, "qemu+unix:///system?socket=\(dir)/absent.sock"] {
            await #expect(performing: { _ = try await LibvirtConnection.open(uri, openTimeout: 10) }, throws: { e in
                guard let e = e as? LibvirtError, case .call = e else { return false }
                return e.isHostFailure
            })
        }
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [DomainLifecycleEvent.Kind] = []
    func add(_ k: DomainLifecycleEvent.Kind) { lock.withLock { list.append(k) } }
    var kinds: [DomainLifecycleEvent.Kind] { lock.withLock { list } }
}
