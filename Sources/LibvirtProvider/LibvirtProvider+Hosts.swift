/// Listing our domains across hosts, placement and reconciliation.
extension LibvirtProvider {
    /// Our domains on one host, and how many foreign ones it has.
    public func ours(on connection: LibvirtConnection) async throws(LibvirtError) -> (ours: [DiscoveredWorkspace], foreign: Int) {
        var ours: [DiscoveredWorkspace] = []
        var foreign = 0
        for domain in try await connection.listAllDomains() {
            let xml: String?
            do { xml = try await domain.metadata(namespace: WorkspaceMetadata.namespace) } catch where error.isNoDomain {
                continue // undefined between listing and asking
            }
            // Another daemon's workspaces on a shared host are as foreign as anyone else's.
            guard let xml, let meta = WorkspaceMetadata(xml: xml), isOurs(meta) else { foreign += 1; continue }
            let state: DomainState
            do { state = try await domain.state() } catch where error.isNoDomain { continue }
            ours.append(DiscoveredWorkspace(uri: connection.uri, domainName: domain.name, metadata: meta, state: state))
        }
        return (ours, foreign)
    }

    /// Lists our domains on every host in parallel; a host that fails (hung, dead) is reported
    /// in `unreachable` and does not delay the others beyond its deadline.
    public func scan(_ uris: [String]) async -> (found: [DiscoveredWorkspace], unreachable: [String: LibvirtError], foreign: Int) {
        await withTaskGroup(of: (String, Result<([DiscoveredWorkspace], Int), LibvirtError>).self) { group in
            for uri in uris {
                group.addTask {
                    do throws(LibvirtError) {
                        let c = try await self.hosts.connection(uri)
                        let r = try await self.ours(on: c)
                        return (uri, .success((r.ours, r.foreign)))
                    } catch {
                        return (uri, .failure(error))
                    }
                }
            }
            var found: [DiscoveredWorkspace] = []
            var unreachable: [String: LibvirtError] = [:]
            var foreign = 0
            for await (uri, result) in group {
                switch result {
                case .success(let (list, f)): found += list; foreign += f
                case .failure(let e): unreachable[uri] = e
                }
            }
            return (found, unreachable, foreign)
        }
    }

    /// Chooses the host with the fewest of our domains (ties: the earlier URI in the class);
    /// hosts that do not answer, and drained ones, are skipped.
    func place(on classURIs: [String]) async throws -> LibvirtConnection {
        let uris = drained.excluding(classURIs)
        guard !uris.isEmpty else {
            throw LibvirtProviderError.configuration("every host of the class is drained (wsbridge hosts undrain URI)")
        }
        let (found, unreachable, _) = await scan(uris)
        let counts = Dictionary(grouping: found, by: \.uri).mapValues(\.count)
        let candidates = uris.filter { unreachable[$0] == nil }
        guard let best = candidates.min(by: { counts[$0, default: 0] < counts[$1, default: 0] }) else {
            throw LibvirtProviderError.noHostAvailable(unreachable)
        }
        do { return try await hosts.connection(best) } catch { throw LibvirtProviderError.libvirt(error) }
    }

    /// Compares the hosts with the store's view. Foreign domains are only counted.
    /// - Parameter known: ids of the libvirt workspaces the store holds.
    public func reconcile(known: Set<String>) async -> ReconciliationPlan {
        let (found, unreachable, foreign) = await scan(uris)
        return Reconciliation.plan(discovered: found, known: known, unreachable: unreachable, foreignCount: foreign)
    }

    /// Destroys the leaked workspaces of a plan; returns the errors of those that could not be
    /// removed (the others went). Continues past failures.
    @discardableResult
    public func apply(_ plan: ReconciliationPlan) async -> [String: any Error] {
        var failures: [String: any Error] = [:]
        for leaked in plan.destroy {
            do { try await destroy(adoptable(leaked)) } catch { failures[leaked.domainName] = error }
        }
        return failures
    }
}

import WorkspaceBridge

extension LibvirtProvider {
    /// The store record for a discovered workspace (to adopt it, or to destroy it).
    public func adoptable(_ d: DiscoveredWorkspace) -> Workspace {
        Workspace(id: d.metadata.workspaceID, className: d.metadata.className, provider: name,
                  state: d.state.isActive ? .ready : .lost,
                  pid: Self.qemuPID(uri: d.uri, domainName: d.domainName), endpoint: d.metadata.endpoint,
                  handle: d.handle, createdAt: d.metadata.createdAt, leaseExpiresAt: d.metadata.leaseExpiresAt,
                  lastUsedAt: d.metadata.createdAt)
    }
}
