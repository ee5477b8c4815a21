/// A class's CPU share and cap translated into each hypervisor's units.
///
/// The class says `cpuWeight` (100 = normal share) and `cpuCapPercent` (percent of one host CPU,
/// for the whole workspace). QEMU uses cgroup `cpu_shares` (1024 = normal; kept within
/// [2, 10000] because cgroup v2 rejects more) and a global CFS quota; Xen's credit schedulers use
/// `weight` (256 = normal, 1...65535) and `cap` (percent, 0 = none).
public struct CPUTuning: Sendable, Equatable {
    /// Relative share, 100 = normal.
    public var weight: Int
    /// Percent of one host CPU for the whole guest; `nil` = uncapped.
    public var capPercent: Int?

    /// The CFS period QEMU quotas are expressed against, µs.
    public static let period = 100_000

    public init(weight: Int, capPercent: Int?) {
        self.weight = weight
        self.capPercent = capPercent
    }

    /// cgroup `cpu.shares` for QEMU/KVM.
    public var qemuShares: Int { min(10_000, max(2, weight * 1024 / 100)) }

    /// CFS quota for the whole guest (`global_quota`), µs per `period`; `nil` = uncapped.
    public var qemuGlobalQuota: Int? { capPercent.map { max(1000, $0 * Self.period / 100) } }

    /// Xen credit scheduler weight.
    public var xenWeight: Int { min(65_535, max(1, weight * 256 / 100)) }

    /// Xen credit scheduler cap (percent of one CPU, 0 = none).
    public var xenCap: Int { capPercent ?? 0 }

    /// Scheduler parameters to apply at run time, chosen by the scheduler the domain reports
    /// (`posix` for QEMU, `credit`/`credit2` for Xen, `fair` for the test driver).
    public func schedulerParameters(forScheduler scheduler: String) -> [(String, TypedParameterValue)] {
        switch scheduler {
        case "credit", "credit2":
            return [("weight", .uint(UInt32(xenWeight))), ("cap", .uint(UInt32(xenCap)))]
        case "fair":
            // The test driver knows only `weight`, in Xen's units.
            return [("weight", .uint(UInt32(xenWeight)))]
        default:
            return [("cpu_shares", .ullong(UInt64(qemuShares))),
                    ("global_period", .ullong(UInt64(Self.period))),
                    ("global_quota", .llong(Int64(qemuGlobalQuota ?? -1)))]
        }
    }
}
