import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

let cgroupV1Root = isRoot && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cpuacct/cpuacct.usage")
    && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes")

/// Live retunes of local workspaces through the real daemon: the cgroups change under a running
/// job, the record says so, and what cannot change live is refused whole.
@Suite("Retuning running local workspaces", .serialized, .enabled(if: cgroupV1Root, "needs cgroup v1 as root"))
struct RetuneTests {
    func workspace(_ d: TestDaemon, _ id: String) throws -> Workspace {
        try d.client.get("/v1/workspaces/\(id)", as: WorkspaceStatus.self).workspace
    }

    /// The workspace's own cgroup directory under controller `ctrl` (the daemon's scope is the
    /// FNV-1a of its state directory, as the local provider derives it).
    func cgroup(_ ctrl: String, _ d: TestDaemon, _ id: String) -> String {
        "/sys/fs/cgroup/\(ctrl)/wsbridge/\(GuestTests.scope(of: d.stateDir))/\(id)"
    }

    func readNumber(_ path: String) -> Int64 {
        Int64(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// CPUs used by the workspace over `seconds`, from its cgroup's cpuacct usage.
    func cpuRate(_ d: TestDaemon, _ id: String, seconds: Double = 3) -> Double {
        let file = cgroup("cpuacct", d, id) + "/cpuacct.usage"
        let t0 = Date(), u0 = readNumber(file)
        usleep(UInt32(seconds * 1_000_000))
        let u1 = readNumber(file), elapsed = Date().timeIntervalSince(t0)
        return Double(u1 - u0) / 1e9 / elapsed
    }

    /// CFS periods in which the workspace was throttled (cgroup v1 `cpu.stat`).
    func throttled(_ d: TestDaemon, _ id: String) -> Int64 {
        let text = (try? String(contentsOfFile: cgroup("cpu", d, id) + "/cpu.stat", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix("nr_throttled ") }.flatMap { Int64($0.split(separator: " ")[1]) } ?? -1
    }

    func retune(_ d: TestDaemon, _ id: String, _ r: RetuneRequest) throws(ClientError) -> RetuneReply {
        try d.client.post("/v1/workspaces/\(id)/retune", r, as: RetuneReply.self)
    }

    @Test("a CPU-bound job's rate follows its workspace's cap from 100 % to 25 %, measured from the cgroup's usage; memory grows under it")
    func capFollowsUnderARunningJob() throws {
        let d = try TestDaemon(config: config(slots: 1, maxWorkspaces: 1, memoryMB: 256, classExtra: "cpu_cap_percent = 100"))
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "end=$(($(date +%s) + 20)); while [ $(date +%s) -lt $end ]; do :; done"],
                                        directory: d.work)])
        var wsID = ""
        try d.waitUntil(timeout: 30, "the job runs") {
            let job = try d.status(ids)[0]
            wsID = job.workspaceID ?? ""
            return job.state == .running
        }
        let before = cpuRate(d, wsID)
        let throttledBefore = throttled(d, wsID)
        let reply = try retune(d, wsID, RetuneRequest(memoryMB: 384, cpuCapPercent: 25))
        #expect(reply.plan.isLive && Set(reply.plan.controls) == [.memory, .cpuCap], "\(reply.plan.summary)")
        #expect(readNumber(cgroup("cpu", d, wsID) + "/cpu.cfs_quota_us") == 25_000)
        #expect(readNumber(cgroup("memory", d, wsID) + "/memory.limit_in_bytes") == 384 << 20)
        let after = cpuRate(d, wsID)
        print(String(format: "local workspace %@: CPU-bound job at cap 100%%: %.3f CPU; after retune to cap 25%%: %.3f CPU (cgroup cpuacct.usage over 3 s each)",
                     wsID, before, after))
        // The cap is an upper bound whatever else loads the machine (the rate before depends on
        // that load, so only the bound is asserted; a period's slack for the window's edges).
        #expect(after <= 0.25 * 1.15, "the cap holds the job down: \(before) → \(after) CPUs")
        #expect(throttled(d, wsID) > throttledBefore, "the CFS quota throttles the job once capped")
        #expect(try d.status(ids)[0].state == .running, "the job runs on through the retune")

        let shown = try workspace(d, wsID)
        #expect(shown.allocation == ResourceAllocation(memoryMB: 384, cpus: 1, cpuWeight: 50, cpuCapPercent: 25))
        #expect(shown.allocationNote?.contains("retuned by uid 0") == true, "\(shown.allocationNote ?? "")")
        #expect(shown.enforcement.contains { $0.control == "cpu" && $0.detail.contains("cpu.cfs_quota_us=25000") }, "\(shown.enforcement)")

        // Back to no cap (cpus = 1: one whole CPU), and the job finishes as it would have.
        let (status, output) = try runCommand(TestDaemon.binary, ["workspaces", "retune", wsID, "--cpu-cap", "0", "--state-dir", d.stateDir])
        #expect(status == 0 && output.contains("retuned \(wsID): cpu_cap 25% → none"), "\(output)")
        #expect(readNumber(cgroup("cpu", d, wsID) + "/cpu.cfs_quota_us") == 100_000)
        #expect(try d.waitAll(ids, timeout: 60)[0].state == .done)
    }

    @Test("what cannot change live is refused whole with the reason, and nothing is changed; bounds and rights are checked")
    func refusalsChangeNothing() throws {
        let d = try TestDaemon(config: config(slots: 1, maxWorkspaces: 1, memoryMB: 256))
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "sleep 30"], directory: d.work)])
        var wsID = ""
        try d.waitUntil(timeout: 30, "the job runs") {
            let job = try d.status(ids)[0]
            wsID = job.workspaceID ?? ""
            return job.state == .running
        }
        let limit = readNumber(cgroup("memory", d, wsID) + "/memory.limit_in_bytes")
        // Memory would be live, the disk is not: neither happens.
        do {
            _ = try retune(d, wsID, RetuneRequest(memoryMB: 300, diskMB: 1000))
            Issue.record("a disk change of a local workspace was accepted")
        } catch {
            guard case .daemon(let status, let body) = error else { throw error }
            #expect(status == 409 && body.code == "conflict")
            #expect(body.error.contains("disk") && body.error.contains("shares the host's file system"), "\(body.error)")
            print("refused: \(body.error)")
        }
        #expect(readNumber(cgroup("memory", d, wsID) + "/memory.limit_in_bytes") == limit, "memory untouched")
        #expect(try workspace(d, wsID).allocation?.memoryMB == 256)

        for bad in [RetuneRequest(memoryMB: Int.max), RetuneRequest(cpus: 0), RetuneRequest(cpuCapPercent: -1), RetuneRequest()] {
            do {
                _ = try retune(d, wsID, bad)
                Issue.record("accepted \(bad)")
            } catch {
                guard case .daemon(let status, let body) = error else { throw error }
                #expect(status == 400, "\(bad): \(body.error)")
            }
        }
        do {
            _ = try d.client.post("/v1/workspaces/ws-none/retune", RetuneRequest(memoryMB: 300), as: RetuneReply.self)
            Issue.record("a missing workspace was retuned")
        } catch {
            guard case .daemon(let status, _) = error else { throw error }
            #expect(status == 404)
        }
        // Anyone but root and the admin group is refused (the CLI run as another user).
        if ensureUser("wsbtest") {
            let (status, output) = try runAs("wsbtest", ["workspaces", "retune", wsID, "--memory", "300", "--state-dir", d.stateDir])
            #expect(status != 0 && output.contains("only root or the admin group"), "\(output)")
        }
        #expect(try workspace(d, wsID).allocation?.memoryMB == 256)
    }

    @Test("a reload that changes a class retunes its workspaces in place where it can, and drains them where it cannot; show and reload say which")
    func reloadRetunesOrDrains() throws {
        let d = try TestDaemon(config: config(slots: 1, maxWorkspaces: 2, memoryMB: 256))
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "sleep 6"], directory: d.work)])
        var wsID = ""
        try d.waitUntil(timeout: 30, "the job runs") {
            let job = try d.status(ids)[0]
            wsID = job.workspaceID ?? ""
            return job.state == .running
        }
        try config(slots: 1, maxWorkspaces: 2, memoryMB: 320, classExtra: "cpu_cap_percent = 50")
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let first = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        print("reload 1: \(first.workspaceChanges ?? [])")
        #expect(first.workspaceChanges?.contains { $0.hasPrefix("\(wsID): retuned in place") } == true)
        #expect(readNumber(cgroup("memory", d, wsID) + "/memory.limit_in_bytes") == 320 << 20)
        #expect(readNumber(cgroup("cpu", d, wsID) + "/cpu.cfs_quota_us") == 50_000)
        #expect(try workspace(d, wsID).allocationNote?.contains("on config reload") == true)

        // A disk size cannot change under a local workspace: it drains, its job runs to its end.
        try config(slots: 1, maxWorkspaces: 2, memoryMB: 320, classExtra: "cpu_cap_percent = 50\ndisk_mb = 2048")
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let second = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        print("reload 2: \(second.workspaceChanges ?? [])")
        #expect(second.workspaceChanges?.contains { $0.hasPrefix("\(wsID): draining") && $0.contains("disk") } == true)
        let drained = try workspace(d, wsID)
        #expect(drained.state == .draining && drained.allocationNote?.contains("draining") == true, "\(drained.state) \(drained.allocationNote ?? "")")
        let (_, explained) = try runCommand(TestDaemon.binary, ["policy", "explain", wsID, "--state-dir", d.stateDir])
        print("policy explain \(wsID): \(explained)")
        #expect(explained.contains("draining") && explained.contains("disk"), "\(explained)")
        let (_, shownText) = try runCommand(TestDaemon.binary, ["workspaces", "show", wsID, "--state-dir", d.stateDir])
        #expect(shownText.contains("allocation 320 MB, 1 CPU, weight 50, cap 50%") && shownText.contains("draining"), "\(shownText)")
        let next = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
        let done = try d.waitAll(ids + next, timeout: 60)
        #expect(done.allSatisfy { $0.state == .done })
        #expect(done[1].workspaceID != wsID, "a draining workspace takes no new job")
        try d.waitUntil(timeout: 30, "the drained workspace goes once its run ended") {
            (try? d.client.get("/v1/workspaces", as: [WorkspaceStatus].self))?.contains { $0.workspace.id == wsID } == false
        }
    }
}
