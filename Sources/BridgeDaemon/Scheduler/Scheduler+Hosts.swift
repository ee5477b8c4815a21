import BridgeAPI
import BridgeStore
import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// The hosts workspaces run on, and draining one (`wsbridge hosts`, `hosts drain`, `hosts
/// undrain`). A drained host takes no new workspace and its workspaces take no new job, across
/// restarts (the store keeps the drained hosts); the drain moves its guests that run jobs to
/// other hosts of their class, live, and destroys the others. A guest that cannot move runs its
/// jobs to the end where it is, and goes once idle.
extension Scheduler {
    /// Whether a workspace runs on a drained host (it then takes no new job).
    func isOnDrainedHost(_ w: WorkspaceRuntime) -> Bool {
        guard !drainedHosts.isEmpty, let host = providers[w.record.provider]?.host(of: w.record) else { return false }
        return drainedHosts[host] != nil
    }

    /// At start: the drained hosts the store keeps, told to the providers.
    func loadDrainedHosts() throws {
        drainedHosts = try store.drainedHosts()
        for provider in providers.values { provider.setDrained(Set(drainedHosts.keys)) }
    }

    /// The hosts, as root or the admin group see them (their URIs and everyone's workspaces).
    func hostList(caller: UInt32) async throws -> [HostStatus] {
        guard isAdmin(caller) else { throw CommandError(description: "only root or the admin group may list hosts", code: "forbidden") }
        return await hostList()
    }

    func hostList() async -> [HostStatus] {
        var out: [HostStatus] = []
        for (name, provider) in providers.sorted(by: { $0.key < $1.key }) {
            let classes = config.classes.filter { $0.provider == name }
            for h in await provider.hosts(for: classes) {
                let here = h.workspaces.map { id in
                    HostWorkspace(id: id, state: workspaces[id]?.record.state.rawValue ?? "unknown",
                                  jobs: (workspaces[id]?.runs.values.map(\.job) ?? []).sorted())
                }
                out.append(HostStatus(uri: h.uri, provider: name, classes: h.classes, drainedSince: drainedHosts[h.uri],
                                      unreachable: h.unreachable, workspaces: here, foreign: h.foreign))
            }
        }
        return out
    }

    /// The provider whose classes name host `uri` (by the config alone: a host that does not
    /// answer can be drained too).
    func provider(ofHost uri: String) throws -> any WorkspaceProvider {
        guard (1...4096).contains(uri.utf8.count) else {
            throw CommandError(description: "a host URI has 1 to 4096 bytes", code: "bad-request")
        }
        for (name, provider) in providers {
            let classes = config.classes.filter { $0.provider == name }
            if provider.hostNames(for: classes).contains(where: { $0.uri == uri }) { return provider }
        }
        throw CommandError(description: "no host \(uri) among the classes' hosts (wsbridge hosts lists them)", code: "not-found")
    }

    func drainHost(_ uri: String, caller: UInt32) async throws -> DrainReply {
        guard isAdmin(caller) else { throw CommandError(description: "only root or the admin group may drain hosts", code: "forbidden") }
        let provider = try provider(ofHost: uri)
        let since = drainedHosts[uri] ?? Self.now
        if drainedHosts[uri] == nil {
            try setDrained(uri, since: since, event: StoreEvent(at: since, kind: "host-drained", message: "\(uri) drained by uid \(caller)"))
        }
        var reply = DrainReply(host: uri, drainedSince: since)
        func here() -> [String] {
            workspaces.filter { !$0.value.isJobVM && provider.host(of: $0.value.record) == uri }.keys.sorted()
        }
        // Workspaces on their way (being made, parked, restored, moved) settle first.
        let settling: Set<WorkspaceState> = [.creating, .booting, .parking, .restoring]
        let deadline = Self.now + 300
        while Self.now < deadline,
              here().contains(where: { settling.contains(workspaces[$0]!.record.state) || workspaces[$0]!.migrating }) {
            try? await Task.sleep(nanoseconds: 250_000_000)
        }
        // Those without jobs go at once (before anything else can pick them), then the others move.
        let idle = here().filter { workspaces[$0]!.runs.isEmpty && workspaces[$0]!.collecting.isEmpty }
        let reason = "its host \(uri) is drained"
        let going = idle.filter { beginDestroy($0, reason: reason) }
        for id in going { await endDestroy(id, reason: reason) }
        reply.destroyed = going
        for id in here() where !idle.contains(id) {
            guard let w = workspaces[id], !w.migrating else { continue }
            guard [.ready, .busy, .draining].contains(w.record.state) else {
                reply.notMoved.append(.init(workspace: id, reason: "it is \(w.record.state.rawValue)"))
                continue
            }
            do {
                let m = try await migrate(id)
                reply.moved.append(.init(workspace: id, to: m.to, seconds: m.seconds, jobs: w.runs.values.map(\.job).sorted()))
            } catch {
                reply.notMoved.append(.init(workspace: id, reason: "\(error)"))
            }
        }
        eventsChanged()
        schedule()
        return reply
    }

    func undrainHost(_ uri: String, caller: UInt32) async throws -> HostStatus {
        guard isAdmin(caller) else { throw CommandError(description: "only root or the admin group may undrain hosts", code: "forbidden") }
        _ = try provider(ofHost: uri)
        if drainedHosts[uri] != nil {
            try setDrained(uri, since: nil, event: StoreEvent(at: Self.now, kind: "host-undrained", message: "\(uri) undrained by uid \(caller)"))
        }
        schedule()
        guard let status = await hostList().first(where: { $0.uri == uri }) else {
            throw CommandError(description: "no host \(uri)", code: "not-found")
        }
        return status
    }

    private func setDrained(_ uri: String, since: Double?, event: StoreEvent) throws {
        do { try store.setDrained(uri, since: since, event: event) } catch {
            throw CommandError(description: "the store cannot record it: \(error)", code: "conflict")
        }
        drainedHosts[uri] = since
        for provider in providers.values { provider.setDrained(Set(drainedHosts.keys)) }
        eventsChanged()
    }

    /// Moves a workspace running jobs to another host of its class, live; its agent is attached
    /// again there and reports its runs, which go on. On a failure it runs where it was.
    func migrate(_ id: String) async throws -> WorkspaceMigration {
        guard let w = workspaces[id], let provider = providers[w.record.provider],
              let cls = config.workspaceClass(named: w.record.className) else {
            throw CommandError(description: "workspace \(id): no class or provider for it", code: "conflict")
        }
        guard !retuning.contains(id) else {
            throw CommandError(description: "workspace \(id) is being retuned", code: "conflict")
        }
        workspaces[id]!.migrating = true
        let result: WorkspaceMigration
        do {
            result = try await provider.migrate(w.record, of: cls)
        } catch {
            workspaces[id]?.migrating = false
            logger.warning("workspace not moved", metadata: ["workspace": "\(id)", "error": "\(error)"])
            try? store.record(StoreEvent(at: Self.now, workspaceID: id, kind: "workspace-not-moved", message: "\(error)"))
            // Its channel may have dropped on the way.
            if workspaces[id] != nil, workspaces[id]!.link == nil { attach(id) }
            throw error
        }
        logger.info("workspace moved", metadata: ["workspace": "\(id)", "from": "\(result.from)", "to": "\(result.to)",
                                                  "seconds": "\(String(format: "%.2f", result.seconds))"])
        guard workspaces[id] != nil else { return result }
        workspaces[id]!.record.handle = result.workspace.handle
        workspaces[id]!.migrating = false
        try? store.save(workspaces[id]!.record, event: StoreEvent(
            at: Self.now, workspaceID: id, kind: "workspace-moved",
            message: "from \(result.from) to \(result.to) in \(String(format: "%.2f", result.seconds)) s"))
        if workspaces[id]!.link == nil { attach(id) }
        return result
    }
}
