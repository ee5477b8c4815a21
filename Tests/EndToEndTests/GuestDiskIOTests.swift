import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

extension GuestTests {
    /// The rate of a write of `mebibytes` timed by the guest's clock: the script prints
    /// `/proc/uptime` before and after (busybox's dd reports no rate).
    static func rate(_ output: String, mebibytes: Double) -> Double? {
        let marks = output.split(separator: "\n").filter { $0.hasPrefix("uptime ") }
            .compactMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } }
        guard marks.count == 2, marks[1] > marks[0] else { return nil }
        return mebibytes / (marks[1] - marks[0])
    }

    @Test("a guest with disk_write_bps = 10M writes to its disk at 10 ± 1 MiB/s (dd, direct I/O); without it, faster")
    func guestDiskWriteRate() throws {
        let image = guestDir + "/disk.qcow2"
        // On the guest's disk (its /var/tmp; /tmp is a tmpfs): 64 MiB, bypassing the guest's page cache: QEMU's throttle sees every write, and its
        // burst (a tenth of a second's worth) is small next to six seconds.
        let script = "df -k /var/tmp | tail -1; echo uptime $(cut -d' ' -f1 /proc/uptime); "
            + "dd if=/dev/zero of=/var/tmp/io bs=1M count=64 oflag=direct conv=fsync 2>&1; echo uptime $(cut -d' ' -f1 /proc/uptime); rm -f /var/tmp/io"
        var rates: [String: Double] = [:]
        for (name, extra) in [("limited", "disk_write_bps = \"10M\""), ("unlimited", "")] {
            let d = try TestDaemon(config: vmConfig(slots: 1, maxWorkspaces: 1, image: image, diskMB: 512) + "\n" + extra + "\n")
            defer { cleanUp(d) }
            try d.start()
            let ids = try d.submit([job(script, d, out: "dd.out")])
            let j = try d.waitAll(ids, timeout: 400)[0]
            let out = read(d, "dd.out")
            #expect(j.state == .done, "\(name): \(j.reason ?? "") \(out) \(d.daemonLog.suffix(1500))")
            let io = try workspaces(d).first?.enforcement.first { $0.control == "disk-io" }
            print("\(name): dd in the guest: \(out.split(separator: "\n").joined(separator: " | ")) — enforcement: \(io.map(\.description) ?? "none")")
            rates[name] = Self.rate(out, mebibytes: 64)
            if name == "limited" {
                #expect(io?.effective == true && io?.detail == "write 10 MiB/s", "\(String(describing: io))")
            } else {
                #expect(io == nil)
            }
        }
        let limited = try #require(rates["limited"]), unlimited = try #require(rates["unlimited"])
        print(String(format: "guest disk write rate: %.2f MiB/s with disk_write_bps = 10M, %.2f MiB/s without", limited, unlimited))
        #expect((9.0...11.0).contains(limited))
        #expect(unlimited > 11.0, "without the limit the same write is not held to 10 MiB/s")
    }
}
