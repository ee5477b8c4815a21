import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// A TCP listener on every address of the host, on a port of the kernel's choosing: it takes one
/// connection and reads it to its end, timing the bytes from the first to the last.
final class RateReceiver: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let done = DispatchSemaphore(value: 0)
    private(set) var bytes = 0
    private(set) var seconds = 0.0

    init() throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = INADDR_ANY
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, len) == 0 && getsockname(sock, $0, &len) == 0 }
        }
        guard bound, listen(sock, 1) == 0 else { close(sock); throw TestFailure("cannot listen: \(errno)") }
        fd = sock
        port = UInt16(bigEndian: addr.sin_port)
        Thread.detachNewThread { self.receive() }
    }

    private func receive() {
        let c = accept(fd, nil, nil)
        defer { if c >= 0 { close(c) }; close(fd); done.signal() }
        guard c >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var first: Date?
        var last = Date()
        while true {
            let n = read(c, &buffer, buffer.count)
            if n <= 0 { break }
            if first == nil { first = Date() }
            last = Date()
            bytes += n
        }
        seconds = first.map { last.timeIntervalSince($0) } ?? 0
    }

    /// MiB/s over the transfer, once it ended (nil if it did not within `timeout`).
    func rate(timeout: Double) -> Double? {
        guard done.wait(timeout: .now() + timeout) == .success, seconds > 0 else { return nil }
        return Double(bytes) / seconds / 1_048_576
    }
}

private func ourNamespaces() -> Set<String> {
    Set(((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).filter { $0.hasPrefix("wsbridge-") })
}

private let canShape = isRoot && ["/usr/sbin/ip", "/sbin/ip"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    && ["/usr/sbin/tc", "/sbin/tc"].contains { FileManager.default.isExecutableFile(atPath: $0) }

extension EndToEndTests {
    /// A local workspace with `network = "shaped"` and `bandwidth_kbps = 1024` sends to a
    /// listener on the host's end of its veth at 1 ± 0.1 MiB/s; one with `network = "host"`
    /// sends to the host's loopback unshaped. The namespace goes with the workspace.
    @Test(.enabled(if: canShape, "needs root, ip and tc"))
    func shapedLocalNetworkSendsAtItsRate() throws {
        let before = ourNamespaces()
        var rates: [String: Double] = [:]
        for (mode, mebibytes) in [("shaped", 6), ("host", 256)] {
            let settings = mode == "shaped" ? "\n[class.settings]\nbandwidth_kbps = \"1024\"" : ""
            let d = try TestDaemon(config: config(slots: 1, maxWorkspaces: 1, classExtra: "network = \"\(mode)\"" + settings))
            defer { d.cleanUp() }
            try d.start()
            let receiver = try RateReceiver()
            // The host is the workspace's gateway (shaped) or its own loopback (host).
            let peer = mode == "shaped" ? "$(/usr/sbin/ip route show default | cut -d' ' -f3)" : "127.0.0.1"
            let script = "head -c \(mebibytes << 20) /dev/zero > /dev/tcp/\(peer)/\(receiver.port)"
            let ids = try d.submit([JobSpec(executable: "/bin/bash", arguments: ["-c", script], directory: d.work,
                                            stderr: d.work + "/send.err")])
            let job = try d.waitAll(ids)[0]
            let err = (try? String(contentsOfFile: d.work + "/send.err", encoding: .utf8)) ?? ""
            #expect(job.state == .done, "\(mode): \(job.reason ?? "") \(err)")
            let rate = receiver.rate(timeout: 30)
            let ws = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first?.workspace
            let bandwidth = ws?.enforcement.first { $0.control == "bandwidth" }
            print("\(mode): \(receiver.bytes) bytes in \(String(format: "%.3f", receiver.seconds)) s = \(rate.map { String(format: "%.3f MiB/s", $0) } ?? "-"); enforcement: \(bandwidth.map(\.description) ?? "none")")
            rates[mode] = rate
            #expect(receiver.bytes == mebibytes << 20)
            if mode == "shaped" {
                #expect(bandwidth?.effective == true && bandwidth?.detail.hasPrefix("in 1024 KiB/s / out 1024 KiB/s") == true)
                #expect(ourNamespaces().count == before.count + 1, "the workspace's namespace")
            } else {
                #expect(bandwidth == nil)
            }
        }
        let shaped = try #require(rates["shaped"]), host = try #require(rates["host"])
        print(String(format: "local workspace send rate: %.3f MiB/s shaped to 1024 KiB/s, %.1f MiB/s unshaped", shaped, host))
        #expect((0.9...1.1).contains(shaped))
        #expect(host > 1.1, "unshaped is not held to the rate")
        #expect(ourNamespaces() == before, "the shaped workspace's namespace went with it")
    }
}

extension EndToEndTests {
    /// A shaped local workspace's rate changes live (`workspaces retune --bandwidth`): a send
    /// after the retune runs at the new rate, in the same workspace.
    @Test(.enabled(if: canShape, "needs root, ip and tc"))
    func aShapedLocalNetworkIsRetunedLive() throws {
        let d = try TestDaemon(config: config(slots: 1, maxWorkspaces: 1,
                                              classExtra: "network = \"shaped\"\n[class.settings]\nbandwidth_kbps = \"1024\""))
        defer { d.cleanUp() }
        try d.start()
        var measured: [Double] = []
        for (round, kib) in [1024, 512].enumerated() {
            if round == 1 {
                let ws = try #require(try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first?.workspace.id)
                let reply = try d.client.post("/v1/workspaces/\(ws)/retune", RetuneRequest(bandwidthKBps: kib), as: RetuneReply.self)
                #expect(reply.allocation.bandwidthKBps == kib)
                let bandwidth = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first?.workspace.enforcement
                    .first { $0.control == "bandwidth" }
                #expect(bandwidth?.detail.hasPrefix("in 512 KiB/s / out 512 KiB/s") == true, "\(bandwidth?.detail ?? "none")")
            }
            let receiver = try RateReceiver()
            // 4 s at each rate: long enough that a moment's stall of a loaded machine stays within 10 %.
            let script = "head -c \(kib << 12) /dev/zero > /dev/tcp/$(/usr/sbin/ip route show default | cut -d' ' -f3)/\(receiver.port)"
            let ids = try d.submit([JobSpec(executable: "/bin/bash", arguments: ["-c", script], directory: d.work)])
            #expect(try d.waitAll(ids)[0].state == .done)
            measured.append(try #require(receiver.rate(timeout: 30)))
        }
        print(String(format: "local workspace retuned live: %.3f MiB/s at 1024 KiB/s, %.3f MiB/s at 512 KiB/s", measured[0], measured[1]))
        #expect((0.9...1.1).contains(measured[0]))
        #expect((0.45...0.55).contains(measured[1]))
        #expect(try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).count == 1, "the same workspace")
    }
}
