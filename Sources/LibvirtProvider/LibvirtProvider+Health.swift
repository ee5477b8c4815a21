import Foundation
import WorkspaceBridge

/// What the daemon's metrics and status page show of libvirt hosts.
extension LibvirtProvider {
    /// Whether each hypervisor tried so far answered, by host as `remoteHost` names it.
    public func hostReachability() async -> [(host: String?, reachable: Bool)] {
        await hosts.reachability().map { uri, up in (LibvirtClassSettings.isRemote(uri) ? URL(string: uri)?.host : nil, up) }
    }
}
