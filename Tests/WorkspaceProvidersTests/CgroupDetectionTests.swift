import Foundation
import Testing
@testable import WorkspaceProviders
import WorkspaceBridge

/// The cgroup layout is detected at run time: production hosts have the unified v2 hierarchy,
/// older and hybrid hosts v1 (with a v2 mount that holds no controllers).
@Suite struct CgroupDetectionTests {
    func fakeRoot(_ files: [String: String], dirs: [String] = []) throws -> String {
        let root = NSTemporaryDirectory() + "wsb-cgroot-\(UUID().uuidString)"
        for d in dirs { try FileManager.default.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (name, text) in files {
            try FileManager.default.createDirectory(atPath: (root + "/" + name as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func unifiedV2WithTheMemoryController() throws {
        let root = try fakeRoot(["cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n"])
        let host = CgroupHost.detect(root: root)
        #expect(host.version == (geteuid() == 0 ? .v2 : .none))
        #expect(host.directories("ws-1") == (host.version == .v2 ? ["\(root)/wsbridge/default/ws-1"] : []))
    }

    @Test func hybridHostIsV1() throws {
        // v2 is mounted (at unified/) but its root has no memory controller; v1 controllers have it.
        let root = try fakeRoot(["unified/cgroup.controllers": "hugetlb\n", "memory/memory.limit_in_bytes": "9223372036854771712\n"],
                                dirs: ["cpu", "pids"])
        let host = CgroupHost.detect(root: root)
        #expect(host.version == (geteuid() == 0 ? .v1 : .none))
        if host.version == .v1 {
            // cpuacct: each run's CPU time, for its accounting record.
            #expect(host.directories("ws-1") == ["memory", "cpu", "pids", "cpuacct"].map { "\(root)/\($0)/wsbridge/default/ws-1" })
        }
    }

    @Test func noControllerMeansNoCgroupsAndSaysWhy() throws {
        let host = CgroupHost.detect(root: try fakeRoot(["cgroup.controllers": "hugetlb\n"]))
        #expect(host.version == .none)
        #expect(host.unavailableReason != nil)
        let placement = host.create(id: "ws-1", for: .init(name: "c"))
        #expect(placement.procs.isEmpty)
        #expect(placement.enforcement.contains { $0.control == "cpu" && !$0.effective })
        #expect(placement.enforcement.contains { $0.control == "memory" && $0.mechanism == "setrlimit" })
    }

    /// The real host, as the daemon sees it: v1 here, v2 on production hosts; either way the
    /// class's allocation is written and read back.
    @Test(.enabled(if: geteuid() == 0)) func theRealHostEnforcesAClass() throws {
        var host = CgroupHost.detect()
        try #require(host.version != .none, "this host has no usable cgroups")
        host.scope = "unit-\(getpid())"
        let id = "ws-test"
        let placement = host.create(id: id, for: .init(name: "c", slots: 2, memoryMB: 64, cpuWeight: 200, cpuCapPercent: 50, maxProcesses: 77))
        defer {
            host.remove(id: id)
            host.removeScope()
            #expect(host.scopeDirectories.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "no empty scope is left")
        }
        let allEffective = placement.enforcement.allSatisfy { $0.effective }
        #expect(allEffective, "\(placement.enforcement)")
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) }
        switch host.version {
        case .v1:
            #expect(read("/sys/fs/cgroup/memory/wsbridge/\(host.scope)/\(id)/memory.limit_in_bytes") == "67108864")
            #expect(read("/sys/fs/cgroup/cpu/wsbridge/\(host.scope)/\(id)/cpu.shares") == "2048")
            #expect(read("/sys/fs/cgroup/cpu/wsbridge/\(host.scope)/\(id)/cpu.cfs_quota_us") == "50000")
            // Room for both slots' runs at their own limit of 77, and the agent.
            #expect(read("/sys/fs/cgroup/pids/wsbridge/\(host.scope)/\(id)/pids.max") == "\(77 * 2 + ProcessLimits.agentAllowance)")
            #expect(placement.runPidsParent == "/sys/fs/cgroup/pids/wsbridge/\(host.scope)/\(id)")
        case .v2:
            #expect(read("/sys/fs/cgroup/wsbridge/\(host.scope)/\(id)/memory.max") == "67108864")
            #expect(read("/sys/fs/cgroup/wsbridge/\(host.scope)/\(id)/cpu.weight") == "200")
            #expect(read("/sys/fs/cgroup/wsbridge/\(host.scope)/\(id)/cpu.max") == "50000 100000")
            #expect(read("/sys/fs/cgroup/wsbridge/\(host.scope)/\(id)/pids.max") == "\(77 * 2 + ProcessLimits.agentAllowance)")
            #expect(read("/sys/fs/cgroup/wsbridge/\(host.scope)/\(id)/cgroup.subtree_control")?.contains("pids") == true,
                    "each run's cgroup gets its own pids.max")
        case .none: break
        }
    }
}
