import Foundation
import WorkspaceBridge

/// What a workspace's guest is doing, as far as its host can tell.
public enum LibvirtWorkspaceStatus: Sendable, Equatable {
    case running(DomainState)
    case paused(DomainState)
    /// Defined but not running; `isSaved` when saved to a file.
    case stopped(DomainState)
    /// No such domain (or not ours).
    case gone
    /// The host did not answer; nothing is known about the guest.
    case unreachable(LibvirtError)
}

/// Operations on running workspaces beyond the provider protocol: pause, save/restore, re-tune.
extension LibvirtProvider {
    /// The domain behind a workspace, checked to carry our metadata.
    public func domain(of workspace: Workspace) async throws -> LibvirtDomain {
        try await ourDomain(of: workspace).domain
    }

    /// The domain behind a workspace and our metadata in it.
    func ourDomain(of workspace: Workspace) async throws -> (domain: LibvirtDomain, metadata: WorkspaceMetadata) {
        guard let (uri, domainName) = Self.parseHandle(workspace.handle) else {
            throw LibvirtProviderError.badHandle(workspace.handle)
        }
        do {
            let connection = try await hosts.connection(uri)
            let domain = try await connection.lookupDomain(name: domainName)
            guard let xml = try await domain.metadata(namespace: WorkspaceMetadata.namespace),
                  let meta = WorkspaceMetadata(xml: xml), isOurs(meta) else {
                throw LibvirtProviderError.badHandle("\(workspace.handle) names a domain without our metadata")
            }
            return (domain, meta)
        } catch let error as LibvirtError {
            throw LibvirtProviderError.libvirt(error)
        }
    }

    /// Where the guest is, distinguishing "gone" from "cannot tell".
    public func status(_ workspace: Workspace) async -> LibvirtWorkspaceStatus {
        do {
            let state = try await domain(of: workspace).state()
            switch state.kind {
            case .running, .blocked, .shuttingDown: return .running(state)
            case .paused, .pmSuspended: return .paused(state)
            case .noState, .shutOff, .crashed: return .stopped(state)
            }
        } catch LibvirtProviderError.libvirt(let e) where e.isNoDomain {
            return .gone
        } catch LibvirtProviderError.badHandle {
            return .gone
        } catch LibvirtProviderError.libvirt(let e) {
            return .unreachable(e)
        } catch {
            return .unreachable(.call(operation: "status", code: .internalError, domain: 0, message: "\(error)"))
        }
    }

    /// Pauses the guest's vCPUs (memory stays; resume is instant).
    public func suspend(_ workspace: Workspace) async throws {
        do { try await domain(of: workspace).suspend() } catch let e as LibvirtError { throw LibvirtProviderError.libvirt(e) }
    }

    public func resume(_ workspace: Workspace) async throws {
        do { try await domain(of: workspace).resume() } catch let e as LibvirtError { throw LibvirtProviderError.libvirt(e) }
    }

    /// Saves the guest's memory to a file on its host and stops it; the domain stays defined.
    /// - Returns: the save file (default: in the workspace's instance directory, or in its
    ///   storage pool on a remote host).
    @discardableResult
    public func save(_ workspace: Workspace, to path: String? = nil) async throws -> String {
        let domain = try await domain(of: workspace)
        var file = path ?? ""
        if file.isEmpty { file = try await defaultSaveFile(domainName: domain.name, pool: try await remotePool(of: workspace)) }
        // Saving writes the whole guest memory: allow far longer than an ordinary call.
        do { try await domain.save(to: file, timeout: max(configuration.callTimeout, 600)) } catch {
            throw LibvirtProviderError.libvirt(error)
        }
        forwarders.stop(domain.name)
        return file
    }

    /// Restores a workspace saved with `save`, waits for its agent channel again, and removes
    /// the save file.
    public func restore(_ workspace: Workspace, from path: String? = nil) async throws {
        guard let (uri, domainName) = Self.parseHandle(workspace.handle) else {
            throw LibvirtProviderError.badHandle(workspace.handle)
        }
        let pool = try await remotePool(of: workspace)
        var file = path ?? ""
        if file.isEmpty { file = try await defaultSaveFile(domainName: domainName, pool: pool) }
        do {
            let connection = try await hosts.connection(uri)
            try await connection.restoreDomain(from: file, timeout: max(configuration.callTimeout, 600))
            let domain = try await connection.lookupDomain(name: domainName)
            if pool != nil { try await adopt(workspace) }
            if configuration.waitForAgent {
                _ = try await AgentChannel.waitUntilReady(socketPath: workspace.endpoint, timeout: 60, domain: domain)
            }
        } catch let e as LibvirtError {
            throw LibvirtProviderError.libvirt(e)
        }
        if let pool {
            try? await pool.remove(["\(domainName).save"])
        } else {
            try? FileManager.default.removeItem(atPath: file)
        }
    }

    /// In the instance directory here, or in the workspace's pool on its remote host.
    private func defaultSaveFile(domainName: String, pool: HostStoragePool?) async throws -> String {
        if let pool {
            do {
                return (try await pool.prepare() as NSString).appendingPathComponent("\(domainName).save")
            } catch { throw LibvirtProviderError.libvirt(error) }
        }
        return (instanceDirectory(domainName) as NSString).appendingPathComponent("saved.img")
    }

    /// Changes the guest's memory (balloon) up to its maximum; a running guest changes live and
    /// in its definition.
    public func setMemory(_ workspace: Workspace, megabytes: Int) async throws {
        do {
            let domain = try await domain(of: workspace)
            let kiB = UInt(megabytes) * 1024
            // Two calls: some drivers refuse LIVE and CONFIG together.
            if try await domain.state().isActive { try await domain.setMemory(kiB: kiB, impact: .live) }
            try await domain.setMemory(kiB: kiB, impact: .config)
        } catch let e as LibvirtError {
            throw LibvirtProviderError.libvirt(e)
        }
    }

    /// Changes the CPU share and cap of a running guest, in the units its scheduler uses.
    /// - Returns: the parameters applied.
    @discardableResult
    public func setCPU(_ workspace: Workspace, weight: Int, capPercent: Int?) async throws -> [String: TypedParameterValue] {
        do {
            let domain = try await domain(of: workspace)
            let params = CPUTuning(weight: weight, capPercent: capPercent)
                .schedulerParameters(forScheduler: try await domain.schedulerType())
            try await domain.setSchedulerParameters(params)
            return Dictionary(params, uniquingKeysWith: { $1 })
        } catch let e as LibvirtError {
            throw LibvirtProviderError.libvirt(e)
        }
    }

    // MARK: Warm workspaces

    public func park(_ workspace: Workspace, as mode: WarmMode) async throws {
        switch mode {
        case .running: return
        case .paused: try await suspend(workspace)
        case .saved: try await save(workspace)
        }
    }

    /// Stops a save in progress (`park(_, as: .saved)`), which then fails: the guest goes on
    /// running, unpaused. False where there was nothing to stop (the save ended first).
    public func cancelPark(_ workspace: Workspace) async -> Bool {
        guard let domain = try? await domain(of: workspace), (try? await domain.abortJob()) != nil else { return false }
        // The save paused the vCPUs before writing memory; an aborted save resumes them, but
        // make sure: a paused guest's agent would never answer.
        if let state = try? await domain.state(), state.kind == .paused { try? await domain.resume() }
        return true
    }

    public func unpark(_ workspace: Workspace, from mode: WarmMode) async throws {
        switch mode {
        case .running: return
        case .paused: try await resume(workspace)
        case .saved: try await restore(workspace)
        }
    }
}
