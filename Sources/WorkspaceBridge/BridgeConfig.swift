/// The admin's settings: throttles, retries, workspace classes. Every field has a default that a
/// new site can live with, so an empty config file (or none) gives a working daemon.
public struct BridgeConfig: Codable, Sendable, Equatable {
    public var throttle: ThrottleLimits
    public var api = APILimits()
    public var store = StoreSettings()
    public var metrics = MetricsSettings()
    public var retry: RetrySettings
    /// In order; the first is the default class.
    public var classes: [WorkspaceClass]
    /// Members of this unix group may see and steer every job, like root.
    public var adminGroup: String?
    /// A job never runs as root: jobs submitted by root run as this user.
    public var rootJobsRunAs: String = "nobody"
    /// `[daemon] cgroup_favordynmods`: ask the kernel for cheap cgroup joins at start (absent: yes).
    public var cgroupFavordynmods: Bool?
    /// Directory of the SEG day files for GRAM (`-seg-module workspace`); none when unset.
    public var segDirectory: String?
    /// `[log] level`: the daemon's least level logged (swift-log's names, `trace` to `critical`);
    /// `info` when unset. `wsbridge serve --log-level` and `WSBRIDGE_LOG_LEVEL` win over it.
    public var logLevel: String?
    /// Where finished runs' accounting records are exported.
    public var accounting = AccountingSettings()

    public init(throttle: ThrottleLimits = .init(), retry: RetrySettings = .init(),
                classes: [WorkspaceClass] = [WorkspaceClass(name: "default")],
                adminGroup: String? = nil, segDirectory: String? = nil) {
        self.throttle = throttle
        self.retry = retry
        self.classes = classes
        self.adminGroup = adminGroup
        self.segDirectory = segDirectory
    }

    public func workspaceClass(named name: String) -> WorkspaceClass? {
        classes.first { $0.name == name }
    }

    public func validate() throws(ConfigError) {
        try throttle.validate()
        try api.validate()
        try store.validate()
        try metrics.validate()
        try retry.validate()
        try accounting.validate()
        if classes.isEmpty { throw ConfigError(key: "class", message: "at least one [[class]] is needed") }
        var seen = Set<String>()
        for c in classes {
            try c.validate()
            if !seen.insert(c.name).inserted {
                throw ConfigError(key: "class.name", message: "class \"\(c.name)\" is defined twice")
            }
        }
    }
}

/// `[throttle]`: how many jobs may run and start.
public struct ThrottleLimits: Codable, Sendable, Equatable {
    public var maxRunning: Int = 200
    public var maxRunningPerOwner: Int = 50
    public var maxQueuedPerOwner: Int = 10000
    /// Job starts per second, all owners (token bucket).
    public var startRate: Double = 20
    /// Burst of the start-rate bucket; defaults to one second's worth.
    public var startBurst: Int?
    /// Workspace creations in flight at once.
    public var maxCreating: Int = 4

    public init() {}

    public var effectiveBurst: Double { Double(startBurst ?? max(1, Int(startRate.rounded(.up)))) }

    func validate() throws(ConfigError) {
        let checks: [(String, Bool)] = [
            ("max_running", maxRunning > 0), ("max_running_per_owner", maxRunningPerOwner > 0),
            ("max_queued_per_owner", maxQueuedPerOwner > 0), ("start_rate", startRate > 0),
            ("max_creating", maxCreating > 0), ("start_burst", (startBurst ?? 1) > 0),
        ]
        for (key, ok) in checks where !ok {
            throw ConfigError(key: "throttle.\(key)", message: "must be positive")
        }
    }
}
