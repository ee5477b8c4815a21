/// A kind of workspace, described once by the admin and deployed many times: its software
/// configuration, its resource allocation, how many jobs it holds at once and how long it lives.
public struct WorkspaceClass: Codable, Sendable, Equatable {
    public var name: String
    /// `local` (process sandbox) or `libvirt` (virtual machine).
    public var provider: String
    /// Jobs at once in one workspace.
    public var slots: Int
    public var maxWorkspaces: Int
    public var memoryMB: Int
    public var cpus: Int
    /// Relative CPU share; 100 is the norm (cgroup v2 `cpu.weight`, v1 `cpu.shares` × 1024/100).
    public var cpuWeight: Int
    /// Hard CPU cap in percent of one CPU (cgroup `cpu.max` / `cfs_quota_us`); `nil` = none.
    public var cpuCapPercent: Int?
    /// Most processes at once of one job (cgroup `pids.max` of its run; the workspace holds
    /// `slots` times as many, see `ProcessLimits`).
    public var maxProcesses: Int?
    public var diskMB: Int?
    public var idleTimeoutSeconds: Int
    public var leaseSeconds: Int
    /// Workspaces kept ready even without jobs (booted guests waiting for work); idle reaping
    /// never goes below this, and creation never above `maxWorkspaces`.
    public var warmWorkspaces: Int = 0
    /// How warm workspaces wait: running, paused (no CPU) or saved to disk (no memory either).
    public var warmMode: WarmMode = .running
    /// While its image is rolled out (`ImageRollout`): workspaces allowed above `maxWorkspaces`
    /// for replacements, and outdated ones out of service at once.
    public var maxSurge: Int = 1
    public var maxUnavailable: Int = 1
    /// The workspaces' network: none (loopback only), the host's, or a shaped one of their own.
    public var network: WorkspaceNetwork
    /// Most megabytes copied into one run of a workspace that does not see the host's files
    /// (inputs, executable, credential), and most copied back out of it.
    public var maxStageInMB: Int = 4096
    public var maxStageOutMB: Int = 4096
    /// Host directories the workspaces see at the same path, read-only or writable.
    public var binds: [SharedDirectory] = []
    /// Provider-specific settings (for libvirt: uri, image, kernel, domain type ...).
    public var settings: [String: String]
    /// Published for matchmaking (OpSys, Arch, software tags ...), besides the resources above.
    public var attributes: [String: String]

    public init(name: String, provider: String = "local", slots: Int = 2, maxWorkspaces: Int = 8,
                memoryMB: Int = 2048, cpus: Int = 1, cpuWeight: Int = 100, cpuCapPercent: Int? = nil,
                maxProcesses: Int? = 4096, diskMB: Int? = nil, idleTimeoutSeconds: Int = 600,
                leaseSeconds: Int = 86400, network: WorkspaceNetwork = .host, settings: [String: String] = [:],
                attributes: [String: String] = [:]) {
        self.name = name
        self.provider = provider
        self.slots = slots
        self.maxWorkspaces = maxWorkspaces
        self.memoryMB = memoryMB
        self.cpus = cpus
        self.cpuWeight = cpuWeight
        self.cpuCapPercent = cpuCapPercent
        self.maxProcesses = maxProcesses
        self.diskMB = diskMB
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.leaseSeconds = leaseSeconds
        self.network = network
        self.settings = settings
        self.attributes = attributes
    }

    /// Whether a job's resource requests fit in one workspace of this class.
    public func fits(_ r: ResourceRequest) -> Bool {
        if let cpus = r.cpus, cpus > self.cpus { return false }
        if let mem = r.memoryMB, mem > memoryMB { return false }
        if let mem = r.minMemoryMB, mem > memoryMB { return false }
        if let disk = r.diskMB, let have = diskMB, disk > have { return false }
        return true
    }

    public func validate() throws(ConfigError) {
        func positive(_ key: String, _ v: Int) throws(ConfigError) {
            if v <= 0 { throw ConfigError(key: "class \(name): \(key)", message: "must be positive, not \(v)") }
        }
        if name.isEmpty || name.contains(where: { !($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            throw ConfigError(key: "class.name", message: "\"\(name)\" is not a valid class name (letters, digits, - _ .)")
        }
        try positive("slots", slots)
        try positive("max_workspaces", maxWorkspaces)
        try positive("memory_mb", memoryMB)
        try positive("cpus", cpus)
        try positive("cpu_weight", cpuWeight)
        if let cap = cpuCapPercent { try positive("cpu_cap_percent", cap) }
        if let p = maxProcesses { try positive("max_processes", p) }
        try positive("idle_timeout_seconds", idleTimeoutSeconds)
        try positive("lease_seconds", leaseSeconds)
        for (key, mb) in [("max_stage_in_mb", maxStageInMB), ("max_stage_out_mb", maxStageOutMB)] where mb <= 0 || mb > 1 << 24 {
            throw ConfigError(key: "class \(name): \(key)", message: "must be between 1 and \(1 << 24), not \(mb)")
        }
        // A local workspace's disk is a file of this size, a guest's its overlay's virtual size.
        if let disk = diskMB, !SpecBounds.diskMB.contains(disk) {
            throw ConfigError(key: "class \(name): disk_mb", message: "must be between 1 and \(SpecBounds.diskMB.upperBound), not \(disk)")
        }
        if warmWorkspaces < 0 || warmWorkspaces > maxWorkspaces {
            throw ConfigError(key: "class \(name): warm_workspaces",
                              message: "must be between 0 and max_workspaces (\(maxWorkspaces)), not \(warmWorkspaces)")
        }
        if maxSurge < 0 || maxSurge > Self.maxRolloutStep {
            throw ConfigError(key: "class \(name): max_surge", message: "must be between 0 and \(Self.maxRolloutStep), not \(maxSurge)")
        }
        // Zero would never let an idle outdated workspace go: the rollout could not progress.
        if maxUnavailable < 1 || maxUnavailable > Self.maxRolloutStep {
            throw ConfigError(key: "class \(name): max_unavailable", message: "must be between 1 and \(Self.maxRolloutStep), not \(maxUnavailable)")
        }
        // Each run of a local sandbox gets a mount per writable bind (with its directory and home).
        if binds.count > Self.maxBinds {
            throw ConfigError(key: "class \(name): binds", message: "at most \(Self.maxBinds), not \(binds.count)")
        }
    }

    public static let maxBinds = 32
    public static let maxRolloutStep = 10_000
}

/// A bad setting in the admin config, named by its key.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String
    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
    public var description: String { "\(key): \(message)" }
}

/// How an idle warm workspace waits for its next job.
public enum WarmMode: String, Codable, Sendable, CaseIterable {
    /// Running: a job starts at once.
    case running
    /// Paused: holds memory but no CPU; resumed in milliseconds.
    case paused
    /// Saved to a file and stopped: holds neither; restored in about a second.
    case saved
}
