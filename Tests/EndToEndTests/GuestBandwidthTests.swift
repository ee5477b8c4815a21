import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

extension GuestTests {
    /// A guest whose class shapes its NIC (`bandwidth_kbps`) on a bridge (a mode libvirt can
    /// shape, and one that needs no DHCP server, which this machine lacks): libvirt puts the
    /// rates on the guest's tap device with tc, and `workspaces` says so.
    @Test("a guest on a bridge with bandwidth_kbps = 1024 has its tap device shaped to 1024 KiB/s each way by libvirt, or says why it cannot be")
    func guestOnABridgeIsShaped() throws {
        let bridge = "wsbtbr" + UUID().uuidString.prefix(6).lowercased()
        _ = try runCommand("/usr/sbin/ip", ["link", "add", "name", bridge, "type", "bridge"])
        defer { _ = try? runCommand("/usr/sbin/ip", ["link", "del", bridge]) }
        _ = try runCommand("/usr/sbin/ip", ["link", "set", bridge, "up"])
        let conf = vmConfig(slots: 1, maxWorkspaces: 1).replacingOccurrences(of: "network = false", with: "network = \"shaped\"")
            + "\nbridge = \"\(bridge)\"\nbandwidth_kbps = \"1024\"\n"
        let d = try TestDaemon(config: conf)
        defer { cleanUp(d) }
        try d.start()
        let ids = try d.submit([job("cat /sys/class/net/eth0/address", d, out: "mac.out")])
        let j = try d.waitAll(ids, timeout: 120)[0]
        #expect(j.state == .done, "\(j.reason ?? "") \(d.daemonLog.suffix(1500))")
        let w = try #require(try workspaces(d).first)
        let mac = read(d, "mac.out").trimmingCharacters(in: .whitespacesAndNewlines)
        // `domiflist`: Interface, Type, Source, Model, MAC.
        let row = virsh(["domiflist", LibvirtDomainName.of(w)]).split(separator: "\n").first { $0.contains(bridge) }
        let tap = try #require(row?.split(separator: " ").first.map(String.init), "no interface on \(bridge)")
        let qdiscs = try runCommand("/usr/sbin/tc", ["qdisc", "show", "dev", tap]).1
        let classes = try runCommand("/usr/sbin/tc", ["class", "show", "dev", tap]).1
        let policing = try runCommand("/usr/sbin/tc", ["filter", "show", "dev", tap, "parent", "ffff:"]).1
        let bandwidth = w.enforcement.first { $0.control == "bandwidth" }
        print("guest NIC \(mac) on \(bridge) as \(tap); enforcement: \(bandwidth.map(\.description) ?? "none")")
        print("tc qdisc: \(qdiscs.split(separator: "\n").joined(separator: " | "))")
        print("tc class: \(classes.split(separator: "\n").joined(separator: " | "))")
        print("tc ingress filter: \(policing.split(separator: "\n").joined(separator: " | "))")
        #expect(row?.contains(mac) == true, "the job's NIC is the one on the bridge")
        if bandwidth?.effective == true {
            #expect(bandwidth?.mechanism == "libvirt-qemu tc")
            // 1024 KiB/s = 8388608 bit/s, which tc prints as 8388Kbit: into the guest by an htb
            // class on the tap's egress, out of it by a policer on the tap's ingress.
            #expect(qdiscs.contains("htb") && classes.contains("rate 8388Kbit"), "\(qdiscs)\n\(classes)")
            #expect(policing.contains("rate 8388Kbit"), "\(policing)")
        } else {
            // A kernel without libvirt's pieces (sfq, act_police): the guest runs unshaped, and
            // says so instead of failing to start.
            #expect(bandwidth?.detail.contains("not enforced: the host's kernel has no") == true, "\(String(describing: bandwidth))")
            #expect(!qdiscs.contains("htb") && !policing.contains("police"))
        }
    }
}
