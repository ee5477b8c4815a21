import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// Workspaces as libvirt guests: Xen PV/HVM under libxl, KVM, or QEMU/TCG.
///
/// `create` places the guest on the class's least loaded host, stages its kernel, initramfs and
/// disk through the content-addressed `ImageCache` (on a remote host: `HostStoragePool`), defines
/// a persistent domain tagged with our `WorkspaceMetadata`, starts it and returns once the agent
/// channel is usable at a local Unix socket (QEMU's own, or a `ChannelForwarder` for a remote
/// host). Domains without our metadata are never touched.
public final class LibvirtProvider: WorkspaceProvider {
    public let name = "libvirt"
    /// Guests have their own disks and clocks; guests on remote hosts move between them.
    public let capabilities: ProviderCapabilities = [.canPause, .canSave, .runsJobVMs, .canMigrate]

    /// Where the provider keeps its files and how long it waits.
    public struct Configuration: Sendable {
        /// Per-workspace directories (overlay disk, serial log, save images).
        public var stateDirectory: String
        /// The content-addressed image cache.
        public var cacheDirectory: String
        /// Agent channel sockets. Keep it short: a Unix socket path has at most 107 bytes.
        public var socketDirectory: String
        public var openTimeout: Double
        public var callTimeout: Double
        /// `false` only where no guest really runs (the libvirt test driver): `create` then
        /// returns when the domain runs, without waiting for an agent.
        public var waitForAgent: Bool
        /// Names this provider instance among others on the same hosts (several daemons may share
        /// one libvirtd): it prefixes domain names and is the `owner` in our metadata, and
        /// domains of another owner are foreign. Default: derived from `stateDirectory`.
        public var scope: String
        /// Told when a guest `create` started has its agent channel open (not on failures).
        public var bootObserver: (@Sendable (GuestBootTimes) -> Void)?

        public init(stateDirectory: String = "/var/lib/wsbridge/libvirt", cacheDirectory: String? = nil,
                    socketDirectory: String = "/run/wsbridge/libvirt", openTimeout: Double = 30,
                    callTimeout: Double = 60, waitForAgent: Bool = true, scope: String? = nil,
                    bootObserver: (@Sendable (GuestBootTimes) -> Void)? = nil) {
            self.bootObserver = bootObserver
            self.scope = scope ?? LocalProvider.scope(of: stateDirectory)
            self.stateDirectory = stateDirectory
            self.cacheDirectory = cacheDirectory ?? (stateDirectory as NSString).appendingPathComponent("images")
            self.socketDirectory = socketDirectory
            self.openTimeout = openTimeout
            self.callTimeout = callTimeout
            self.waitForAgent = waitForAgent
        }
    }

    public let configuration: Configuration
    /// Hosts scanned by `discover` and `reconcile` (classes may add more at `create`).
    public let uris: [String]
    public let hosts: LibvirtHostPool
    let cache: ImageCache
    /// Local sockets leading to the agent channels of guests on remote hosts.
    let forwarders = ChannelForwarders()
    /// Job VMs (HTCondor `universe = vm`) served by this process.
    let jobVMs = JobVMRegistry()
    /// Hosts that take no new guest (`wsbridge hosts drain`).
    let drained = DrainedHosts()
    /// Storage pool preparation and uploads, one at a time per host and pool.
    let poolLocks = SerialLocks()

    /// - Parameter uris: every libvirt URI any class uses; `discover` looks only there.
    public init(configuration: Configuration = .init(), uris: [String]) {
        self.configuration = configuration
        var seen = Set<String>()
        self.uris = uris.filter { seen.insert($0).inserted }
        self.hosts = LibvirtHostPool(openTimeout: configuration.openTimeout, callTimeout: configuration.callTimeout)
        self.cache = ImageCache(directory: configuration.cacheDirectory)
    }

    /// A provider for the libvirt classes among `classes` (their `uris` settings are scanned).
    public convenience init(configuration: Configuration = .init(), classes: [WorkspaceClass]) {
        let uris = classes.filter { $0.provider == "libvirt" }
            .flatMap { (try? LibvirtClassSettings($0))?.uris ?? [] }
        self.init(configuration: configuration, uris: uris)
    }

    // MARK: Names and handles

    /// The domain name of a workspace: our prefix, the scope and the id, reduced to characters
    /// every driver and file system accepts.
    public static func domainName(for workspaceID: String, scope: String = "") -> String {
        let safe = (scope.isEmpty ? workspaceID : "\(scope)-\(workspaceID)").unicodeScalars.map { c -> Character in
            (CharacterSet.alphanumerics.contains(c) && c.isASCII) || c == "-" || c == "_" || c == "." ? Character(c) : "_"
        }
        return "wsb-" + String(safe)
    }

    /// This provider's domain name for a workspace.
    public func domainName(for workspaceID: String) -> String {
        Self.domainName(for: workspaceID, scope: configuration.scope)
    }

    /// Whether a domain's metadata makes it ours: written by this scope, or (older domains
    /// without an owner) by any.
    func isOurs(_ meta: WorkspaceMetadata) -> Bool {
        meta.owner.isEmpty || meta.owner == configuration.scope
    }

    /// `URI#domain`: enough to find the guest again after a restart.
    public static func handle(uri: String, domainName: String) -> String { "\(uri)#\(domainName)" }

    /// Splits a handle made by `handle(uri:domainName:)`.
    public static func parseHandle(_ handle: String) -> (uri: String, domainName: String)? {
        guard let i = handle.lastIndex(of: "#") else { return nil }
        let uri = String(handle[..<i]), name = String(handle[handle.index(after: i)...])
        return uri.isEmpty || name.isEmpty ? nil : (uri, name)
    }

    func instanceDirectory(_ domainName: String) -> String {
        (configuration.stateDirectory as NSString).appendingPathComponent("instances/\(domainName)")
    }

    func socketPath(_ domainName: String) -> String {
        (configuration.socketDirectory as NSString).appendingPathComponent("\(domainName).agent")
    }

    // MARK: WorkspaceProvider

    /// The class's libvirt settings must parse: kernel, URIs, and `binds` only where its guests
    /// can see this host's directories.
    public func validate(_ workspaceClass: WorkspaceClass) throws {
        do { _ = try LibvirtClassSettings(workspaceClass) } catch {
            throw LibvirtProviderError.configuration(error.description)
        }
    }

    public func create(id: String, workspaceClass: WorkspaceClass) async throws -> Workspace {
        let settings: LibvirtClassSettings
        do { settings = try LibvirtClassSettings(workspaceClass) } catch {
            throw LibvirtProviderError.configuration(error.description)
        }
        let connection = try await place(on: settings.uris)
        let remote = LibvirtClassSettings.isRemote(connection.uri)
        let domainName = domainName(for: id)
        let socket = socketPath(domainName)
        guard socket.utf8.count < 108 else {
            throw LibvirtProviderError.configuration("agent socket path \(socket) is longer than a Unix socket allows; shorten the socket directory")
        }
        let now = Date().timeIntervalSince1970
        let metadata = WorkspaceMetadata(workspaceID: id, className: workspaceClass.name, createdAt: now,
                                         leaseExpiresAt: now + Double(workspaceClass.leaseSeconds),
                                         endpoint: socket, instanceDirectory: remote ? "" : instanceDirectory(domainName),
                                         owner: configuration.scope, storagePool: remote ? settings.storagePool : "")
        let (spec, digest) = remote
            ? try await prepareRemote(domainName: domainName, workspaceClass: workspaceClass, settings: settings,
                                      metadata: metadata, connection: connection)
            : try prepare(domainName: domainName, workspaceClass: workspaceClass, settings: settings, metadata: metadata)

        // libvirt refuses to start a guest it cannot shape: on a host without the kernel's
        // pieces for it, the guest starts unshaped and its enforcement says so.
        var defined = spec
        var cannotShape: String?
        if !remote, spec.bandwidth != nil, spec.network != nil, spec.network != .user, !settings.kind.isXen,
           !connection.uri.hasPrefix("test:"), let why = HostTrafficControl.missing {
            cannotShape = why
            defined.bandwidth = nil
        }
        let domain: LibvirtDomain
        do {
            domain = try await connection.defineDomain(xml: DomainXML.render(defined))
        } catch {
            await removeFiles(domainName, metadata, on: connection)
            throw LibvirtProviderError.libvirt(error)
        }
        let startCalledAt = Date().timeIntervalSince1970
        do {
            try await domain.start()
            let startReturnedAt = Date().timeIntervalSince1970
            if settings.kind.isXen, workspaceClass.cpuCapPercent != nil {
                // libxl takes the weight from <cputune> but a cap only at run time.
                try await domain.setSchedulerParameters(spec.cpu.schedulerParameters(forScheduler: try await domain.schedulerType()))
            }
            if remote {
                try forward(uri: connection.uri, domainName: domainName, socket: socket, openTimeout: settings.bootTimeoutSeconds)
            }
            if configuration.waitForAgent {
                _ = try await AgentChannel.waitUntilReady(socketPath: socket, timeout: settings.bootTimeoutSeconds, domain: domain)
            }
            configuration.bootObserver?(GuestBootTimes(domainName: domainName, createdAt: now, startCalledAt: startCalledAt,
                                                       startReturnedAt: startReturnedAt, agentChannelAt: Date().timeIntervalSince1970,
                                                       serialLogPath: remote ? nil : spec.serialLogPath))
        } catch {
            let detail = Self.tail(ofFile: spec.serialLogPath)
            try? await domain.destroy()
            try? await domain.undefine()
            await removeFiles(domainName, metadata, on: connection)
            switch error {
            case LibvirtProviderError.agentNotReady(let d, let s, let t, _):
                throw LibvirtProviderError.agentNotReady(domain: d, socket: s, seconds: t, detail: detail)
            case LibvirtProviderError.guestStopped(let d, let st, _):
                throw LibvirtProviderError.guestStopped(domain: d, state: st, detail: detail)
            case let e as LibvirtError:
                throw LibvirtProviderError.libvirt(e)
            default:
                throw error
            }
        }
        let driver = (try? await connection.driverType()) ?? settings.kind.domainType
        return Workspace(id: id, className: workspaceClass.name, provider: name, state: .ready,
                         pid: Self.qemuPID(uri: connection.uri, domainName: domainName), endpoint: socket,
                         handle: Self.handle(uri: connection.uri, domainName: domainName), createdAt: now,
                         leaseExpiresAt: metadata.leaseExpiresAt, lastUsedAt: now,
                         enforcement: Self.enforcement(spec: spec, workspaceClass: workspaceClass, driver: driver,
                                                       cannotShape: cannotShape),
                         allocation: ResourceAllocation(of: workspaceClass, bandwidthKBps: Self.shapedRate(spec)),
                         imageDigest: digest)
    }

    /// The rate a guest's NIC is shaped to, as one figure (the class's `bandwidth_kbps`, else its
    /// inbound or outbound rate); `nil` where nothing is shaped.
    static func shapedRate(_ spec: DomainSpec) -> Int? {
        guard let network = spec.network, network != .user, let bw = spec.bandwidth else { return nil }
        return bw.inboundKiBps ?? bw.outboundKiBps
    }

    public func destroy(_ workspace: Workspace) async throws {
        if let (uri, domainName) = Self.jobVMHandle(workspace.handle) {
            return try await destroyJobVM(id: workspace.id, uri: uri, domainName: domainName)
        }
        guard let (uri, domainName) = Self.parseHandle(workspace.handle) else {
            // Known only by its id (a leak found by the reconciler): find it by our metadata.
            guard workspace.handle.isEmpty, !workspace.id.isEmpty else { throw LibvirtProviderError.badHandle(workspace.handle) }
            try await destroy(id: workspace.id)
            return
        }
        let connection: LibvirtConnection
        do { connection = try await hosts.connection(uri) } catch { throw LibvirtProviderError.libvirt(error) }
        // Older records may lack what the domain's metadata says; the metadata wins.
        var files = WorkspaceMetadata(workspaceID: workspace.id, className: workspace.className, createdAt: 0, leaseExpiresAt: 0,
                                      endpoint: workspace.endpoint.isEmpty ? socketPath(domainName) : workspace.endpoint,
                                      instanceDirectory: LibvirtClassSettings.isRemote(uri) ? "" : instanceDirectory(domainName))
        if let meta = try await stopAndUndefine(domainName, on: connection, handle: workspace.handle) {
            if !meta.instanceDirectory.isEmpty { files.instanceDirectory = meta.instanceDirectory }
            if !meta.endpoint.isEmpty { files.endpoint = meta.endpoint }
            files.storagePool = meta.storagePool
        }
        await removeFiles(domainName, files, on: connection)
    }

    /// `false` only on evidence that the guest is gone or stopped. A host that does not answer
    /// gives no evidence either way, and declaring its guests dead would requeue (re-run) their
    /// jobs; use `status(_:)` to see the difference.
    public func isAlive(_ workspace: Workspace) async -> Bool {
        if let (_, domainName) = Self.jobVMHandle(workspace.handle) { return jobVMIsAlive(workspace, domainName: domainName) }
        switch await status(workspace) {
        case .running, .paused: return true
        case .stopped, .gone: return false
        case .unreachable: return true
        }
    }

    public func discover() async throws -> [String] {
        let (found, unreachable, _) = await scan(uris)
        if let (uri, error) = unreachable.first {
            // A partial answer would make the caller think the silent host's workspaces are gone.
            throw LibvirtProviderError.noHostAvailable([uri: error])
        }
        return Set(found.map { $0.metadata.workspaceID } + jobVMRecords().map(\.workspaceID)).sorted()
    }

    /// Destroys every domain of ours that carries workspace id `id`, on every host; throws if a
    /// host did not answer (what it holds is unknown), after removing what it could.
    public func destroy(id: String) async throws {
        if let r = jobVMRecords().first(where: { $0.workspaceID == id }) {
            try await destroyJobVM(id: id, uri: r.uri, domainName: r.domainName)
        }
        let (found, unreachable, _) = await scan(uris)
        for d in found where d.metadata.workspaceID == id {
            try await destroy(adoptable(d))
        }
        if !unreachable.isEmpty { throw LibvirtProviderError.noHostAvailable(unreachable) }
    }

    // MARK: Building blocks

    /// Stops and undefines our domain `domainName`; `nil` if it was already gone.
    func stopAndUndefine(_ domainName: String, on connection: LibvirtConnection, handle: String) async throws -> WorkspaceMetadata? {
        let domain: LibvirtDomain
        let meta: WorkspaceMetadata
        do {
            domain = try await connection.lookupDomain(name: domainName)
            guard let xml = try await domain.metadata(namespace: WorkspaceMetadata.namespace),
                  let m = WorkspaceMetadata(xml: xml), isOurs(m) else {
                // Same name, but not ours: never touch it.
                throw LibvirtProviderError.badHandle("\(handle) names a domain without our metadata")
            }
            meta = m
        } catch let error as LibvirtError {
            if error.isNoDomain { return nil }
            throw LibvirtProviderError.libvirt(error)
        }
        do {
            if try await domain.state().isActive { try await domain.destroy() }
        } catch {
            // Stopped or vanished meanwhile is fine; anything else is a real failure.
            if !(error.isNoDomain || error.code == .operationInvalid) { throw LibvirtProviderError.libvirt(error) }
        }
        do {
            try await domain.undefine()
        } catch {
            if !error.isNoDomain { throw LibvirtProviderError.libvirt(error) }
        }
        return meta
    }

    /// Stages images and fills the domain spec.
    func prepare(domainName: String, workspaceClass: WorkspaceClass, settings: LibvirtClassSettings,
                 metadata: WorkspaceMetadata) throws -> (DomainSpec, String) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: metadata.instanceDirectory, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: configuration.socketDirectory, withIntermediateDirectories: true)
        } catch {
            throw LibvirtProviderError.image("cannot create \(metadata.instanceDirectory): \(error)")
        }
        try? fm.removeItem(atPath: metadata.endpoint)
        do {
            let kernel = try cache.cachedCopy(of: settings.kernel)
            let initrd = try settings.initrd.map { p throws(ImageCache.Failure) in try cache.cachedCopy(of: p) }
            var disks: [DomainSpec.Disk] = []
            var base: String?
            if let image = settings.image {
                let cached = try cache.cachedCopy(of: image)
                base = cached
                let overlay = (metadata.instanceDirectory as NSString).appendingPathComponent("disk.qcow2")
                try? fm.removeItem(atPath: overlay)
                try cache.createOverlay(base: cached, at: overlay, sizeMB: workspaceClass.diskMB)
                disks.append(.init(path: overlay, format: "qcow2"))
            }
            let digest = try GuestImageDigest.of(kernel: kernel, initrd: initrd, disk: base, settings: settings)
            return (DomainSpec(name: domainName, workspaceClass: workspaceClass, settings: settings, metadata: metadata,
                               kernel: kernel, initrd: initrd, disks: disks,
                               serialLogPath: (metadata.instanceDirectory as NSString).appendingPathComponent("serial.log"),
                               agentSocketPath: metadata.endpoint), digest)
        } catch {
            removeLocalFiles(instanceDir: metadata.instanceDirectory, socket: metadata.endpoint)
            throw LibvirtProviderError.image(error.description)
        }
    }

    /// Removes a workspace's files: its local agent socket (and forwarder), its instance
    /// directory here, and on a remote host its volumes in the storage pool.
    func removeFiles(_ domainName: String, _ files: WorkspaceMetadata, on connection: LibvirtConnection) async {
        forwarders.stop(domainName)
        removeLocalFiles(instanceDir: files.instanceDirectory, socket: files.endpoint)
        if !files.storagePool.isEmpty {
            let pool = HostStoragePool(connection: connection, name: files.storagePool, path: "")
            try? await pool.remove(Self.remoteVolumes(domainName))
        }
    }

    func removeLocalFiles(instanceDir: String, socket: String) {
        // Only ever below our own state directory: a corrupted metadata element must not make
        // us delete anything else.
        if instanceDir.hasPrefix(configuration.stateDirectory + "/") {
            try? FileManager.default.removeItem(atPath: instanceDir)
        }
        if !socket.isEmpty { try? FileManager.default.removeItem(atPath: socket) }
    }

    /// QEMU's pid from libvirt's pid file, for local QEMU hosts.
    static func qemuPID(uri: String, domainName: String) -> Int32? {
        guard uri.hasPrefix("qemu:///") else { return nil }
        let dir = uri.hasPrefix("qemu:///system") ? "/run/libvirt/qemu" : nil
        guard let dir, let text = try? String(contentsOfFile: "\(dir)/\(domainName).pid", encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The last lines of a file (the serial log), for error messages.
    static func tail(ofFile path: String?, lines: Int = 15) -> String {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return "" }
        let text = String(decoding: data.suffix(8192), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// What the guest definition enforces, for `Workspace.enforcement`.
    static func enforcement(spec: DomainSpec, workspaceClass: WorkspaceClass, driver: String,
                            cannotShape: String? = nil) -> [Enforcement] {
        let real = driver.lowercased() != "test"
        let mechanism = "libvirt-\(driver.lowercased())"
        var list = [
            Enforcement(control: "memory", mechanism: mechanism, effective: real,
                        detail: "\(spec.memoryMiB) MiB (max \(spec.maxMemoryMiB) MiB)"),
            Enforcement(control: "cpus", mechanism: mechanism, effective: real, detail: "\(spec.vcpus) vCPU (max \(spec.maxVcpus))"),
            Enforcement(control: "cpu", mechanism: mechanism, effective: real,
                        detail: spec.kind.isXen ? "weight \(spec.cpu.xenWeight), cap \(spec.cpu.xenCap)%"
                            : "shares \(spec.cpu.qemuShares)" + (spec.cpu.qemuGlobalQuota.map { ", quota \($0)/\(CPUTuning.period) µs" } ?? "")),
            Enforcement(control: "pids", mechanism: "guest-kernel", effective: false,
                        detail: "the guest is the boundary; no per-workspace process limit from the host"),
        ]
        if let disk = workspaceClass.diskMB {
            list.append(Enforcement(control: "disk", mechanism: "qcow2-overlay", effective: !spec.disks.isEmpty,
                                    detail: spec.disks.isEmpty ? "not enforced: the class has no disk image" : "\(disk) MiB virtual size"))
        }
        if let io = spec.diskIO {
            let why = spec.disks.isEmpty ? "the class has no disk image"
                : spec.kind.isXen ? "libxl applies no disk I/O limits" : nil
            list.append(Enforcement(control: "disk-io", mechanism: why == nil ? "\(mechanism) iotune" : "none",
                                    effective: why == nil && real,
                                    detail: why.map { "\(io.summary) not enforced: \($0)" } ?? io.summary))
        }
        if let bw = spec.bandwidth {
            var entry = bandwidthEnforcement(bw, network: spec.network, kind: spec.kind, mechanism: mechanism, real: real)
            if let why = cannotShape {
                entry = Enforcement(control: "bandwidth", mechanism: "none", effective: false, detail: "\(entry.detail) not enforced: \(why)")
            }
            list.append(entry)
        }
        return list
    }

    /// Whether the NIC's rates take: libvirt shapes with tc on the host side of a tap device
    /// (bridges and libvirt networks), which QEMU user networking has not; libxl applies only
    /// the outbound average.
    static func bandwidthEnforcement(_ bw: DomainSpec.Bandwidth, network: DomainSpec.NetworkSource?, kind: GuestKind,
                                     mechanism: String, real: Bool) -> Enforcement {
        let rates = "in \(bw.inboundKiBps.map { "\($0) KiB/s" } ?? "unlimited") / out \(bw.outboundKiBps.map { "\($0) KiB/s" } ?? "unlimited")"
        switch network {
        case nil:
            return Enforcement(control: "bandwidth", mechanism: "none", effective: false,
                               detail: "\(rates) not enforced: the class has no network (network = false)")
        case .user:
            return Enforcement(control: "bandwidth", mechanism: "none", effective: false,
                               detail: "\(rates) not enforced: QEMU user-mode networking has no host device to shape; use a bridge or a libvirt network")
        case .bridge, .network:
            if kind.isXen, bw.inboundKiBps != nil {
                return Enforcement(control: "bandwidth", mechanism: mechanism, effective: real && bw.outboundKiBps != nil,
                                   detail: "out \(bw.outboundKiBps.map { "\($0) KiB/s" } ?? "unlimited"); in not enforced: libxl shapes outbound only")
            }
            return Enforcement(control: "bandwidth", mechanism: "\(mechanism) tc", effective: real, detail: rates)
        }
    }
}
