import AgentProtocol
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The host side of a workspace's agent channel: a Unix socket on which QEMU (or libxl) listens
/// and forwards bytes to the guest's virtio-serial / Xen PV port.
public enum AgentChannel {
    /// Connects to the socket; returns the connected descriptor, or `nil` if nobody listens.
    public static func connect(_ path: String) -> Int32? { try? UnixSocket.connect(path: path) }

    /// The `state` libvirt reports for our channel in the live domain XML: `connected` once the
    /// guest has opened its port, `disconnected` before; `nil` when the driver does not track it
    /// (Xen, the test driver).
    public static func guestState(inLiveXML xml: String) -> String? {
        channelState(inLiveXML: xml).state
    }

    /// The domain type and our channel's `state` attribute from live domain XML.
    static func channelState(inLiveXML xml: String) -> (domainType: String?, state: String?) {
        guard let doc = try? XMLDocument(xmlString: xml, options: []), let root = doc.rootElement() else { return (nil, nil) }
        let type = root.attribute(forName: "type")?.stringValue
        guard let nodes = try? doc.nodes(forXPath: "/domain/devices/channel/target[@name='\(DomainXML.agentChannelName)']"),
              let target = nodes.first as? XMLElement else { return (type, nil) }
        return (type, target.attribute(forName: "state")?.stringValue)
    }

    /// Waits until the agent channel is usable: the socket accepts a connection and, where
    /// libvirt tracks it, the guest has opened its end. Holding our connection open while we
    /// watch keeps the guest side from seeing end-of-file and closing its port again.
    /// The domain's state is checked between attempts, so a guest that died fails fast.
    static func waitUntilReady(socketPath: String, timeout: Double, domain: LibvirtDomain) async throws -> Double {
        let start = Date()
        var fd: Int32? = nil
        defer { if let fd { close(fd) } }
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if elapsed > timeout { throw LibvirtProviderError.agentNotReady(domain: domain.name, socket: socketPath, seconds: timeout, detail: "") }
            let state = try await domain.state()
            if !state.isActive {
                throw LibvirtProviderError.guestStopped(domain: domain.name, state: state.description, detail: "")
            }
            if fd == nil { fd = connect(socketPath) }
            if fd != nil {
                // QEMU reports the guest side of virtio-serial ports; until the guest driver has
                // opened the port there is no `state` at all, so only `connected` counts there.
                // Xen and the test driver do not track it: the listening socket is all we get.
                let (type, state) = channelState(inLiveXML: try await domain.xmlDescription())
                let tracked = type == "qemu" || type == "kvm"
                if state == "connected" || (!tracked && state == nil) { return Date().timeIntervalSince(start) }
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }
}
