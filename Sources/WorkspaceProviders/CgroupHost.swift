import Foundation
import WorkspaceBridge

/// The host's cgroup layout, detected at run time: unified v2 (production hosts), v1 (older and
/// hybrid hosts, where v2 is mounted but holds no controllers), or none usable (not root).
public struct CgroupHost: Sendable {
    public enum Version: String, Sendable { case v1, v2, none }

    public let version: Version
    public let root: String
    /// One daemon's subtree (`wsbridge/<scope>`), so that daemons sharing a host never touch
    /// each other's workspaces.
    public var scope: String = "default"
    /// Why cgroups are not used, when they are not.
    public let unavailableReason: String?

    public static func detect(root: String = "/sys/fs/cgroup") -> CgroupHost {
        let controllers = (try? String(contentsOfFile: root + "/cgroup.controllers", encoding: .utf8)) ?? ""
        let writable = access(root, W_OK) == 0
        if controllers.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "memory" }) {
            return writable ? CgroupHost(version: .v2, root: root, unavailableReason: nil)
                : CgroupHost(version: .none, root: root, unavailableReason: "cgroup v2 at \(root) is not writable (run the daemon as root)")
        }
        if FileManager.default.fileExists(atPath: root + "/memory/memory.limit_in_bytes") {
            return access(root + "/memory", W_OK) == 0 ? CgroupHost(version: .v1, root: root, unavailableReason: nil)
                : CgroupHost(version: .none, root: root, unavailableReason: "cgroup v1 at \(root) is not writable (run the daemon as root)")
        }
        return CgroupHost(version: .none, root: root, unavailableReason: "no memory controller mounted under \(root)")
    }

    /// What a workspace's cgroups are, once made.
    public struct Placement: Sendable {
        /// `cgroup.procs` files the workspace's first process joins.
        public var procs: [String]
        /// Where the agent makes per-run cgroups (v1: the memory controller's directory).
        public var runParent: String?
        /// v1 only: the pids controller's directory, where the agent makes each run's pids cgroup
        /// (v2 has one directory for all controllers).
        public var runPidsParent: String?
        /// v1 only: the cpuacct controller's directory, where each run's CPU time is counted (v2
        /// counts it in every directory).
        public var runCpuacctParent: String? = nil
        public var enforcement: [Enforcement]
    }

    static let v1Controllers = ["memory", "cpu", "pids", "cpuacct"]

    func directories(_ id: String) -> [String] {
        scopeDirectories.map { $0 + "/" + id }
    }

    /// Creates the workspace's cgroups with the class's allocation and reads back what took.
    public func create(id: String, for c: WorkspaceClass) -> Placement {
        let memBytes = UInt64(c.memoryMB) * 1024 * 1024
        let quotaPercent = c.cpuCapPercent ?? c.cpus * 100
        let quota = quotaPercent * 1000
        switch version {
        case .none:
            let why = unavailableReason ?? "cgroups unavailable"
            return Placement(procs: [], runParent: nil, runPidsParent: nil, runCpuacctParent: nil, enforcement: [
                Enforcement(control: "memory", mechanism: "setrlimit", effective: true,
                            detail: "RLIMIT_AS per job only (\(why))"),
                Enforcement(control: "cpu", mechanism: "none", effective: false, detail: why),
                Enforcement(control: "pids", mechanism: "none", effective: false, detail: why),
            ])
        case .v1:
            var e: [Enforcement] = []
            let mem = "\(root)/memory/wsbridge/\(scope)/\(id)", cpu = "\(root)/cpu/wsbridge/\(scope)/\(id)"
            let pids = "\(root)/pids/wsbridge/\(scope)/\(id)", cpuacct = "\(root)/cpuacct/wsbridge/\(scope)/\(id)"
            e.append(apply(control: "memory", mechanism: "cgroup-v1", dir: mem,
                           [("memory.limit_in_bytes", "\(memBytes)")], detail: "memory.limit_in_bytes=\(c.memoryMB)MB"))
            e.append(apply(control: "cpu", mechanism: "cgroup-v1", dir: cpu,
                           [("cpu.shares", "\(c.cpuWeight * 1024 / 100)"), ("cpu.cfs_period_us", "100000"),
                            ("cpu.cfs_quota_us", "\(quota)")],
                           detail: "cpu.shares=\(c.cpuWeight * 1024 / 100) cpu.cfs_quota_us=\(quota)/100000"))
            let (maxPids, pidsDetail) = Self.pidsSettings(c)
            e.append(apply(control: "pids", mechanism: "cgroup-v1", dir: pids, [("pids.max", maxPids)], detail: pidsDetail))
            // Accounting only, no limit: where a host lacks the hierarchy, runs are measured by rusage.
            let accounting = FileManager.default.fileExists(atPath: "\(root)/cpuacct/cpuacct.usage")
                && apply(control: "cpuacct", mechanism: "cgroup-v1", dir: cpuacct, [], detail: "").effective
            let made = [mem, cpu, pids].filter { FileManager.default.fileExists(atPath: $0) } + (accounting ? [cpuacct] : [])
            return Placement(procs: made.map { $0 + "/cgroup.procs" },
                             runParent: made.contains(mem) ? mem : nil, runPidsParent: made.contains(pids) ? pids : nil,
                             runCpuacctParent: accounting ? cpuacct : nil, enforcement: e)
        case .v2:
            let top = "\(root)/wsbridge", base = "\(top)/\(scope)", dir = "\(base)/\(id)"
            mkdir(top, 0o755)
            mkdir(base, 0o755)
            for parent in [root, top, base] { try? write("+memory +cpu +pids", to: parent + "/cgroup.subtree_control") }
            let (maxPids, pidsDetail) = Self.pidsSettings(c)
            let e = [
                apply(control: "memory", mechanism: "cgroup-v2", dir: dir,
                      [("memory.max", "\(memBytes)"), ("memory.swap.max", "0")], detail: "memory.max=\(c.memoryMB)MB"),
                apply(control: "cpu", mechanism: "cgroup-v2", dir: dir,
                      [("cpu.weight", "\(max(1, min(10000, c.cpuWeight)))"), ("cpu.max", "\(quota) 100000")],
                      detail: "cpu.weight=\(c.cpuWeight) cpu.max=\(quota) 100000"),
                apply(control: "pids", mechanism: "cgroup-v2", dir: dir, [("pids.max", maxPids)], detail: pidsDetail),
            ]
            // v2 forbids processes in a cgroup whose children have controllers: the agent gets a leaf.
            let agent = dir + "/agent"
            mkdir(agent, 0o755)
            // Each run's cgroup carries its own memory and process limits.
            try? write("+memory +pids", to: dir + "/cgroup.subtree_control")
            return Placement(procs: [agent + "/cgroup.procs"], runParent: dir, runPidsParent: nil, enforcement: e)
        }
    }

    /// The workspace's `pids.max` (room for every slot's runs at their own limit, and the agent)
    /// and what to tell the admin.
    static func pidsSettings(_ c: WorkspaceClass) -> (value: String, detail: String) {
        let limits = c.processLimits
        guard let total = limits.perWorkspace, let run = limits.perRun else { return ("max", "pids.max=max") }
        return (String(total), "pids.max=\(total) (\(run) per job × \(c.slots) slots + the agent)")
    }

    /// Kills every process left in the workspace's cgroups and removes them.
    public func remove(id: String) {
        for dir in directories(id) {
            let all = allDirectories(under: dir).reversed()
            for _ in 0..<100 {
                var left = 0
                for d in all {
                    if version == .v2 { try? write("1", to: d + "/cgroup.kill") }
                    for pid in pids(in: d) { kill(pid, SIGKILL); left += 1 }
                }
                if left == 0 { break }
                usleep(20_000)
            }
            for d in all { rmdir(d) }
        }
    }

    /// This daemon's scope directories, one per controller hierarchy (v2: one).
    public var scopeDirectories: [String] {
        switch version {
        case .v1: Self.v1Controllers.map { "\(root)/\($0)/wsbridge/\(scope)" }
        case .v2: ["\(root)/wsbridge/\(scope)"]
        case .none: []
        }
    }

    /// Workspace ids that have cgroups in this daemon's scope.
    public func workspaceIDs() -> [String] {
        scopeDirectories.first.map(subdirectories(of:)) ?? []
    }

    /// Removes the scope's directories, where empty (`rmdir` leaves a directory that still holds
    /// a workspace). Only once no workspace can be made in the scope any more (the daemon
    /// stops): a creation between the scope's `mkdir` and the workspace's would fail.
    public func removeScope() {
        for dir in scopeDirectories { rmdir(dir) }
    }

    func subdirectories(of dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { name in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir) && isDir.boolValue
        }
    }

    /// Every process in the workspace's cgroups, for liveness and cleanup.
    public func processes(id: String) -> [pid_t] {
        guard let first = directories(id).first else { return [] }
        return allDirectories(under: first).flatMap(pids(in:))
    }

    func pids(in dir: String) -> [pid_t] {
        ((try? String(contentsOfFile: dir + "/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    func allDirectories(under dir: String) -> [String] {
        guard FileManager.default.fileExists(atPath: dir) else { return [] }
        return [dir] + subdirectories(of: dir).flatMap { allDirectories(under: dir + "/" + $0) }
    }

    private func apply(control: String, mechanism: String, dir: String, _ settings: [(String, String)], detail: String) -> Enforcement {
        let scopeDir = (dir as NSString).deletingLastPathComponent
        mkdir((scopeDir as NSString).deletingLastPathComponent, 0o755)
        mkdir(scopeDir, 0o755)
        if mkdir(dir, 0o755) != 0 && errno != EEXIST {
            return Enforcement(control: control, mechanism: mechanism, effective: false,
                               detail: "cannot create \(dir): \(String(cString: strerror(errno)))")
        }
        for (file, value) in settings {
            do { try write(value, to: dir + "/" + file) } catch {
                return Enforcement(control: control, mechanism: mechanism, effective: false, detail: "\(error)")
            }
        }
        return Enforcement(control: control, mechanism: mechanism, effective: true, detail: detail)
    }

    private func write(_ value: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProviderError(provider: "cgroup", message: "open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let n = value.withCString { Glibc.write(fd, $0, strlen($0)) }
        if n < 0 { throw ProviderError(provider: "cgroup", message: "write \(value) to \(path): \(String(cString: strerror(errno)))") }
    }
}
