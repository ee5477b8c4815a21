import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

extension EndToEndTests {
    /// A job that allocates more memory than its class allows is killed by the limit and
    /// reported failed with a clear reason; the class's CPU weight and cap are in the cgroup.
    @Test(.enabled(if: isRoot && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes")
                   || FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers"), "needs cgroups as root"))
    func memoryLimitKillsAndCPUWeightIsVisible() throws {
        let d = try TestDaemon(config: config(memoryMB: 96, classExtra: "cpu_cap_percent = 50"))
        defer { d.cleanUp() }
        try d.start()
        let hog = try d.submit([JobSpec(executable: "/usr/bin/python3", arguments: ["-c", "x = bytearray(b'x' * (400 * 1024 * 1024))"],
                                        directory: d.work)])
        let job = try d.waitAll(hog)[0]
        #expect(job.state == .failed)
        #expect(job.reason?.contains("memory limit") == true, "\(job.reason ?? "no reason")")
        let probe = """
            for c in cpu pids memory; do p=$(grep -E ":([a-z,]*,)?$c(,[a-z,]*)?:" /proc/self/cgroup | head -1 | cut -d: -f3); \
            case $c in cpu) cat /sys/fs/cgroup/cpu$p/../cpu.shares /sys/fs/cgroup/cpu$p/../cpu.cfs_quota_us 2>/dev/null || \
            cat /sys/fs/cgroup/cpu$p/cpu.shares /sys/fs/cgroup/cpu$p/cpu.cfs_quota_us;; esac; done
            """
        let ids = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "cat /sys/fs/cgroup/cpu$(grep ':cpu[,:]' /proc/self/cgroup | head -1 | cut -d: -f3)/cpu.shares /sys/fs/cgroup/cpu$(grep ':cpu[,:]' /proc/self/cgroup | head -1 | cut -d: -f3)/cpu.cfs_quota_us"],
                                        directory: d.work, stdout: d.work + "/cg.out")])
        _ = probe
        #expect(try d.waitAll(ids)[0].state == .done)
        let values = try String(contentsOfFile: d.work + "/cg.out", encoding: .utf8).split(separator: "\n")
        #expect(values == ["512", "50000"], "cpu_weight 50 → cpu.shares 512; cpu_cap_percent 50 → 50000 of 100000")
        let ws = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
        #expect(ws.first?.workspace.enforcement.contains { $0.control == "memory" && $0.effective } == true)
    }
}
