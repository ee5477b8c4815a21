import Foundation
import WorkspaceBridge

/// What the daemon's metrics and status page show of libvirt hosts.
extension LibvirtProvider {
    /// The host named by the workspace's libvirt URI (`qemu+ssh://node1/system` is `node1`);
    /// `localhost` for a local hypervisor.
    public func host(of workspace: Workspace) -> String {
        guard let (uri, _) = Self.jobVMHandle(workspace.handle) ?? Self.parseHandle(workspace.handle) else { return "localhost" }
        return Self.hostName(uri)
    }

    /// Whether each hypervisor tried so far answered, by host name.
    public func hostReachability() async -> [String: Bool] {
        var out: [String: Bool] = [:]
        for (uri, up) in await hosts.reachability() { out[Self.hostName(uri), default: true] = out[Self.hostName(uri), default: true] && up }
        return out
    }

    static func hostName(_ uri: String) -> String {
        guard let host = URL(string: uri)?.host, !host.isEmpty else { return "localhost" }
        return host
    }
}
