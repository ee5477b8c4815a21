/// A domain on a host that carries our metadata.
public struct DiscoveredWorkspace: Sendable, Equatable {
    public var uri: String
    public var domainName: String
    public var metadata: WorkspaceMetadata
    public var state: DomainState

    public init(uri: String, domainName: String, metadata: WorkspaceMetadata, state: DomainState) {
        self.uri = uri
        self.domainName = domainName
        self.metadata = metadata
        self.state = state
    }

    /// The provider handle of this workspace.
    public var handle: String { LibvirtProvider.handle(uri: uri, domainName: domainName) }
}

/// What the reconciler should do so that the store and the hosts agree.
public struct ReconciliationPlan: Sendable, Equatable {
    /// Ours and known to the store: keep, and refresh the store from them.
    public var adopt: [DiscoveredWorkspace] = []
    /// Ours but unknown to the store (a crash between define and the store write, or a store
    /// restored from backup): leaked, to be destroyed.
    public var destroy: [DiscoveredWorkspace] = []
    /// Known to the store but on no host: gone (their jobs need requeueing). Only filled when
    /// every host answered; otherwise a workspace on the silent host would be declared lost.
    public var missing: [String] = []
    /// Hosts that could not be listed; nothing on them is judged.
    public var unreachable: [String: LibvirtError] = [:]
    /// Domains without our metadata: never touched, only counted.
    public var foreignCount = 0

    public init() {}
}

/// The decision, as a pure function of what was found: easy to test, no libvirt needed.
public enum Reconciliation {
    /// Decides adopt/destroy/missing.
    /// - Parameters:
    ///   - discovered: our domains on the hosts that answered.
    ///   - known: workspace ids the store holds for this provider.
    ///   - unreachable: hosts that did not answer.
    ///   - foreignCount: domains seen without our metadata.
    public static func plan(discovered: [DiscoveredWorkspace], known: Set<String>,
                            unreachable: [String: LibvirtError] = [:], foreignCount: Int = 0) -> ReconciliationPlan {
        var plan = ReconciliationPlan()
        plan.unreachable = unreachable
        plan.foreignCount = foreignCount
        var seen = Set<String>()
        for d in discovered.sorted(by: { ($0.metadata.workspaceID, $0.uri) < ($1.metadata.workspaceID, $1.uri) }) {
            let id = d.metadata.workspaceID
            if known.contains(id) && !seen.contains(id) {
                plan.adopt.append(d)
            } else {
                // Unknown, or a second domain claiming a known id (a half-finished retry on
                // another host): only one can be the store's.
                plan.destroy.append(d)
            }
            seen.insert(id)
        }
        if unreachable.isEmpty {
            plan.missing = known.subtracting(seen).sorted()
        }
        return plan
    }
}
