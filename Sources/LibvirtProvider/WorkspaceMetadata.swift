import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Our tag on every domain we create: one element in our own XML namespace inside the domain's
/// `<metadata>`. Its presence is what makes a domain "ours"; everything else on the host is
/// foreign and never touched.
public struct WorkspaceMetadata: Sendable, Equatable {
    /// The XML namespace of the element.
    public static let namespace = "urn:wsbridge:libvirt:workspace:1"
    /// The prefix the element is written with.
    public static let prefix = "wsb"
    static let elementName = "workspace"

    public var workspaceID: String
    public var className: String
    /// Seconds since 1970.
    public var createdAt: Double
    /// Seconds since 1970; after this the workspace takes no new job.
    public var leaseExpiresAt: Double
    /// The host-side Unix socket of the agent channel.
    public var endpoint: String
    /// Where the workspace's overlay disk, serial log and save files live on the host.
    public var instanceDirectory: String
    /// The provider scope (one daemon) that made it; empty in domains made before scopes.
    public var owner: String
    /// On a remote host: the storage pool there that holds the workspace's files (see
    /// `HostStoragePool`); empty for local guests, whose files are in `instanceDirectory`.
    public var storagePool: String

    public init(workspaceID: String, className: String, createdAt: Double, leaseExpiresAt: Double,
                endpoint: String, instanceDirectory: String, owner: String = "", storagePool: String = "") {
        self.workspaceID = workspaceID
        self.className = className
        self.createdAt = createdAt
        self.leaseExpiresAt = leaseExpiresAt
        self.endpoint = endpoint
        self.instanceDirectory = instanceDirectory
        self.owner = owner
        self.storagePool = storagePool
    }

    var attributes: [(String, String)] {
        [("id", workspaceID), ("class", className), ("created", Self.format(createdAt)),
         ("lease-expires", Self.format(leaseExpiresAt)), ("endpoint", endpoint),
         ("instance-dir", instanceDirectory)] + (owner.isEmpty ? [] : [("owner", owner)])
            + (storagePool.isEmpty ? [] : [("storage-pool", storagePool)])
    }

    /// The element as it goes inside the domain XML's `<metadata>`.
    public var element: XMLTree {
        XMLTree("\(Self.prefix):\(Self.elementName)", [("xmlns:\(Self.prefix)", Self.namespace)] + attributes)
    }

    /// The element for `virDomainSetMetadata` (libvirt adds the prefix and namespace itself).
    public var elementForSetMetadata: String {
        XMLTree(Self.elementName, attributes).rendered()
    }

    private static func format(_ t: Double) -> String {
        t == t.rounded() ? String(Int64(t)) : String(t)
    }

    /// Parses the element that `virDomainGetMetadata` returns; `nil` if it is not ours or is
    /// missing its id.
    public init?(xml: String) {
        guard let doc = try? XMLDocument(xmlString: xml, options: []),
              let root = doc.rootElement(), root.localName == Self.elementName else { return nil }
        func attr(_ n: String) -> String? { root.attribute(forName: n)?.stringValue }
        guard let id = attr("id"), !id.isEmpty else { return nil }
        self.workspaceID = id
        self.className = attr("class") ?? ""
        self.createdAt = attr("created").flatMap(Double.init) ?? 0
        self.leaseExpiresAt = attr("lease-expires").flatMap(Double.init) ?? 0
        self.endpoint = attr("endpoint") ?? ""
        self.instanceDirectory = attr("instance-dir") ?? ""
        self.owner = attr("owner") ?? ""
        self.storagePool = attr("storage-pool") ?? ""
    }
}
