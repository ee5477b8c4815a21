import AgentProtocol
import Foundation
import ProcessSpawn
import WorkspaceBridge

/// The embedded default: a workspace is a directory plus its own agent process, in its own
/// namespaces (bubblewrap, when installed) and cgroups (v1 or v2, detected), so a class's memory,
/// CPU share and process count hold for everything its jobs start.
public struct LocalProvider: WorkspaceProvider {
    public let name = "local"
    public let capabilities: ProviderCapabilities = [.sharesHostFileSystem, .sharesHostClock]
    public var details: [String: String] {
        var d = ["cgroups": cgroups.version.rawValue, "sandbox": bwrap ?? "none"]
        if case .failure(let why) = scratchDisk { d["disk"] = "not enforced: " + why.reason }
        if case .failure(let why) = shapedNetwork { d["shaped network"] = "unavailable: " + why.reason }
        return d
    }
    /// Workspaces live in `<stateDirectory>/workspaces/<id>`.
    public let stateDirectory: String
    /// The `wsbridge` executable that runs `agent`.
    public let agentExecutable: String
    /// Agents append start/end lines here.
    public let journalPath: String?
    public let cgroups: CgroupHost
    /// bubblewrap, when found.
    public let bwrap: String?
    /// How classes with `disk_mb` get their disk, or why they cannot here.
    public let scratchDisk: Result<ScratchDisk, ScratchDiskUnavailable>
    /// How classes with `network = "shaped"` get their network, or why they cannot here.
    public let shapedNetwork: Result<ShapedNetwork, ShapedNetworkUnavailable>

    public init(stateDirectory: String, agentExecutable: String, journalPath: String?,
                cgroups: CgroupHost = .detect(), bwrap: String? = LocalProvider.findBwrap(),
                scratchDisk: Result<ScratchDisk, ScratchDiskUnavailable> = ScratchDisk.detect(),
                shapedNetwork: Result<ShapedNetwork, ShapedNetworkUnavailable> = ShapedNetwork.detect()) {
        self.stateDirectory = stateDirectory
        self.agentExecutable = agentExecutable
        self.journalPath = journalPath
        var scoped = cgroups
        scoped.scope = Self.scope(of: stateDirectory)
        self.cgroups = scoped
        self.bwrap = bwrap
        self.scratchDisk = scratchDisk
        self.shapedNetwork = shapedNetwork
        // Agents' records and logs hold job data (a store of an earlier version left it 0755).
        chmod(stateDirectory + "/workspaces", 0o700)
    }

    /// A short stable name for one state directory: FNV-1a of its path.
    public static func scope(of path: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in path.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return "d" + String(h, radix: 16)
    }

    public static func findBwrap() -> String? {
        ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"].first { access($0, X_OK) == 0 }
    }

    var root: String { stateDirectory + "/workspaces" }

    /// A local class's image is the optional setting `image`: a file or directory tree the
    /// class's jobs depend on (a software area, a container root to come). The sandboxes see the
    /// host's files, so the digest records the tree as it was when the workspace was made, and
    /// a replacement restarts the sandbox and its agent on what is there now.
    public func imageDigest(of c: WorkspaceClass) async throws -> String {
        try Self.digest(of: c)
    }

    static func digest(of c: WorkspaceClass) throws(ImageDigest.Failure) -> String {
        guard let image = c.settings["image"] else { return ImageDigest.combine([("provider", "local"), ("image", "-")]) }
        return ImageDigest.combine([("provider", "local"), ("image", try ImageDigest.tree(image))])
    }

    public func create(id: String, workspaceClass c: WorkspaceClass) async throws -> Workspace {
        let digest = try Self.digest(of: c)
        let dir = "\(root)/\(id)"
        // Agents' records and logs hold job data: root only.
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: dir + "/agent", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let socket = dir + "/agent.sock"
        let rates = try Self.shapedRates(c)
        let placement = cgroups.create(id: id, for: c)
        var agentArgs = [agentExecutable, "agent", "--socket", socket, "--state", dir + "/agent", "--workspace", id]
        if let j = journalPath { agentArgs += ["--journal", j] }
        if let parent = placement.runParent { agentArgs += ["--cgroup", parent, "--cgroup-version", cgroups.version.rawValue] }
        if let pids = placement.runPidsParent { agentArgs += ["--pids-cgroup", pids] }
        if let cpuacct = placement.runCpuacctParent { agentArgs += ["--cpuacct-cgroup", cpuacct] }
        var enforcement = placement.enforcement
        // The sandbox shares the host's file system: each run sees it read-only but for its own
        // paths (one sandbox serves several users, so this is per run, in the agent).
        if let why = ProcessSpawner.privateMountsUnavailableReason {
            enforcement.append(Enforcement(control: "filesystem", mechanism: "none", effective: false,
                                           detail: "the host's file system is writable to jobs: \(why)"))
            if let mb = c.diskMB {
                enforcement.append(Enforcement(control: "disk", mechanism: "none", effective: false,
                                               detail: "disk_mb = \(mb) not enforced: runs have no mount namespace of their own (\(why))"))
            }
        } else {
            agentArgs.append("--private-mounts")
            if let mb = c.diskMB {
                switch scratchDisk {
                case .success(let disk):
                    do {
                        let mountPoint = try disk.create(in: dir, sizeMB: mb)
                        agentArgs += ["--scratch", mountPoint, "--disk-mb", String(mb)]
                        enforcement.append(ScratchDisk.enforcement(sizeMB: mb))
                    } catch {
                        cgroups.remove(id: id)
                        throw ProviderError(provider: name, message: "workspace \(id): \(error)")
                    }
                case .failure(let why):
                    enforcement.append(Enforcement(control: "disk", mechanism: "none", effective: false,
                                                   detail: "disk_mb = \(mb) not enforced: \(why.reason)"))
                }
            }
            enforcement.append(Enforcement(control: "filesystem", mechanism: "mount namespace per run", effective: true,
                                           detail: Self.fileSystemView(c, scratch: agentArgs.contains("--scratch"))))
        }

        // A shaped network is a namespace the agent starts in: its jobs inherit it.
        var inNetwork: [String] = []
        if c.network == .shaped {
            do {
                // `validate` refused the class where either is missing; never fall back to the host's network.
                guard case .success(let net) = shapedNetwork, let rates else {
                    throw ShapedNetworkError("network = \"shaped\" needs bandwidth_kbps and a host that can make namespaces")
                }
                let made = try net.create(ShapedNetwork.Names(scope: cgroups.scope, id: id), rates: rates)
                inNetwork = made.prefix
                enforcement.append(ShapedNetwork.enforcement(rates, hostAddress: made.hostAddress, workspaceAddress: made.workspaceAddress))
            } catch {
                cgroups.remove(id: id)
                ScratchDisk.remove(in: dir)
                throw ProviderError(provider: name, message: "workspace \(id): \(error)")
            }
        }
        var argv = agentArgs
        if let bwrap {
            var ns = ["--bind", "/", "/", "--dev-bind", "/dev", "/dev", "--proc", "/proc",
                      "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", id]
            if c.network == .none { ns.append("--unshare-net") }
            argv = [bwrap] + ns + ["--"] + agentArgs
            let net = c.network == .none ? " net" : c.network == .shaped ? " net (its own, shaped)" : ""
            enforcement.insert(Enforcement(control: "namespaces", mechanism: "bwrap", effective: true,
                                           detail: "pid ipc uts\(net) (hostname \(id))"), at: 0)
        } else {
            enforcement.insert(Enforcement(control: "namespaces", mechanism: "none", effective: false,
                                           detail: "bubblewrap is not installed"), at: 0)
        }
        argv = inNetwork + argv
        var request = SpawnRequest(path: argv[0], argv: argv, environment: ["PATH=/usr/local/bin:/usr/bin:/bin"], directory: dir)
        request.stdout = dir + "/agent.log"
        request.stderr = dir + "/agent.log"
        request.appendOutput = true
        request.cgroupProcs = placement.procs
        let pid: pid_t
        do { pid = try ProcessSpawner.spawn(request) } catch {
            cgroups.remove(id: id)
            ScratchDisk.remove(in: dir)
            removeNetwork(id: id)
            throw ProviderError(provider: name, message: "cannot start the agent of \(id): \(error)")
        }
        // Reap it if it dies while we run; after a restart the reconciler checks it by pid instead.
        Thread.detachNewThread { var status: Int32 = 0; _ = waitpid(pid, &status, 0) }

        let deadline = Date().addingTimeInterval(15)
        while true {
            if let fd = try? UnixSocket.connect(path: socket) {
                close(fd)
                break
            }
            if kill(pid, 0) != 0 || Date() > deadline {
                kill(pid, SIGKILL)
                cgroups.remove(id: id)
                ScratchDisk.remove(in: dir)
                removeNetwork(id: id)
                let log = (try? String(contentsOfFile: dir + "/agent.log", encoding: .utf8)) ?? ""
                throw ProviderError(provider: name, message: "the agent of \(id) did not come up: \(log.suffix(500))")
            }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        let now = Date().timeIntervalSince1970
        return Workspace(id: id, className: c.name, provider: name, state: .ready, pid: pid, endpoint: socket,
                         handle: dir, createdAt: now, leaseExpiresAt: now + Double(c.leaseSeconds),
                         lastUsedAt: now, enforcement: enforcement, imageDigest: digest)
    }

    /// What a job sees of the host's file system, in words, for `wsbridge workspaces`.
    static func fileSystemView(_ c: WorkspaceClass, scratch: Bool) -> String {
        let binds = c.binds.filter(\.writable).map(\.path)
        let privateDirs = scratch ? "private /tmp, /var/tmp and /dev/shm per run on the workspace's disk"
            : "private /tmp and /dev/shm per run"
        return "host root read-only; \(privateDirs); writable: the job's directory, its owner's home"
            + (binds.isEmpty ? "" : ", " + binds.joined(separator: ", "))
    }

    public func destroy(_ w: Workspace) async throws {
        // Ask the agent to stop its jobs first; then make sure, whatever it did.
        if let fd = try? UnixSocket.connect(path: "\(root)/\(w.id)/agent.sock") {
            try? MessageChannel<AgentMessage, DaemonMessage>(fd: fd).send(.shutdown)
        }
        if let pid = w.pid, isOurs(pid: pid, id: w.id) { kill(pid, SIGKILL) }
        cgroups.remove(id: w.id)
        // Without cgroups, the sandbox's processes are found by their session.
        if cgroups.version == .none, let pid = w.pid { kill(-pid, SIGKILL) }
        removeNetwork(id: w.id)
        // Unmounted before the directory goes: removing it must not walk into the disk.
        ScratchDisk.remove(in: "\(root)/\(w.id)")
        try? FileManager.default.removeItem(atPath: "\(root)/\(w.id)")
    }

    /// Removes the workspace's shaped network, if it has one.
    func removeNetwork(id: String) {
        let names = ShapedNetwork.Names(scope: cgroups.scope, id: id)
        guard case .success(let net) = shapedNetwork, access("/run/netns/" + names.namespace, F_OK) == 0 else { return }
        net.remove(names)
    }

    /// Refuses a class whose image is not an absolute path, or whose network or rates cannot be
    /// had here, rather than give its jobs a network other than the one asked for.
    public func validate(_ c: WorkspaceClass) throws {
        if let image = c.settings["image"], !image.hasPrefix("/") {
            throw ProviderError(provider: name, message: "class \(c.name): settings.image must be an absolute path, not \"\(image)\"")
        }
        let rates = try Self.shapedRates(c)
        switch (c.network, rates) {
        case (.shaped, nil):
            throw ProviderError(provider: name, message: "class \(c.name): network = \"shaped\" needs bandwidth_kbps (or inbound_kbps, outbound_kbps) in [class.settings]")
        case (.shaped, _):
            if case .failure(let why) = shapedNetwork {
                throw ProviderError(provider: name, message: "class \(c.name): network = \"shaped\" cannot be had on this host: \(why.reason)")
            }
        case (_, .some):
            throw ProviderError(provider: name, message: "class \(c.name): bandwidth_kbps shapes only network = \"shaped\" in a local class (network is \"\(c.network.rawValue)\")")
        default:
            break
        }
    }

    /// The class's rates, from the settings guests use too: `bandwidth_kbps` both ways,
    /// `inbound_kbps` and `outbound_kbps` each (KiB/s, 1 to 2^30); nil when none is set.
    static func shapedRates(_ c: WorkspaceClass) throws(ProviderError) -> ShapedNetwork.Rates? {
        func kib(_ key: String) throws(ProviderError) -> Int? {
            guard let raw = c.settings[key] else { return nil }
            guard let v = Int(raw.trimmingCharacters(in: .whitespaces)), (1...(1 << 30)).contains(v) else {
                throw ProviderError(provider: "local", message: "class \(c.name): settings.\(key) must be KiB/s from 1 to \(1 << 30), not \"\(raw)\"")
            }
            return v << 10
        }
        let both = try kib("bandwidth_kbps")
        let inbound = try kib("inbound_kbps") ?? both
        let outbound = try kib("outbound_kbps") ?? both
        if inbound == nil && outbound == nil { return nil }
        return .init(inboundBytesPerSecond: inbound, outboundBytesPerSecond: outbound)
    }

    public func daemonStoppedWithNoWorkspaces() async {
        cgroups.removeScope()
    }

    public func isAlive(_ w: Workspace) async -> Bool {
        guard let pid = w.pid else { return false }
        return isOurs(pid: pid, id: w.id)
    }

    public func discover() async throws -> [String] {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []) + cgroups.workspaceIDs()).sorted()
    }

    /// The pid is alive, not a zombie, and still the process we started (pids are reused).
    func isOurs(pid: pid_t, id: String) -> Bool {
        guard kill(pid, 0) == 0,
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let state = stat.split(separator: ")").last?.split(separator: " ").first, state != "Z",
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: cmdline, as: UTF8.self).contains("/\(id)/agent.sock")
    }
}
