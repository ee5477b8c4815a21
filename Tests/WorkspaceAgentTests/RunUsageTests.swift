import AgentProtocol
import Foundation
import Testing
@testable import WorkspaceAgent

/// Without a cgroup, a run's usage is what `wait4` tells of its process and the children it
/// waited for; with one, the cgroup's figures win.
@Suite struct RunUsageTests {
    /// Spawns a program and reaps it with `wait4`, as the agent's reaper does.
    func reaped(_ argv: [String]) throws -> rusage {
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let rc = posix_spawn(&pid, argv[0], nil, nil, cArgs, environ)
        try #require(rc == 0, "posix_spawn \(argv[0]): \(rc)")
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        return usage
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func withoutACgroupTheKernelsAccountOfTheRun() throws {
        // A shell that waits for a child which burns 0.5 s of CPU and holds 64 MiB: both count.
        let child = "import time\nx = b'x' * (64 << 20)\nwhile time.process_time() < 0.5: pass"
        let u = try reaped(["/bin/sh", "-c", "/usr/bin/python3 -c \"$0\"; true", child])
        let usage = Agent.usage(cgroup: nil, rusage: u, cgroupSource: nil)
        #expect(usage.source == "rusage")
        let cpu = try #require(usage.cpuSeconds), peak = Double(try #require(usage.peakMemoryBytes))
        #expect(abs(cpu - 0.5) < 0.1, "\(cpu) s")
        // The kernel's largest resident set of the run's processes; an exec'd child starts from
        // its parent's high-water mark (here this test process's; in a workspace, the agent's).
        let inherited = Double(Self.highWaterMark() ?? 0)
        #expect(peak >= Double(64 << 20) && peak < max(Double(80 << 20), inherited + Double(16 << 20)), "\(peak / 1048576) MiB")
    }

    /// This process's peak resident set (`VmHWM`), bytes.
    static func highWaterMark() -> Int64? {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int64($0.split(separator: " ").dropFirst().first ?? "") }.map { $0 * 1024 }
    }

    @Test func aCgroupsFiguresWinAndWhatItLacksComesFromTheKernelsAccount() {
        var u = rusage()
        u.ru_utime = timeval(tv_sec: 1, tv_usec: 250_000)
        u.ru_stime = timeval(tv_sec: 0, tv_usec: 250_000)
        u.ru_maxrss = 2048
        #expect(Agent.usage(cgroup: (3, 5 << 20), rusage: u, cgroupSource: "cgroup-v1")
                == RunUsage(cpuSeconds: 3, peakMemoryBytes: 5 << 20, source: "cgroup-v1"))
        #expect(Agent.usage(cgroup: (nil, 5 << 20), rusage: u, cgroupSource: "cgroup-v1")
                == RunUsage(cpuSeconds: 1.5, peakMemoryBytes: 5 << 20, source: "rusage+cgroup-v1"))
        #expect(Agent.usage(cgroup: (2, nil), rusage: u, cgroupSource: "cgroup-v2")
                == RunUsage(cpuSeconds: 2, peakMemoryBytes: 2 << 20, source: "cgroup-v2+rusage"))
    }

    @Test func figuresOutOfRangeAreDropped() {
        let bad = RunUsage(cpuSeconds: .infinity, peakMemoryBytes: -1, source: String(repeating: "x", count: 100)).validated
        #expect(bad.cpuSeconds == nil && bad.peakMemoryBytes == nil && bad.source?.count == 64)
        #expect(RunUsage(cpuSeconds: -0.5).validated.cpuSeconds == nil)
        #expect(RunUsage(cpuSeconds: 2e12).validated.cpuSeconds == nil)
        #expect(RunUsage(peakMemoryBytes: 1 << 60).validated.peakMemoryBytes == nil)
    }

    @Test func theCPUTimeOfACgroupV2Directory() {
        #expect(RunCgroup.cpuStatMicroseconds("usage_usec 2002879\nuser_usec 1990000\nsystem_usec 12879\n") == 2_002_879)
        #expect(RunCgroup.cpuStatMicroseconds("nr_periods 0\n") == nil)
    }
}
