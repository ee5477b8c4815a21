import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// Hosts that take no new guest, shared by placement and the scheduler's drain.
final class DrainedHosts: @unchecked Sendable {
    private let lock = NSLock()
    private var uris: Set<String> = []

    func set(_ new: Set<String>) { lock.withLock { uris = new } }
    func contains(_ uri: String) -> Bool { lock.withLock { uris.contains(uri) } }
    func excluding(_ list: [String]) -> [String] { lock.withLock { list.filter { !uris.contains($0) } } }
}

/// The hosts of the libvirt classes, and guests moving between them (`wsbridge hosts drain`).
///
/// A guest moves by libvirt's live migration, peer to peer: the source host's libvirtd opens the
/// destination's URI itself (the URI the class names, so the hosts must reach each other as the
/// daemon reaches them), and the guest's memory goes to the destination's address as the URI
/// names it (`tcp://host`, a port the destination picks). Its disk's top layer (the overlay) is
/// copied to an overlay of the same name made beforehand on the same uploaded image there; the
/// kernel and initramfs are uploaded there first. Only guests on remote URIs move: their agent
/// channel comes through libvirt (`ChannelForwarder`), so the same local socket leads to the
/// guest wherever it runs, and the agent, which keeps its runs across a reconnect, never notices.
extension LibvirtProvider {
    public func setDrained(_ hosts: Set<String>) { drained.set(hosts) }

    public func host(of workspace: Workspace) -> String? {
        guard Self.jobVMHandle(workspace.handle) == nil, let (uri, _) = Self.parseHandle(workspace.handle) else { return nil }
        return uri
    }

    public func hostNames(for classes: [WorkspaceClass]) -> [(uri: String, classes: [String])] {
        var byURI: [String: [String]] = [:]
        var order: [String] = []
        for cls in classes where cls.provider == name {
            for uri in (try? LibvirtClassSettings(cls))?.uris ?? [] {
                if byURI[uri] == nil { order.append(uri) }
                byURI[uri, default: []].append(cls.name)
            }
        }
        for uri in uris where byURI[uri] == nil {
            order.append(uri)
            byURI[uri] = []
        }
        return order.map { ($0, byURI[$0] ?? []) }
    }

    public func hosts(for classes: [WorkspaceClass]) async -> [ProviderHost] {
        let names = hostNames(for: classes)
        var results: [String: Result<(ours: [DiscoveredWorkspace], foreign: Int), LibvirtError>] = [:]
        await withTaskGroup(of: (String, Result<(ours: [DiscoveredWorkspace], foreign: Int), LibvirtError>).self) { group in
            for (uri, _) in names {
                group.addTask {
                    do throws(LibvirtError) {
                        return (uri, .success(try await self.ours(on: try await self.hosts.connection(uri))))
                    } catch {
                        return (uri, .failure(error))
                    }
                }
            }
            for await (uri, r) in group { results[uri] = r }
        }
        return names.compactMap { uri, classes in
            switch results[uri] {
            case .success(let r):
                ProviderHost(uri: uri, classes: classes, unreachable: nil,
                             workspaces: r.ours.map(\.metadata.workspaceID).sorted(), foreign: r.foreign)
            case .failure(let e):
                ProviderHost(uri: uri, classes: classes, unreachable: e.description, workspaces: [], foreign: 0)
            case nil:
                nil
            }
        }
    }

    public func relocated(_ workspace: Workspace) async -> Workspace? {
        guard Self.jobVMHandle(workspace.handle) == nil, let (uri, _) = Self.parseHandle(workspace.handle) else { return nil }
        let (found, _, _) = await scan(uris)
        guard let there = found.first(where: { $0.metadata.workspaceID == workspace.id && $0.uri != uri && $0.state.isActive }) else {
            return nil
        }
        var moved = workspace
        moved.handle = there.handle
        return moved
    }

    public func migrate(_ workspace: Workspace, of workspaceClass: WorkspaceClass) async throws -> WorkspaceMigration {
        guard Self.jobVMHandle(workspace.handle) == nil, let (source, domainName) = Self.parseHandle(workspace.handle) else {
            throw LibvirtProviderError.migration("workspace \(workspace.id) is not a guest that can move (\(workspace.handle))")
        }
        guard LibvirtClassSettings.isRemote(source) else {
            throw LibvirtProviderError.migration("its agent channel is a socket of this machine's libvirtd (\(source)): only guests on hosts named by remote URIs move")
        }
        let settings: LibvirtClassSettings
        do { settings = try LibvirtClassSettings(workspaceClass) } catch {
            throw LibvirtProviderError.configuration(error.description)
        }
        let candidates = drained.excluding(settings.uris).filter { $0 != source && LibvirtClassSettings.isRemote($0) }
        guard !candidates.isEmpty else {
            throw LibvirtProviderError.migration("class \(workspaceClass.name) has no other host that takes guests")
        }
        let destination = try await place(on: candidates)
        guard let host = URL(string: destination.uri)?.host, !host.isEmpty else {
            throw LibvirtProviderError.migration("\(destination.uri) names no host to send the guest's memory to")
        }
        let (domain, meta) = try await ourDomain(of: workspace)

        // Its files there first: the same uploaded images and an empty overlay of the same name.
        let (spec, digest) = try await prepareRemote(domainName: domainName, workspaceClass: workspaceClass, settings: settings,
                                                    metadata: meta, connection: destination)
        let pool = HostStoragePool(connection: destination, name: settings.storagePool, path: settings.storagePoolPath)
        if let had = workspace.imageDigest, had != digest {
            try? await pool.remove(Self.remoteVolumes(domainName))
            throw LibvirtProviderError.migration("its image is not the class's any more: it is replaced, not moved")
        }
        let started = Date().timeIntervalSince1970
        do {
            try await domain.migrate(to: destination.uri, migrationURI: "tcp://\(host.contains(":") ? "[\(host)]" : host)",
                                     copyStorage: !spec.disks.isEmpty, timeout: settings.migrationTimeoutSeconds)
        } catch {
            // Still here (libvirt undoes a failed migration): what was made there goes.
            if (try? await destination.lookupDomain(name: domainName)) == nil {
                try? await pool.remove(Self.remoteVolumes(domainName))
            }
            throw LibvirtProviderError.migration("from \(source) to \(destination.uri): \(error)")
        }
        let seconds = Date().timeIntervalSince1970 - started
        // The same local socket now leads there; what the guest left here goes.
        // If the socket cannot be served, the daemon cannot reach the agent: the workspace is then
        // lost and destroyed where it now is (its handle says so), its jobs requeued; never run twice.
        let socket = workspace.endpoint.isEmpty ? socketPath(domainName) : workspace.endpoint
        try? forward(uri: destination.uri, domainName: domainName, socket: socket, openTimeout: 60)
        if !meta.storagePool.isEmpty {
            try? await HostStoragePool(connection: domain.connection, name: meta.storagePool, path: "").remove(Self.remoteVolumes(domainName))
        }
        var moved = workspace
        moved.handle = Self.handle(uri: destination.uri, domainName: domainName)
        return WorkspaceMigration(workspace: moved, from: source, to: destination.uri, seconds: seconds)
    }
}
