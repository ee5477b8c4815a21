import Foundation
import Testing
import WorkspaceBridge
@testable import LibvirtProvider

/// The provider against private fake hosts (`test:///<node file>`): everything but a real guest.
@Suite("Libvirt provider on the test driver")
struct ProviderTests {
    struct Fixture {
        let dir: String
        let kernel: String
        let uris: [String]
        let provider: LibvirtProvider

        init(hosts: Int = 1, foreign: Int = 1) throws {
            dir = makeTempDirectory()
            kernel = dir + "/vmlinuz"
            try Data("not really a kernel".utf8).write(to: URL(fileURLWithPath: kernel))
            var list: [String] = []
            for _ in 0..<hosts {
                let node = try writeNodeFile(in: dir, domains: (0..<foreign).map { ("foreign-\($0)", nil, false) })
                list.append("test://\(node)")
            }
            uris = list
            provider = testProvider(dir: dir, uris: list)
        }

        func cleanup() async {
            await provider.hosts.closeAll()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test("create defines and starts a tagged domain; destroy removes it and is idempotent",
          arguments: ["qemu", "kvm", "xen"])
    func createDestroy(kind: String) async throws {
        let f = try Fixture()
        let cls = testClass(uris: f.uris, kind: kind, kernel: f.kernel, cap: 50)
        let ws = try await f.provider.create(id: "ws-\(kind)-1", workspaceClass: cls)
        #expect(ws.provider == "libvirt")
        #expect(ws.state == .ready)
        let name = f.provider.domainName(for: "ws-\(kind)-1")
        #expect(name == "wsb-\(f.provider.configuration.scope)-ws-\(kind)-1")
        #expect(ws.handle == "\(f.uris[0])#\(name)")
        #expect(ws.endpoint.hasSuffix("/sock/\(name).agent"))
        #expect(ws.leaseExpiresAt - ws.createdAt == Double(cls.leaseSeconds))
        #expect(ws.enforcement.contains { $0.control == "memory" && $0.detail.hasPrefix("256 MiB") })
        #expect(await f.provider.isAlive(ws))
        #expect(try await f.provider.discover() == ["ws-\(kind)-1"])

        let c = try await f.provider.hosts.connection(f.uris[0])
        let domain = try await c.lookupDomain(name: name)
        let xml = try await domain.xmlDescription(inactive: true)
        #expect(xml.contains("<domain type='\(kind == "xen" ? "xen" : kind)'"))
        #expect(xml.contains(WorkspaceMetadata.namespace))
        // The kernel went through the cache.
        #expect(xml.contains("\(f.dir)/state/images/sha256-"))

        try await f.provider.destroy(ws)
        #expect(await f.provider.isAlive(ws) == false)
        #expect(await f.provider.status(ws) == .gone)
        #expect(try await f.provider.discover().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(f.dir)/state/instances/\(name)"))
        try await f.provider.destroy(ws) // again: no error
        // The foreign domain is still there and running.
        #expect(try await c.lookupDomain(name: "foreign-0").state().kind == .running)
        await f.cleanup()
    }

    @Test("a guest's image digest is the class's when made, and changes with its kernel, initrd and command line")
    func imageDigest() async throws {
        let f = try Fixture()
        let initrd = f.dir + "/initrd.img"
        try Data("an initramfs".utf8).write(to: URL(fileURLWithPath: initrd))
        var cls = testClass(uris: f.uris, kernel: f.kernel, extra: ["initrd": initrd])
        let before = try await f.provider.imageDigest(of: cls)
        let ws = try await f.provider.create(id: "ws-d1", workspaceClass: cls)
        #expect(ws.imageDigest == before)

        try Data("another kernel".utf8).write(to: URL(fileURLWithPath: f.kernel))
        let kernel = try await f.provider.imageDigest(of: cls)
        #expect(kernel != before)
        let made = try await f.provider.create(id: "ws-d2", workspaceClass: cls)
        #expect(made.imageDigest == kernel)
        try Data("another initramfs".utf8).write(to: URL(fileURLWithPath: initrd))
        let initramfs = try await f.provider.imageDigest(of: cls)
        #expect(initramfs != kernel)
        cls.settings["cmdline"] = "systemd.unit=rescue.target"
        #expect(try await f.provider.imageDigest(of: cls) != initramfs)
        cls.memoryMB = 512
        cls.settings["cmdline"] = nil
        #expect(try await f.provider.imageDigest(of: cls) == initramfs, "resources are not the image")
        for w in [ws, made] { try await f.provider.destroy(w) }
        await f.cleanup()
    }

    @Test("suspend, resume, save, restore, memory and CPU re-tuning")
    func runtimeControls() async throws {
        let f = try Fixture()
        let ws = try await f.provider.create(id: "ws-rt", workspaceClass: testClass(uris: f.uris, kernel: f.kernel,
                                                                                       extra: ["max_memory_mb": "512"]))
        try await f.provider.suspend(ws)
        guard case .paused = await f.provider.status(ws) else { Issue.record("not paused"); return }
        try await f.provider.resume(ws)
        guard case .running = await f.provider.status(ws) else { Issue.record("not running"); return }

        let file = try await f.provider.save(ws)
        #expect(FileManager.default.fileExists(atPath: file))
        guard case .stopped(let st) = await f.provider.status(ws), st.isSaved else { Issue.record("not saved"); return }
        #expect(await f.provider.isAlive(ws) == false)
        try await f.provider.restore(ws)
        #expect(await f.provider.isAlive(ws))
        #expect(!FileManager.default.fileExists(atPath: file))

        try await f.provider.setMemory(ws, megabytes: 384)
        let domain = try await f.provider.domain(of: ws)
        #expect(try await domain.info().memoryKiB == 384 * 1024)

        let applied = try await f.provider.setCPU(ws, weight: 200, capPercent: nil)
        #expect(applied["weight"] == .uint(512)) // test driver: "fair" scheduler, Xen-style weight
        try await f.provider.destroy(ws)
        await f.cleanup()
    }

    @Test("placement spreads workspaces over hosts, fewest of ours first")
    func placement() async throws {
        let f = try Fixture(hosts: 2, foreign: 2)
        let cls = testClass(uris: f.uris, kernel: f.kernel)
        var perHost: [String: Int] = [:]
        for i in 0..<4 {
            let ws = try await f.provider.create(id: "ws-p\(i)", workspaceClass: cls)
            perHost[LibvirtProvider.parseHandle(ws.handle)!.uri, default: 0] += 1
        }
        #expect(perHost == [f.uris[0]: 2, f.uris[1]: 2])
        #expect(try await f.provider.discover() == ["ws-p0", "ws-p1", "ws-p2", "ws-p3"])
        await f.cleanup()
    }

    @Test("a hung host is skipped by placement and reported by discover")
    func hungHost() async throws {
        let f = try Fixture()
        let fake = try FakeDaemonSocket(path: f.dir + "/hung.sock", behaviour: .hang)
        defer { fake.stop() }
        let provider = testProvider(dir: f.dir, uris: [fake.uri] + f.uris, callTimeout: 1, openTimeout: 1)
        let ws = try await provider.create(id: "ws-h", workspaceClass: testClass(uris: [fake.uri] + f.uris, kernel: f.kernel))
        #expect(ws.handle.hasPrefix(f.uris[0]))
        await #expect { _ = try await provider.discover() } throws: { e in
            guard case .noHostAvailable(let errors) = e as? LibvirtProviderError,
                  case .timedOut = errors[fake.uri] else { return false }
            return true
        }
        let plan = await provider.reconcile(known: ["ws-h", "ws-elsewhere"])
        #expect(plan.adopt.map(\.metadata.workspaceID) == ["ws-h"])
        #expect(plan.missing.isEmpty) // the silent host might hold ws-elsewhere
        #expect(plan.unreachable.keys.contains(fake.uri))

        let only = testProvider(dir: f.dir, uris: [fake.uri], callTimeout: 1, openTimeout: 1)
        await #expect { _ = try await only.create(id: "ws-none", workspaceClass: testClass(uris: [fake.uri], kernel: f.kernel)) } throws: {
            ($0 as? LibvirtProviderError)?.isHostFailure == true
        }
        await provider.hosts.closeAll()
        await f.cleanup()
    }

    @Test("bad class settings and a missing kernel are reported before anything is defined")
    func badSettings() async throws {
        let f = try Fixture()
        await #expect { _ = try await f.provider.create(id: "ws-b1", workspaceClass: testClass(uris: f.uris, kind: "vmware", kernel: f.kernel)) } throws: { e in
            guard case .configuration(let m) = e as? LibvirtProviderError else { return false }
            return m.contains("domain_type")
        }
        await #expect { _ = try await f.provider.create(id: "ws-b2", workspaceClass: testClass(uris: f.uris, kernel: f.dir + "/nope")) } throws: { e in
            guard case .image = e as? LibvirtProviderError else { return false }
            return true
        }
        #expect(try await f.provider.discover().isEmpty)
        await f.cleanup()
    }

    @Test("a handle that names a foreign domain is never destroyed")
    func foreignHandle() async throws {
        let f = try Fixture()
        let fake = Workspace(id: "x", className: "c", provider: "libvirt", state: .ready, pid: nil, endpoint: "",
                             handle: "\(f.uris[0])#foreign-0", createdAt: 0, leaseExpiresAt: 0, lastUsedAt: 0)
        await #expect(throws: LibvirtProviderError.self) { try await f.provider.destroy(fake) }
        let c = try await f.provider.hosts.connection(f.uris[0])
        #expect(try await c.lookupDomain(name: "foreign-0").state().kind == .running)
        await f.cleanup()
    }

    @Test("two daemons on one host: same workspace ids, no collision; each sees and destroys only its own")
    func twoDaemonsOneHost() async throws {
        // All test:///default connections of a process share one fake host.
        let dir = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kernel = dir + "/vmlinuz"
        try Data("k".utf8).write(to: URL(fileURLWithPath: kernel))
        let uri = "test:///default"
        let a = testProvider(dir: dir + "/a", uris: [uri]), b = testProvider(dir: dir + "/b", uris: [uri])
        #expect(a.configuration.scope != b.configuration.scope)
        let cls = testClass(uris: [uri], kernel: kernel)
        let wa = try await a.create(id: "ws-1", workspaceClass: cls)
        let wb = try await b.create(id: "ws-1", workspaceClass: cls)
        #expect(wa.handle != wb.handle)
        #expect(try await a.discover() == ["ws-1"])
        #expect(try await b.discover() == ["ws-1"])

        // What the reconciler does with a leak it knows only by id: destroy by metadata.
        let stub = Workspace(id: "ws-1", className: "", provider: "libvirt", state: .lost, pid: nil, endpoint: "",
                             handle: "", createdAt: 0, leaseExpiresAt: 0, lastUsedAt: 0)
        try await a.destroy(stub)
        #expect(await a.status(wa) == .gone)
        #expect(try await a.discover().isEmpty)
        #expect(await b.isAlive(wb))
        #expect(try await b.discover() == ["ws-1"])
        // b's domain is foreign to a: a handle naming it is refused.
        await #expect(throws: LibvirtProviderError.self) { try await a.destroy(wb) }
        try await b.destroy(wb)
        #expect(try await b.discover().isEmpty)
        await a.hosts.closeAll()
        await b.hosts.closeAll()
    }

    @Test("handles and domain names")
    func names() {
        #expect(LibvirtProvider.domainName(for: "ws-01/ä b") == "wsb-ws-01___b")
        #expect(LibvirtProvider.domainName(for: "ws-1", scope: "d12ab") == "wsb-d12ab-ws-1")
        let h = LibvirtProvider.handle(uri: "qemu+ssh://root@node/system", domainName: "wsb-ws-1")
        #expect(LibvirtProvider.parseHandle(h)! == ("qemu+ssh://root@node/system", "wsb-ws-1"))
        #expect(LibvirtProvider.parseHandle("nohash") == nil)
    }

    /// `wsbridge workspaces` shows the host a remote URI names; a guest here has none.
    @Test("the host of a workspace")
    func hostOfAWorkspace() {
        let p = testProvider(dir: NSTemporaryDirectory() + "wsb-host-\(getpid())", uris: ["test:///default"])
        func ws(_ handle: String) -> Workspace {
            Workspace(id: "ws-1", className: "c", provider: "libvirt", state: .ready, pid: nil, endpoint: "", handle: handle,
                      createdAt: 0, leaseExpiresAt: 0, lastUsedAt: 0)
        }
        #expect(p.remoteHost(of: ws("qemu+ssh://root@node2.example.org/system#wsb-ws-1")) == "node2.example.org")
        #expect(p.remoteHost(of: ws("jobvm:xen+ssh://node3/system#wsb-ws-1")) == "node3")
        #expect(p.remoteHost(of: ws("qemu:///system#wsb-ws-1")) == nil)
        #expect(p.remoteHost(of: ws("")) == nil)
    }
}
