import Foundation
import Synchronization

/// Whether this host's kernel has what libvirt shapes a guest's NIC with (QEMU, libvirt 9.0): an
/// htb class with an sfq queue on the tap device for what goes into the guest, and a policer
/// (`act_police`) on its ingress for what comes out. Without them libvirt refuses to start a
/// guest that has `<bandwidth>`: the provider then leaves the rates out and says why.
enum HostTrafficControl {
    private static let probed = Mutex<String??>(nil)

    /// Why guests on this host cannot be shaped, or nil when they can; probed once, on a veth
    /// pair of its own that is removed right after.
    static var missing: String? {
        probed.withLock { cached in
            if let known = cached { return known }
            let result = probe()
            cached = .some(result)
            return result
        }
    }

    private static func probe() -> String? {
        let ips: [String] = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"], tcs: [String] = ["/usr/sbin/tc", "/sbin/tc"]
        guard let ip = ips.first(where: { access($0, X_OK) == 0 }), let tc = tcs.first(where: { access($0, X_OK) == 0 }) else {
            return "ip or tc is not installed (iproute2), which libvirt shapes with"
        }
        let link = "wsbprobe\(String(getpid(), radix: 16).suffix(6))"
        guard run(ip, ["link", "add", link, "type", "veth", "peer", "name", link + "p"]) == nil else {
            return "cannot make a veth pair to check the kernel's traffic control"
        }
        defer { _ = run(ip, ["link", "del", link]) }
        let steps: [(String, [String])] = [
            ("htb", ["qdisc", "add", "dev", link, "root", "handle", "1:", "htb", "default", "1"]),
            ("htb", ["class", "add", "dev", link, "parent", "1:", "classid", "1:1", "htb", "rate", "8mbit"]),
            ("sfq", ["qdisc", "add", "dev", link, "parent", "1:1", "handle", "2:", "sfq", "perturb", "10"]),
            ("ingress", ["qdisc", "add", "dev", link, "ingress"]),
            ("police", ["filter", "add", "dev", link, "parent", "ffff:", "protocol", "all", "u32", "match", "u32", "0", "0",
                        "police", "rate", "8mbit", "burst", "64kb", "mtu", "64kb", "drop", "flowid", ":1"]),
        ]
        for (piece, args) in steps {
            if let error = run(tc, args) { return "the host's kernel has no \(piece) for tc (\(error)), which libvirt shapes guest NICs with" }
        }
        return nil
    }

    /// Runs a tool; nil on success, else what it said.
    private static func run(_ path: String, _ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        do { try p.run() } catch { return "\(error)" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? nil : String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
