import Foundation

/// Cheap cgroup joins. Every run joins its slot's cgroup (a write to `cgroup.procs`). By default
/// the kernel makes that write wait for an RCU grace period unless another join happened a few
/// milliseconds before: 10-15 ms for a job that comes to an idle daemon, measured on a cgroup v1
/// host. The kernel's `favordynmods` option (Linux 6.0 on) turns that around: joins take well
/// under a millisecond, forks and exits take a slightly costlier lock. For a host whose work is
/// starting jobs in cgroups that is the right trade, so the daemon asks for it at start
/// (`[daemon] cgroup_favordynmods = false` leaves the host as it is).
///
/// The option is per cgroup hierarchy, but its effect is host-wide as soon as one hierarchy has
/// it. v2: the unified hierarchy is remounted with it. v1, where an existing hierarchy cannot
/// take it on a remount: a named hierarchy without controllers is mounted with it.
extension CgroupHost {
    /// Whether a mounted cgroup hierarchy has `favordynmods` already.
    public static func favorsDynamicChanges(mountInfo: String) -> Bool {
        mountInfo.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash + 3 < fields.count,
                  fields[dash + 1] == "cgroup" || fields[dash + 1] == "cgroup2" else { return false }
            return fields[dash + 3].split(separator: ",").contains("favordynmods")
        }
    }

    /// Asks the kernel for cheap cgroup joins; says what it did, or why not.
    /// - Parameter mountPoint: where a v1 host gets its named hierarchy.
    public func favorDynamicChanges(mountPoint: String = "/run/wsbridge/cgroup-favordynmods") -> String {
        let info = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        if Self.favorsDynamicChanges(mountInfo: info) { return "on (a cgroup hierarchy has favordynmods)" }
        switch version {
        case .none:
            return "off: \(unavailableReason ?? "no usable cgroups")"
        case .v2:
            guard let mount = HostTool.find(["/usr/bin/mount", "/bin/mount"]) else { return "off: mount(8) not found" }
            do { try mount.run(["-o", "remount,favordynmods", root]) } catch {
                return "off: the kernel refused favordynmods (\(error))"
            }
            return "on (\(root) remounted with favordynmods)"
        case .v1:
            try? FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            guard Glibc.mount("cgroup", mountPoint, "cgroup", 0, "none,name=wsbridge,favordynmods") == 0 else {
                return "off: the kernel refused a cgroup hierarchy with favordynmods (\(String(cString: strerror(errno))))"
            }
            return "on (a cgroup v1 hierarchy with favordynmods at \(mountPoint))"
        }
    }
}
