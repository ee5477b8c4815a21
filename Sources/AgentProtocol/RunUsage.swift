/// What one run used, measured by the agent when the run ended: from the run's cgroup where it
/// has one (everything in it counts, also processes nobody waited for), otherwise from the
/// kernel's account of the run's process and the children it waited for (`wait4`).
///
/// Sent with `exited` and kept in the agent's record. Every field is optional on the wire (an
/// older agent sends none) and read leniently: a field that is not a number, or out of its range,
/// reads as absent rather than making the whole message unreadable. The daemon checks the ranges
/// again (`validated`): an agent is not trusted with the daemon's arithmetic.
public struct RunUsage: Codable, Sendable, Equatable {
    /// User plus system CPU time, seconds.
    public var cpuSeconds: Double?
    /// The most memory the run held at once, bytes (v1: `memory.max_usage_in_bytes`, v2:
    /// `memory.peak`, without a cgroup: the largest resident set of its processes).
    public var peakMemoryBytes: Int64?
    /// Where the figures come from: `cgroup-v1`, `cgroup-v2`, `rusage`, or a mix (`cgroup-v1+rusage`).
    public var source: String?

    /// Ten years of CPU time on 4096 cores: anything beyond is nonsense.
    public static let cpuSecondsRange = 0.0...1.3e12
    /// 16 PiB.
    public static let peakMemoryRange: ClosedRange<Int64> = 0...(1 << 54)

    public init(cpuSeconds: Double? = nil, peakMemoryBytes: Int64? = nil, source: String? = nil) {
        self.cpuSeconds = cpuSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.source = source
    }

    enum CodingKeys: String, CodingKey { case cpuSeconds, peakMemoryBytes, source }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cpuSeconds = (try? c.decodeIfPresent(Double.self, forKey: .cpuSeconds)) ?? nil
        // A number too large for Int64 (or fractional) does not decode as one: read as a double and
        // converted only if it fits.
        if let bytes = (try? c.decodeIfPresent(Int64.self, forKey: .peakMemoryBytes)) ?? nil {
            peakMemoryBytes = bytes
        } else if let d = (try? c.decodeIfPresent(Double.self, forKey: .peakMemoryBytes)) ?? nil {
            peakMemoryBytes = Int64(exactly: d.rounded(.down))
        }
        source = ((try? c.decodeIfPresent(String.self, forKey: .source)) ?? nil).map { String($0.prefix(64)) }
        self = validated
    }

    /// The figures that are within their ranges; the others dropped.
    public var validated: RunUsage {
        var v = self
        if let cpu = cpuSeconds, !(cpu.isFinite && Self.cpuSecondsRange.contains(cpu)) { v.cpuSeconds = nil }
        if let mem = peakMemoryBytes, !Self.peakMemoryRange.contains(mem) { v.peakMemoryBytes = nil }
        if let s = source, s.count > 64 { v.source = String(s.prefix(64)) }
        return v
    }

    public var isEmpty: Bool { cpuSeconds == nil && peakMemoryBytes == nil }
}
