/// What one workspace has been given: its class's resources at creation, then whatever a retune
/// (by an admin, or a config reload that changed the class) made of them.
public struct ResourceAllocation: Codable, Sendable, Equatable {
    public var memoryMB: Int
    /// vCPUs of a guest; for a local workspace the CPU cap in whole CPUs when no `cpuCapPercent`
    /// is set (as its cgroup is made at creation).
    public var cpus: Int
    /// Relative CPU share, 100 = normal.
    public var cpuWeight: Int
    /// Hard CPU cap in percent of one CPU; `nil` = none (local: `cpus` whole CPUs).
    public var cpuCapPercent: Int?
    public var diskMB: Int?
    /// Average network rate in KiB/s, both directions; `nil` = unshaped.
    public var bandwidthKBps: Int?

    public init(memoryMB: Int, cpus: Int, cpuWeight: Int, cpuCapPercent: Int?, diskMB: Int? = nil, bandwidthKBps: Int? = nil) {
        self.memoryMB = memoryMB
        self.cpus = cpus
        self.cpuWeight = cpuWeight
        self.cpuCapPercent = cpuCapPercent
        self.diskMB = diskMB
        self.bandwidthKBps = bandwidthKBps
    }

    /// A class's allocation, as a new workspace of it gets. `bandwidthKBps` comes from the
    /// provider's own settings, when it shapes networks.
    public init(of c: WorkspaceClass, bandwidthKBps: Int? = nil) {
        self.init(memoryMB: c.memoryMB, cpus: c.cpus, cpuWeight: c.cpuWeight, cpuCapPercent: c.cpuCapPercent,
                  diskMB: c.diskMB, bandwidthKBps: bandwidthKBps)
    }

    /// What any allocation must stay within: what the API accepts and what every provider can
    /// compute with (byte counts and CFS quotas in 64-bit integers, libvirt's KiB/s in 32 bits).
    public enum Bounds {
        public static let memoryMB = 16...(1 << 24)
        public static let cpus = 1...4096
        public static let cpuWeight = 1...10_000
        public static let cpuCapPercent = 1...409_600
        public static let diskMB = 1...(1 << 30)
        public static let bandwidthKBps = 1...(1 << 30)
    }

    /// Throws for the first value out of `Bounds`, naming it.
    public func validate() throws(RetuneError) {
        func check(_ name: String, _ value: Int?, _ range: ClosedRange<Int>) throws(RetuneError) {
            if let value, !range.contains(value) {
                throw .outOfRange(control: name, value: value, range: range)
            }
        }
        try check("memory_mb", memoryMB, Bounds.memoryMB)
        try check("cpus", cpus, Bounds.cpus)
        try check("cpu_weight", cpuWeight, Bounds.cpuWeight)
        try check("cpu_cap_percent", cpuCapPercent, Bounds.cpuCapPercent)
        try check("disk_mb", diskMB, Bounds.diskMB)
        try check("bandwidth_kbps", bandwidthKBps, Bounds.bandwidthKBps)
    }

    /// The CPU cap in percent of one CPU that applies: the explicit cap, else `cpus` whole CPUs.
    public var effectiveCapPercent: Int { cpuCapPercent ?? cpus * 100 }

    public var description: String {
        "\(memoryMB) MB, \(cpus) CPU, weight \(cpuWeight), cap \(cpuCapPercent.map { "\($0)%" } ?? "none")"
            + (diskMB.map { ", disk \($0) MB" } ?? "") + (bandwidthKBps.map { ", \($0) KiB/s" } ?? "")
    }
}

/// A change asked of a workspace's allocation; fields left `nil` keep their value.
public struct RetuneRequest: Codable, Sendable, Equatable {
    public var memoryMB: Int?
    public var cpus: Int?
    public var cpuWeight: Int?
    /// 0 removes the cap.
    public var cpuCapPercent: Int?
    public var diskMB: Int?
    public var bandwidthKBps: Int?

    public init(memoryMB: Int? = nil, cpus: Int? = nil, cpuWeight: Int? = nil, cpuCapPercent: Int? = nil,
                diskMB: Int? = nil, bandwidthKBps: Int? = nil) {
        self.memoryMB = memoryMB
        self.cpus = cpus
        self.cpuWeight = cpuWeight
        self.cpuCapPercent = cpuCapPercent
        self.diskMB = diskMB
        self.bandwidthKBps = bandwidthKBps
    }

    public var isEmpty: Bool {
        memoryMB == nil && cpus == nil && cpuWeight == nil && cpuCapPercent == nil && diskMB == nil && bandwidthKBps == nil
    }

    /// `current` with this request's values, checked against `ResourceAllocation.Bounds`.
    public func applied(to current: ResourceAllocation) throws(RetuneError) -> ResourceAllocation {
        if isEmpty { throw .nothingAsked }
        var a = current
        if let v = memoryMB { a.memoryMB = v }
        if let v = cpus { a.cpus = v }
        if let v = cpuWeight { a.cpuWeight = v }
        if let v = cpuCapPercent { a.cpuCapPercent = v == 0 ? nil : v }
        if let v = diskMB { a.diskMB = v }
        if let v = bandwidthKBps { a.bandwidthKBps = v }
        try a.validate()
        return a
    }
}
