import Foundation
import WorkspaceBridge

extension DomainSpec {
    /// The spec of a workspace of `workspaceClass`, its files already staged at these paths.
    init(name: String, workspaceClass: WorkspaceClass, settings: LibvirtClassSettings, metadata: WorkspaceMetadata,
         kernel: String, initrd: String?, disks: [Disk], serialLogPath: String, agentSocketPath: String?) {
        self.init(name: name, kind: settings.kind, memoryMiB: workspaceClass.memoryMB,
                  maxMemoryMiB: settings.maxMemoryMB, vcpus: workspaceClass.cpus, maxVcpus: settings.maxCPUs,
                  cpu: CPUTuning(weight: workspaceClass.cpuWeight, capPercent: workspaceClass.cpuCapPercent),
                  kernel: kernel, initrd: initrd, cmdline: settings.cmdline, disks: disks,
                  shares: settings.shares, sharedFilesystem: settings.sharedFilesystem,
                  network: settings.network, bandwidth: settings.bandwidth, diskIO: settings.diskIO,
                  serialLogPath: serialLogPath,
                  agentSocketPath: agentSocketPath, metadata: metadata, machine: settings.machine,
                  firmwareROM: settings.kind.isXen ? nil : settings.boot.firmwareROM,
                  cpuFeatures: settings.boot.requiredCPUFeatures(for: settings.kind))
    }
}

/// Guests on remote hosts (URIs naming a host, such as `qemu+ssh://root@node1/system`): their
/// images go through libvirt into a storage pool there, and their agent channel comes back
/// through libvirt to a local socket (`ChannelForwarder`), so the rest of the bridge sees a
/// workspace like any other.
extension LibvirtProvider {
    /// The volumes a workspace may leave in its host's pool: overlay disk, serial log, save file.
    static func remoteVolumes(_ domainName: String) -> [String] {
        ["\(domainName).qcow2", "\(domainName).serial.log", "\(domainName).save"]
    }

    /// Uploads (once per host) the class's kernel, initramfs and base image, creates the
    /// overlay disk, and fills the domain spec with paths on the remote host.
    func prepareRemote(domainName: String, workspaceClass: WorkspaceClass, settings: LibvirtClassSettings,
                       metadata: WorkspaceMetadata, connection: LibvirtConnection) async throws -> (DomainSpec, String) {
        let pool = HostStoragePool(connection: connection, name: settings.storagePool, path: settings.storagePoolPath)
        do {
            try? FileManager.default.createDirectory(atPath: configuration.socketDirectory, withIntermediateDirectories: true)
            // One at a time per pool: guests made at once on a fresh host must not define the pool
            // twice or upload the same image over each other.
            let (directory, kernel, initrd, staged) = try await poolLocks.serialize("\(connection.uri)#\(settings.storagePool)") {
                let directory = try await pool.prepare()
                let kernel = try await self.stage(settings.kernel, in: pool)
                let initrd = try await settings.initrd.asyncMap { try await self.stage($0, in: pool) }
                let staged = try await settings.image.asyncMap { try await self.stage($0, in: pool) }
                return (directory, kernel, initrd, staged)
            }
            var disks: [DomainSpec.Disk] = []
            if let image = settings.image, let base = staged {
                let overlay = try await pool.createOverlay("\(domainName).qcow2", backing: base,
                                                           backingFormat: ImageCache.format(of: image), sizeMB: workspaceClass.diskMB)
                disks.append(.init(path: overlay, format: "qcow2"))
            }
            let digest = try GuestImageDigest.of(kernel: kernel, initrd: initrd, disk: staged, settings: settings)
            return (DomainSpec(name: domainName, workspaceClass: workspaceClass, settings: settings, metadata: metadata,
                               kernel: kernel, initrd: initrd, disks: disks,
                               serialLogPath: (directory as NSString).appendingPathComponent("\(domainName).serial.log"),
                               agentSocketPath: nil), digest)
        } catch {
            try? await pool.remove(Self.remoteVolumes(domainName))
            throw LibvirtProviderError.image("on \(connection.uri): \(error)")
        }
    }

    /// The remote copy of a local file, named by its content like the local cache's copies. What
    /// goes up is the local cache's copy, which cannot change under the upload: the name, and the
    /// image digest of the guests made from it, are those of the bytes sent.
    private func stage(_ path: String, in pool: HostStoragePool) async throws -> String {
        let cached = try cache.cachedCopy(of: path)
        return try await pool.stage(localFile: cached, as: (cached as NSString).lastPathComponent)
    }

    /// The workspace's storage pool on its remote host, or `nil` for a local guest.
    func remotePool(of workspace: Workspace) async throws -> HostStoragePool? {
        guard let (uri, _) = Self.parseHandle(workspace.handle), LibvirtClassSettings.isRemote(uri) else { return nil }
        let (domain, meta) = try await ourDomain(of: workspace)
        guard !meta.storagePool.isEmpty else { return nil }
        return HostStoragePool(connection: domain.connection, name: meta.storagePool, path: "")
    }

    /// The host a remote URI names (`node1` of `qemu+ssh://root@node1/system`); `nil` for a
    /// guest on this host.
    public func remoteHost(of workspace: Workspace) -> String? {
        guard let (uri, _) = Self.jobVMHandle(workspace.handle) ?? Self.parseHandle(workspace.handle),
              LibvirtClassSettings.isRemote(uri) else { return nil }
        return URL(string: uri)?.host
    }

    /// After a daemon restart: a live guest on a remote host gets its local channel socket back.
    /// Its host need not answer now: the forwarder waits for it.
    public func adopt(_ workspace: Workspace) async throws {
        if let (_, domainName) = Self.jobVMHandle(workspace.handle) { return try adoptJobVM(workspace, domainName: domainName) }
        guard let (uri, domainName) = Self.parseHandle(workspace.handle), LibvirtClassSettings.isRemote(uri) else { return }
        let socket = workspace.endpoint.isEmpty ? socketPath(domainName) : workspace.endpoint
        try forward(uri: uri, domainName: domainName, socket: socket, openTimeout: 60)
    }

    /// Serves the guest's agent channel at the local `socket`.
    func forward(uri: String, domainName: String, socket: String, openTimeout: Double) throws {
        do {
            try forwarders.ensure(uri: uri, domainName: domainName, socketPath: socket, hosts: hosts, openTimeout: openTimeout)
        } catch {
            throw LibvirtProviderError.configuration("cannot listen on \(socket): \(error)")
        }
    }
}

/// Runs work one at a time per key, in the order asked.
actor SerialLocks {
    private var tails: [String: Task<Void, Never>] = [:]

    func serialize<T: Sendable>(_ key: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tails[key]
        let task = Task { () async throws -> T in
            await previous?.value
            return try await body()
        }
        tails[key] = Task { _ = try? await task.value }
        return try await task.value
    }
}

extension Optional {
    func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
