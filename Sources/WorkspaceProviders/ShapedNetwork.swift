import Foundation
import Synchronization
import WorkspaceBridge

/// A local workspace's own network (`network = "shaped"`): a network namespace joined to the host
/// by a veth pair, with a /30 of `10.251.0.0/16` (the host's end first, the workspace's second,
/// its default route through the host's end), and a token bucket (`tc tbf`) on each end, so the
/// workspace sends at most `outbound` and receives at most `inbound`. Made and removed with the
/// workspace. The workspace reaches the host at its gateway address; traffic beyond the host
/// needs the site's forwarding and NAT, which the daemon does not touch.
public struct ShapedNetwork: Sendable {
    /// Bytes per second each way; nil: that way is not limited.
    public struct Rates: Sendable, Equatable {
        public var inboundBytesPerSecond: Int?
        public var outboundBytesPerSecond: Int?
    }

    let ip: HostTool
    let tc: HostTool

    /// The tools, or why shaped networks cannot be made on this host.
    public static func detect() -> Result<ShapedNetwork, ShapedNetworkUnavailable> {
        if geteuid() != 0 { return .failure(.init(reason: "only root can make network namespaces")) }
        guard let ip = HostTool.find(["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]) else {
            return .failure(.init(reason: "ip is not installed (iproute2)"))
        }
        guard let tc = HostTool.find(["/usr/sbin/tc", "/sbin/tc"]) else { return .failure(.init(reason: "tc is not installed (iproute2)")) }
        return .success(ShapedNetwork(ip: ip, tc: tc))
    }

    /// Names of one workspace's namespace and veth ends, from the daemon's scope and the
    /// workspace id: stable across restarts (the reconciler removes a leaked one by them) and
    /// within the 15 characters an interface name may have.
    public struct Names: Sendable, Equatable {
        public var namespace: String
        public var hostEnd: String
        public var workspaceEnd: String
        public init(scope: String, id: String) {
            var h: UInt32 = 2166136261
            for b in (scope + "/" + id).utf8 { h = (h ^ UInt32(b)) &* 16777619 }
            let tag = String(h, radix: 16).leftPadded(to: 8)
            namespace = "wsbridge-\(scope)-\(id)"
            hostEnd = "wsb\(tag)h"
            workspaceEnd = "wsb\(tag)w"
        }
    }

    /// One create at a time: each picks a subnet no interface of the host has yet.
    private static let allocation = Mutex(())

    /// The /30s: 16384 workspaces at once per host.
    static let subnets = 16384

    /// Makes the namespace, the veth pair and the shaping; returns the command prefix that starts
    /// a program inside the namespace. On failure leaves nothing behind.
    public func create(_ names: Names, rates: Rates) throws -> (prefix: [String], hostAddress: String, workspaceAddress: String) {
        try Self.allocation.withLock { _ in
            remove(names)
            let subnet = try freeSubnet(preferring: names)
            let host = "10.251.\(subnet / 64).\(subnet % 64 * 4 + 1)"
            let workspace = "10.251.\(subnet / 64).\(subnet % 64 * 4 + 2)"
            do {
                try ip.run(["netns", "add", names.namespace])
                try ip.run(["link", "add", names.hostEnd, "type", "veth", "peer", "name", names.workspaceEnd])
                try ip.run(["link", "set", names.workspaceEnd, "netns", names.namespace])
                try ip.run(["addr", "add", host + "/30", "dev", names.hostEnd])
                try ip.run(["link", "set", names.hostEnd, "up"])
                try ip.run(["-n", names.namespace, "link", "set", "lo", "up"])
                try ip.run(["-n", names.namespace, "addr", "add", workspace + "/30", "dev", names.workspaceEnd])
                try ip.run(["-n", names.namespace, "link", "set", names.workspaceEnd, "up"])
                try ip.run(["-n", names.namespace, "route", "add", "default", "via", host])
                // What leaves the host's end goes into the workspace, and the other way round.
                if let r = rates.inboundBytesPerSecond { try tc.run(["qdisc", "add", "dev", names.hostEnd, "root"] + Self.tbf(r)) }
                if let r = rates.outboundBytesPerSecond {
                    try tc.run(["-n", names.namespace, "qdisc", "add", "dev", names.workspaceEnd, "root"] + Self.tbf(r))
                }
            } catch {
                remove(names)
                throw ShapedNetworkError("cannot make the workspace's network: \(error)")
            }
            return ([ip.path, "netns", "exec", names.namespace], host, workspace)
        }
    }

    /// A token bucket of `rate` bytes/s: a bucket of a fiftieth of a second's worth (at least
    /// 16 KiB, more than the largest packet with offloads off), so a transfer of a few seconds
    /// keeps to the rate within about a per cent; up to 50 ms of packets queue behind it.
    static func tbf(_ bytesPerSecond: Int) -> [String] {
        ["tbf", "rate", "\(bytesPerSecond * 8)bit", "burst", "\(max(16 << 10, bytesPerSecond / 50))", "latency", "50ms"]
    }

    /// The first /30 from the workspace's own (by its names' hash) that no host interface holds.
    private func freeSubnet(preferring names: Names) throws -> Int {
        let used = Set((try ip.run(["-o", "-4", "addr", "show"])).split(separator: "\n").compactMap { line -> String? in
            guard let i = line.split(separator: " ").firstIndex(of: "inet") else { return nil }
            let words = line.split(separator: " ")
            return words.index(after: i) < words.endIndex ? String(words[words.index(after: i)].split(separator: "/")[0]) : nil
        })
        let start = Int(UInt32(names.hostEnd.dropFirst(3).dropLast(), radix: 16) ?? 0) % Self.subnets
        for k in 0..<Self.subnets {
            let s = (start + k) % Self.subnets
            if !used.contains("10.251.\(s / 64).\(s % 64 * 4 + 1)") { return s }
        }
        throw ShapedNetworkError("all \(Self.subnets) subnets of 10.251.0.0/16 are in use on this host")
    }

    /// Changes the rate of a running workspace's network, both ways (`tc qdisc replace`: the
    /// token buckets are swapped in place, connections go on).
    public func setRate(_ names: Names, bytesPerSecond: Int) throws {
        try tc.run(["qdisc", "replace", "dev", names.hostEnd, "root"] + Self.tbf(bytesPerSecond))
        try tc.run(["-n", names.namespace, "qdisc", "replace", "dev", names.workspaceEnd, "root"] + Self.tbf(bytesPerSecond))
    }

    /// Removes the namespace (and with it the veth pair, both ends); quiet when there is none.
    /// Never fails: a namespace left by a crash must not stop the daemon from starting.
    public func remove(_ names: Names) {
        _ = try? ip.run(["link", "del", names.hostEnd])
        _ = try? ip.run(["netns", "del", names.namespace])
    }

    /// The enforcement entry of a workspace with this network.
    static func enforcement(_ rates: Rates, hostAddress: String, workspaceAddress: String) -> Enforcement {
        func rate(_ r: Int?) -> String { r.map { "\($0 >> 10) KiB/s" } ?? "unlimited" }
        return Enforcement(control: "bandwidth", mechanism: "netns veth tc-tbf", effective: true,
                           detail: "in \(rate(rates.inboundBytesPerSecond)) / out \(rate(rates.outboundBytesPerSecond)); "
                               + "the workspace is \(workspaceAddress), the host \(hostAddress)")
    }
}

/// Why no shaped network can be made on this host.
public struct ShapedNetworkUnavailable: Error, Sendable {
    public var reason: String
}

struct ShapedNetworkError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
