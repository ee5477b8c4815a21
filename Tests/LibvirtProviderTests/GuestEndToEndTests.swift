import Foundation
import Testing
import WorkspaceBridge
@testable import LibvirtProvider

/// Boots the real guest image under QEMU through a real libvirtd. Opt-in, because it needs root,
/// a running libvirtd and a built guest:
///
///     contrib/libvirt/start-libvirtd.sh
///     swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product wsbridge-agent
///     contrib/guest-image/build.sh /var/tmp/wsbridge-guest .build/release/wsbridge-agent
///     WSBRIDGE_LIBVIRT_E2E=1 WSBRIDGE_GUEST_DIR=/var/tmp/wsbridge-guest swift test --filter GuestEndToEnd
///
/// The guest runs in `wsbridge.agent=echo` mode, so the channel is proven without the agent:
/// every byte written to the host socket comes back. `WSBRIDGE_LIBVIRT_URI` overrides
/// `qemu:///system`. Guests are TCG (`domain_type = qemu`): no KVM is assumed.
@Suite("Guest end to end (WSBRIDGE_LIBVIRT_E2E=1)", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["WSBRIDGE_LIBVIRT_E2E"] == "1"))
struct GuestEndToEndTests {
    let env = ProcessInfo.processInfo.environment
    var uri: String { env["WSBRIDGE_LIBVIRT_URI"] ?? "qemu:///system" }
    var guestDir: String { env["WSBRIDGE_GUEST_DIR"] ?? "/var/tmp/wsbridge-guest" }

    func provider(_ dir: String) -> LibvirtProvider {
        LibvirtProvider(configuration: .init(stateDirectory: dir + "/state", socketDirectory: dir + "/s",
                                             openTimeout: 90, callTimeout: 60), uris: [uri])
    }

    func guestClass(cmdline: String = "wsbridge.agent=echo", cap: Int? = nil) -> WorkspaceClass {
        WorkspaceClass(name: "e2e", provider: "libvirt", memoryMB: 512, cpus: 1, cpuWeight: 100, cpuCapPercent: cap,
                       network: false,
                       settings: ["uri": uri, "domain_type": "qemu", "kernel": guestDir + "/vmlinux",
                                  "initrd": guestDir + "/initrd.img", "cmdline": cmdline, "max_memory_mb": "768",
                                  "boot_timeout_seconds": "90"])
    }

    /// Writes `message` to the channel socket and reads until it came back whole.
    func echo(_ socket: String, _ message: String) throws -> (String, Double) {
        guard let fd = AgentChannel.connect(socket) else { throw POSIXError(.ECONNREFUSED) }
        defer { close(fd) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let start = Date()
        let bytes = Array(message.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var got: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while got.count < bytes.count {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            got += buf[0..<n]
        }
        return (String(decoding: got, as: UTF8.self), Date().timeIntervalSince(start))
    }

    @Test("create boots to a usable agent channel; pause, save/restore, re-tune, destroy")
    func guestLifecycle() async throws {
        let dir = "/tmp/wsb-e2e-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = provider(dir)
        let t0 = Date()
        let ws = try await p.create(id: "e2e-\(UUID().uuidString.prefix(6))", workspaceClass: guestClass())
        let bootTime = Date().timeIntervalSince(t0)
        print("E2E create (define + start + agent channel ready): \(String(format: "%.2f", bootTime)) s")
        #expect(ws.pid != nil)

        let (reply, rtt) = try echo(ws.endpoint, "ping-through-virtio-serial\n")
        #expect(reply == "ping-through-virtio-serial\n")
        print("E2E channel echo round trip: \(String(format: "%.1f", rtt * 1000)) ms")
        let serial = try String(contentsOfFile: dir + "/state/instances/\(p.domainName(for: ws.id))/serial.log", encoding: .utf8)
        #expect(serial.contains("WSBRIDGE-GUEST-READY"))

        let domain = try await p.domain(of: ws)
        let sched = try await domain.schedulerParameters()
        #expect(sched["cpu_shares"] == .ullong(1024))

        var t = Date()
        try await p.suspend(ws)
        try await p.resume(ws)
        print("E2E suspend + resume: \(String(format: "%.3f", Date().timeIntervalSince(t))) s")

        t = Date()
        let saved = try await p.save(ws)
        let saveTime = Date().timeIntervalSince(t)
        let size = (try FileManager.default.attributesOfItem(atPath: saved)[.size] as? Int) ?? 0
        t = Date()
        try await p.restore(ws)
        print("E2E save: \(String(format: "%.2f", saveTime)) s (\(size / 1_048_576) MiB file), restore to channel ready: \(String(format: "%.2f", Date().timeIntervalSince(t))) s")
        #expect(try echo(ws.endpoint, "after-restore\n").0 == "after-restore\n")

        try await p.setMemory(ws, megabytes: 384)
        #expect(try await domain.info().maxMemoryKiB == 768 * 1024)
        let applied = try await p.setCPU(ws, weight: 200, capPercent: 50)
        #expect(applied["cpu_shares"] == .ullong(2048))
        let after = try await domain.schedulerParameters()
        #expect(after["cpu_shares"] == .ullong(2048))
        #expect(after["global_quota"] == .llong(50_000))

        #expect(try await p.discover().contains(ws.id))
        try await p.destroy(ws)
        #expect(await p.status(ws) == .gone)
        #expect(!FileManager.default.fileExists(atPath: ws.endpoint))
        await p.hosts.closeAll()
    }

    @Test("a guest that dies while booting fails create with its serial log, and leaves nothing")
    func bootFailure() async throws {
        let dir = "/tmp/wsb-e2e-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = provider(dir)
        let before = try await p.discover()
        await #expect { _ = try await p.create(id: "e2e-bad", workspaceClass: guestClass(cmdline: "rdinit=/nonexistent")) } throws: { e in
            guard case .guestStopped(_, _, let detail) = e as? LibvirtProviderError else { return false }
            return detail.contains("Kernel panic") || detail.contains("rdinit")
        }
        #expect(try await p.discover() == before)
        await p.hosts.closeAll()
    }
}
