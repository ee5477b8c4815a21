import Foundation
import Synchronization
import WorkspaceBridge
import WorkspaceProviders

/// The job VMs this process serves, by workspace id.
final class JobVMRegistry: Sendable {
    private let endpoints = Mutex<[String: JobVMEndpoint]>([:])
    func get(_ id: String) -> JobVMEndpoint? { endpoints.withLock { $0[id] } }
    func set(_ id: String, _ e: JobVMEndpoint?) { endpoints.withLock { $0[id] = e } }
}

/// "The job's own VM" (HTCondor `universe = vm`): a workspace of one slot whose endpoint is
/// served on this host by a `JobVMEndpoint`. Its handle is `jobvm:` + the usual `URI#domain`;
/// its instance directory holds its record (`jobvm.json`), the staged images and the serial log.
extension LibvirtProvider {
    static let jobVMHandlePrefix = "jobvm:"

    /// The `URI#domain` of a job VM's handle, or `nil` for an ordinary guest.
    static func jobVMHandle(_ handle: String) -> (uri: String, domainName: String)? {
        guard handle.hasPrefix(jobVMHandlePrefix) else { return nil }
        return parseHandle(String(handle.dropFirst(jobVMHandlePrefix.count)))
    }

    public func validate(_ vm: VMDescription, in workspaceClass: WorkspaceClass) throws {
        let settings: LibvirtClassSettings
        do { settings = try LibvirtClassSettings(workspaceClass) } catch { throw LibvirtProviderError.configuration(error.description) }
        guard settings.kind.isXen == (vm.hypervisor == .xen) else {
            throw LibvirtProviderError.configuration("vm_type = \(vm.hypervisor.rawValue) cannot run in class \(workspaceClass.name), whose guests are \(settings.kind.rawValue); choose a class of that type")
        }
        if let remote = settings.uris.first(where: LibvirtClassSettings.isRemote) {
            throw LibvirtProviderError.configuration("class \(workspaceClass.name) has a remote host (\(remote)); job VMs run on this host only")
        }
    }

    public func createJobVM(id: String, workspaceClass: WorkspaceClass) async throws -> Workspace {
        let settings: LibvirtClassSettings
        do { settings = try LibvirtClassSettings(workspaceClass) } catch { throw LibvirtProviderError.configuration(error.description) }
        let local = settings.uris.filter { !LibvirtClassSettings.isRemote($0) }
        guard !local.isEmpty else { throw LibvirtProviderError.configuration("class \(workspaceClass.name) has no host on this machine for job VMs") }
        let connection = try await place(on: local)
        let domainName = domainName(for: id)
        let directory = instanceDirectory(domainName)
        let socket = socketPath(domainName)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try FileManager.default.createDirectory(atPath: configuration.socketDirectory, withIntermediateDirectories: true)
        } catch {
            throw LibvirtProviderError.image("cannot create \(directory): \(error)")
        }
        let record = JobVMRecord(workspaceID: id, className: workspaceClass.name, workspaceClass: workspaceClass,
                                 uri: connection.uri, domainName: domainName)
        try record.save(in: directory)
        try serve(record, directory: directory, socket: socket)
        let now = Date().timeIntervalSince1970
        return Workspace(id: id, className: workspaceClass.name, provider: name, state: .ready, pid: nil, endpoint: socket,
                         handle: Self.jobVMHandlePrefix + Self.handle(uri: connection.uri, domainName: domainName), createdAt: now,
                         // Lives as long as its job: the class's lease is for shared workspaces.
                         leaseExpiresAt: now + Double(SpecBounds.seconds.upperBound), lastUsedAt: now,
                         enforcement: [Enforcement(control: "memory", mechanism: "libvirt", effective: true, detail: "the job's vm_memory, at most \(workspaceClass.memoryMB) MiB"),
                                       Enforcement(control: "cpus", mechanism: "libvirt", effective: true, detail: "the job's vCPUs, at most \(workspaceClass.cpus)")])
    }

    func serve(_ record: JobVMRecord, directory: String, socket: String) throws {
        let endpoint = JobVMEndpoint(provider: self, record: record, directory: directory, socketPath: socket,
                                     workspaceClass: record.workspaceClass)
        do { try endpoint.start() } catch { throw LibvirtProviderError.configuration("cannot listen on \(socket): \(error)") }
        jobVMs.set(record.workspaceID, endpoint)
    }

    /// A job VM lives as long as its record: its run may have ended while no daemon watched.
    func jobVMIsAlive(_ workspace: Workspace, domainName: String) -> Bool {
        jobVMs.get(workspace.id) != nil || JobVMRecord.load(from: instanceDirectory(domainName)) != nil
    }

    /// After a daemon restart: serve the job VM again from its record (a running guest is
    /// watched again, not booted again).
    func adoptJobVM(_ workspace: Workspace, domainName: String) throws {
        guard jobVMs.get(workspace.id) == nil else { return }
        let directory = instanceDirectory(domainName)
        guard let record = JobVMRecord.load(from: directory) else { throw LibvirtProviderError.badHandle("\(workspace.handle): its record is gone") }
        try serve(record, directory: directory, socket: workspace.endpoint.isEmpty ? socketPath(domainName) : workspace.endpoint)
    }

    /// Stops serving, destroys and undefines the domain if it was booted, removes the files.
    func destroyJobVM(id: String, uri: String, domainName: String) async throws {
        jobVMs.get(id)?.stop()
        jobVMs.set(id, nil)
        if let connection = try? await hosts.connection(uri) {
            _ = try await stopAndUndefine(domainName, on: connection, handle: "jobvm:\(uri)#\(domainName)")
        }
        removeLocalFiles(instanceDir: instanceDirectory(domainName), socket: socketPath(domainName))
    }

    /// Job VMs that exist on this host by their records (booted or not).
    func jobVMRecords() -> [JobVMRecord] {
        let base = (configuration.stateDirectory as NSString).appendingPathComponent("instances")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return names.compactMap { JobVMRecord.load(from: base + "/" + $0) }
    }
}
