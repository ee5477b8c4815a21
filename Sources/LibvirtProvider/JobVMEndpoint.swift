import AgentProtocol
import Foundation
import ProcessSpawn
import Synchronization
import WorkspaceBridge

/// The agent side of "the job's own VM", served on this host: nothing of ours runs in a user's
/// guest, so this endpoint speaks the agent protocol for it. A run request boots the job's
/// disks (read as the job's user, see `JobVMImages`); the domain's state, polled as HTCondor's
/// starter does, ends the run when the guest stops; `kill` destroys the domain; `fetchOutput`
/// sends the changed writable images back as the run's output files.
final class JobVMEndpoint: @unchecked Sendable {
    let provider: LibvirtProvider
    let directory: String
    let socketPath: String
    let workspaceClass: WorkspaceClass
    private struct State {
        var record: JobVMRecord
        var channel: MessageChannel<DaemonMessage, AgentMessage>?
        var listener: Int32 = -1
        var watching = false
        var stopped = false
        var cancelled = false
    }
    private let state: Mutex<State>
    /// How often the domain's state is looked at (HTCondor's `VM_STATUS_INTERVAL`, shorter).
    static let pollSeconds = 1.0

    init(provider: LibvirtProvider, record: JobVMRecord, directory: String, socketPath: String, workspaceClass: WorkspaceClass) {
        self.provider = provider
        self.directory = directory
        self.socketPath = socketPath
        self.workspaceClass = workspaceClass
        state = Mutex(State(record: record))
    }

    var record: JobVMRecord { state.withLock { $0.record } }

    /// Listens at `socketPath`; a run that was going when the daemon stopped is watched again.
    func start() throws {
        let fd = try UnixSocket.listen(path: socketPath)
        state.withLock { $0.listener = fd }
        Thread.detachNewThread { [self] in
            while true {
                let conn = accept(fd, nil, nil)
                if conn < 0 {
                    if errno == EINTR { continue }
                    return
                }
                let channel = MessageChannel<DaemonMessage, AgentMessage>(fd: conn)
                let old = state.withLock { s -> MessageChannel<DaemonMessage, AgentMessage>? in
                    defer { s.channel = channel }
                    return s.channel
                }
                old?.shutdown()
                Thread.detachNewThread { [self] in
                    while let message = try? channel.receive() { handle(message) }
                }
            }
        }
        switch record.run?.phase {
        case .running?: watch()
        case .accepted?: Task { await self.recoverBoot() }
        default: break
        }
    }

    /// The daemon stopped while the VM was booting: running now, it is watched; otherwise the
    /// run did not start, and the job goes back to the queue (not counted as a failure).
    func recoverBoot() async {
        let running = (try? await provider.hosts.connection(record.uri).lookupDomain(name: record.domainName).state().isActive) ?? false
        if running {
            update {
                $0.run?.phase = .running
                $0.run?.startedAt = Date().timeIntervalSince1970
            }
            watch()
        } else {
            update {
                $0.run?.phase = .rejected
                $0.run?.reason = "the daemon stopped while the job's VM was being prepared"
                $0.run?.transient = true
            }
        }
    }

    /// Stops serving (the workspace is destroyed, or the daemon stops).
    func stop() {
        let (fd, channel) = state.withLock { s in
            s.stopped = true
            defer { s.listener = -1; s.channel = nil }
            return (s.listener, s.channel)
        }
        if fd >= 0 { Glibc.shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
        channel?.shutdown()
        unlink(socketPath)
    }

    func send(_ message: AgentMessage) {
        try? state.withLock { $0.channel }?.send(message)
    }

    func update(_ body: (inout JobVMRecord) -> Void) {
        let r = state.withLock { s in
            body(&s.record)
            return s.record
        }
        try? r.save(in: directory)
    }

    func handle(_ message: DaemonMessage) {
        switch message {
        case .hello:
            let run = record.run
            send(.state(AgentInfo(hostname: record.domainName, kernel: "job VM (no agent inside)", pid: getpid(), version: "1"),
                        run.map { [$0] } ?? []))
        case .run(let request):
            // A repeat after a reconnect: the state covers it. After a run that did not start
            // (or ended) and was requeued, the job may be sent here again.
            if let run = record.run, run.key == request.key || run.phase == .accepted || run.phase == .running { return }
            guard let vm = request.vm else {
                return send(.rejected(request.key, reason: "a job VM workspace runs only jobs that are virtual machines"))
            }
            update {
                $0.run = AgentRunRecord(key: request.key, phase: .accepted, scratch: directory)
                $0.maxOutputBytes = request.staging?.maxOutputBytes ?? RunStaging.maxOutputBytes
            }
            let owner = UserFiles.Owner(uid: request.uid, gid: request.gid, groups: request.groups)
            Task { await self.boot(vm, key: request.key, owner: owner) }
        case .signal(let key, let signal):
            guard record.run?.key == key else { return }
            Task { await self.signal(signal, key: key) }
        case .fetchOutput(let key):
            Thread.detachNewThread { self.sendOutputs(key) }
        case .ack, .shutdown, .stage:
            break
        }
    }

    func boot(_ vm: VMDescription, key: RunKey, owner: UserFiles.Owner) async {
        let r = record
        do {
            let staged = try JobVMImages.stage(vm, into: directory, as: owner)
            let settings = try LibvirtClassSettings(workspaceClass)
            guard settings.kind.isXen == (vm.hypervisor == .xen) else {
                throw LibvirtProviderError.configuration("vm_type \(vm.hypervisor.rawValue) cannot run in class \(workspaceClass.name) (\(settings.kind.rawValue) guests)")
            }
            let meta = WorkspaceMetadata(workspaceID: r.workspaceID, className: r.className, createdAt: Date().timeIntervalSince1970,
                                         leaseExpiresAt: Date().timeIntervalSince1970 + Double(workspaceClass.leaseSeconds),
                                         endpoint: socketPath, instanceDirectory: directory, owner: provider.configuration.scope)
            var spec = JobVMDomain(name: r.domainName, kind: settings.kind, memoryMiB: vm.memoryMB, vcpus: vm.vcpus, disks: staged.disks,
                                   kernel: staged.kernel, initrd: staged.initrd, cmdline: vm.kernelArguments,
                                   network: vm.networking ? (settings.network ?? .user) : nil, macAddress: vm.macAddress,
                                   serialLogPath: directory + "/serial.log", metadata: meta)
            spec.machine = settings.machine
            let connection = try await provider.hosts.connection(r.uri)
            guard !state.withLock({ $0.cancelled || $0.stopped }) else { throw LibvirtProviderError.configuration("cancelled before the VM booted") }
            let domain = try await connection.defineDomain(xml: JobVMDomainXML.render(spec))
            try await domain.start()
            let now = Date().timeIntervalSince1970
            let pid = LibvirtProvider.qemuPID(uri: r.uri, domainName: r.domainName) ?? 0
            update {
                $0.returned = staged.returned
                $0.run?.phase = .running
                $0.run?.startedAt = now
                $0.run?.pid = pid
            }
            send(.started(key, pid: pid, at: now))
            watch()
        } catch {
            let reason = "cannot boot the job's VM: \(error)"
            update {
                $0.run?.phase = .rejected
                $0.run?.reason = reason
            }
            send(.rejected(key, reason: reason))
        }
    }

    /// Polls the domain until it stops, then ends the run.
    func watch() {
        guard state.withLock({ s in defer { s.watching = true }; return !s.watching }) else { return }
        Task {
            while !state.withLock({ $0.stopped }), record.run?.phase == .running {
                do {
                    let domain = try await provider.hosts.connection(record.uri).lookupDomain(name: record.domainName)
                    let now = try await domain.state()
                    if !now.isActive {
                        let (exit, reason) = JobVMExit.of(now)
                        ended(exit, reason: reason)
                        break
                    }
                } catch let error as LibvirtError where error.isNoDomain {
                    ended(.signaled(9), reason: "the VM's domain is gone")
                    break
                } catch {
                    // The host does not answer: nothing is known; look again.
                }
                try? await Task.sleep(nanoseconds: UInt64(Self.pollSeconds * 1e9))
            }
            state.withLock { $0.watching = false }
        }
    }

    func ended(_ exit: ExitStatus, reason: String?) {
        let now = Date().timeIntervalSince1970
        update {
            $0.run?.phase = .exited
            $0.run?.exit = exit
            $0.run?.endedAt = now
            $0.run?.reason = reason
        }
        if let key = record.run?.key { send(.exited(key, exit, at: now, reason: reason)) }
    }

    func signal(_ signal: RunSignal, key: RunKey) async {
        guard record.run?.phase == .running else {
            if signal == .kill { state.withLock { $0.cancelled = true } }
            return
        }
        do {
            let domain = try await provider.hosts.connection(record.uri).lookupDomain(name: record.domainName)
            switch signal {
            case .kill: try await domain.destroy()
            case .terminate: try await domain.shutdown()
            case .suspend:
                try await domain.suspend()
                update { $0.run?.suspended = true }
                send(.suspended(key, true))
            case .resume:
                try await domain.resume()
                update { $0.run?.suspended = false }
                send(.suspended(key, false))
            }
        } catch {
            send(.error("job VM \(record.domainName): \(signal.rawValue) failed: \(error)"))
        }
    }

    /// Sends the changed images back, each whole with its checksum, then `outputEnd`.
    func sendOutputs(_ key: RunKey) {
        let r = record
        guard r.run?.key == key, r.run?.phase == .exited else {
            return send(.outputEnd(key, note: "the job's VM has not stopped; nothing to send"))
        }
        var notes: [String] = []
        var budget = r.maxOutputBytes
        for (file, name) in r.returned.sorted(by: { $0.value < $1.value }) {
            guard let path = StagedPath(name), let handle = FileHandle(forReadingAtPath: file) else {
                notes.append("VM image \(name) is gone from the workspace")
                continue
            }
            defer { try? handle.close() }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            guard size <= budget else {
                notes.append("VM image \(name) not sent: over the limit of \(r.maxOutputBytes >> 20) MiB of output files")
                continue
            }
            var hash = SHA256()
            var offset = 0
            do {
                while true {
                    let data = try handle.read(upToCount: RunStaging.chunkBytes) ?? Data()
                    hash.update(data)
                    let last = data.count < RunStaging.chunkBytes
                    let end = last ? StagedFile(path: path, size: offset + data.count, sha256: hash.finish(), executable: false) : nil
                    send(.output(OutputChunk(key: key, stream: .stdout, offset: offset, data: data, file: path, end: end)))
                    offset += data.count
                    if last { break }
                }
            } catch {
                notes.append("VM image \(name): \(error)")
            }
            budget -= offset
        }
        send(.outputEnd(key, note: notes.isEmpty ? nil : notes.joined(separator: "; ")))
    }
}
