import Foundation
import WorkspaceBridge

/// Changing a local workspace's cgroups while its jobs run. `cpus` is the CPU cap in whole CPUs
/// when no percent cap is set, as `create` makes it: a quota, not a cpuset, so a job's threads may
/// run on any CPU and only their total is bounded.
extension CgroupHost {
    /// Why `control` cannot change live from `from` to `to`, given the memory the workspace uses
    /// now (`nil`: unknown); `nil` when it can. Pure, so the table is tested without cgroups.
    public static func refusal(_ control: ResourceControl, from: ResourceAllocation, to: ResourceAllocation,
                               version: Version, unavailableReason: String?, memoryInUseBytes: UInt64?) -> String? {
        switch control {
        case .disk:
            return "a local workspace shares the host's file system: it has no disk of its own to resize"
        case .bandwidth:
            return "a local workspace shares the host's network: it has no interface of its own to shape"
        case .memory, .cpus, .cpuWeight, .cpuCap:
            break
        }
        if version == .none {
            return "no cgroups to change on this host (\(unavailableReason ?? "cgroups unavailable"))"
        }
        if control == .memory, to.memoryMB < from.memoryMB {
            guard let used = memoryInUseBytes else { return "the memory in use cannot be read, so shrinking is not safe" }
            if used > UInt64(to.memoryMB) << 20 {
                return "\(used >> 20) MB are in use, more than the \(to.memoryMB) MB asked; ask again when its jobs use less"
            }
        }
        return nil
    }

    /// The memory the workspace's cgroup holds now (its jobs' pages and page cache).
    public func memoryInUse(id: String) -> UInt64? {
        let file: String
        switch version {
        case .v1: file = "\(root)/memory/wsbridge/\(scope)/\(id)/memory.usage_in_bytes"
        case .v2: file = "\(root)/wsbridge/\(scope)/\(id)/memory.current"
        case .none: return nil
        }
        return (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Sets one control of workspace `id` to its value in `a`.
    public func set(_ control: ResourceControl, of id: String, to a: ResourceAllocation) throws {
        let bytes = UInt64(a.memoryMB) << 20
        let quota = a.effectiveCapPercent * 1000
        switch (version, control) {
        case (.v1, .memory):
            try writeSetting(String(bytes), to: "\(root)/memory/wsbridge/\(scope)/\(id)/memory.limit_in_bytes")
        case (.v1, .cpuWeight):
            try writeSetting(String(max(2, a.cpuWeight * 1024 / 100)), to: "\(root)/cpu/wsbridge/\(scope)/\(id)/cpu.shares")
        case (.v1, .cpuCap), (.v1, .cpus):
            try writeSetting(String(quota), to: "\(root)/cpu/wsbridge/\(scope)/\(id)/cpu.cfs_quota_us")
        case (.v2, .memory):
            try writeSetting(String(bytes), to: "\(root)/wsbridge/\(scope)/\(id)/memory.max")
        case (.v2, .cpuWeight):
            try writeSetting(String(max(1, min(10_000, a.cpuWeight))), to: "\(root)/wsbridge/\(scope)/\(id)/cpu.weight")
        case (.v2, .cpuCap), (.v2, .cpus):
            try writeSetting("\(quota) 100000", to: "\(root)/wsbridge/\(scope)/\(id)/cpu.max")
        default:
            throw ProviderError(provider: "cgroup", message: "\(control.rawValue) cannot be changed here")
        }
    }

    /// What `create` reports for memory and CPU, for the allocation `a`.
    func enforcementDetails(_ a: ResourceAllocation) -> (memory: String, cpu: String) {
        let quota = a.effectiveCapPercent * 1000
        switch version {
        case .v2: return ("memory.max=\(a.memoryMB)MB", "cpu.weight=\(a.cpuWeight) cpu.max=\(quota) 100000")
        default: return ("memory.limit_in_bytes=\(a.memoryMB)MB",
                         "cpu.shares=\(max(2, a.cpuWeight * 1024 / 100)) cpu.cfs_quota_us=\(quota)/100000")
        }
    }

    /// Writes one cgroup file; the kernel's refusal (EBUSY when memory cannot be reclaimed below
    /// a new limit, EINVAL) is the error.
    func writeSetting(_ value: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProviderError(provider: "cgroup", message: "open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let n = value.withCString { Glibc.write(fd, $0, strlen($0)) }
        if n < 0 { throw ProviderError(provider: "cgroup", message: "write \(value) to \(path): \(String(cString: strerror(errno)))") }
    }
}
