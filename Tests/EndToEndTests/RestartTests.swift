import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

extension EndToEndTests {
    /// kill -9 of an agent with running jobs: the jobs are requeued, run in a new workspace and
    /// finish; the dead workspace is gone.
    @Test(.enabled(if: isRoot, "bubblewrap sandboxes need root here")) func agentLossRequeuesItsJobs() throws {
        let d = try TestDaemon(config: config(maxRunning: 2, slots: 2, maxWorkspaces: 2))
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit((0..<2).map { i in
            JobSpec(executable: "/bin/sh", arguments: ["-c", "sleep 1.5; echo survived-\(i)"], directory: d.work,
                    stdout: "\(d.work)/a\(i).out")
        })
        try d.waitUntil("both running") { try d.status(ids).allSatisfy { $0.state == .running } }
        let first = try d.status(ids)[0].workspaceID!
        // This daemon's agent only: other tests' daemons run at the same time, with the same workspace ids.
        let agents = processes(matching: "\(d.stateDir)/workspaces/\(first)/agent.sock").filter { $0.cmdline.hasPrefix(TestDaemon.binary) }
        #expect(!agents.isEmpty)
        for a in agents { kill(a.pid, SIGKILL) }
        let jobs = try d.waitAll(ids, timeout: 60)
        for (i, j) in jobs.enumerated() {
            #expect(j.state == .done)
            #expect(j.attempts == 2, "lost once, then ran again")
            #expect(j.failures == 0, "a lost workspace does not count against the job's retries")
            #expect(j.workspaceID != first)
            #expect((try? String(contentsOfFile: "\(d.work)/a\(i).out", encoding: .utf8)) == "survived-\(i)\n")
        }
        let workspaces = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).map(\.workspace.id)
        #expect(!workspaces.contains(first))
    }

    /// Jobs that fail are retried up to max_retries, with backoff, and then fail for good.
    @Test func failingJobRunsOnePlusMaxRetriesTimes() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "exit 7"], directory: d.work, maxRetries: 2)])
        let job = try d.waitAll(ids)[0]
        #expect(job.state == .failed)
        #expect(job.exit == .exited(7))
        #expect(job.attempts == 3)
        #expect(d.journal().filter { $0.kind == "start" && $0.job == ids[0] }.count == 3)
    }

    /// The limit that holds a job is named; a reload without restart lifts it.
    @Test func explainAndReload() throws {
        let d = try TestDaemon(config: config(maxRunning: 1))
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit((0..<2).map { _ in JobSpec(executable: "/bin/sleep", arguments: ["30"], directory: d.work) })
        try d.waitUntil("first running") { try d.status(ids)[0].state == .running }
        let explained = try d.client.get("/v1/jobs/\(ids[1])/explain", as: ExplainReply.self)
        #expect(explained.explanation.contains("throttle.max_running: 1"), "\(explained.explanation)")
        try config(maxRunning: 2).write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let policy = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        #expect(policy.config.throttle.maxRunning == 2)
        try d.waitUntil("second running after reload") { try d.status(ids)[1].state == .running }
        // A broken config is refused with its line, and the policy in force stays.
        try "[throttle]\nmax_runing = 3\n".write(toFile: d.configPath, atomically: true, encoding: .utf8)
        #expect(throws: ClientError.self) { try d.client.post("/v1/policy/reload", as: PolicyReply.self) }
        do { _ = try d.client.post("/v1/policy/reload", as: PolicyReply.self) } catch {
            #expect(error.description.contains("line 2"), "\(error)")
            #expect(error.description.contains("max_runing"))
        }
        #expect(try d.client.get("/v1/policy", as: PolicyReply.self).config.throttle.maxRunning == 2)
        for id in ids { _ = try d.client.post("/v1/jobs/\(id)/cancel", as: JobActionReply.self) }
    }

    /// Cancel stops a running job's processes in its workspace; hold and release work.
    @Test func cancelReallyStopsTheJob() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        // The sleep's own command line is unique (sleep adds its arguments up): other tests'
        // `sleep 300` may run at the same time.
        let sleep = "sleep 300 0.\(UInt32.random(in: 100_000...999_999))"
        let ids = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "exec \(sleep)"], directory: d.work)])
        try d.waitUntil("running") { try d.status(ids)[0].state == .running }
        try d.waitUntil("process visible") { processes(matching: sleep).contains { $0.cmdline.hasPrefix("sleep") } }
        let reply = try d.client.post("/v1/jobs/\(ids[0])/cancel", as: JobActionReply.self)
        #expect(reply.state == .cancelled)
        try d.waitUntil("process gone") { !processes(matching: sleep).contains { $0.cmdline.hasPrefix("sleep") } }
        let held = try d.submit([JobSpec(executable: "/bin/true", directory: d.work, hold: true)])
        #expect(try d.status(held)[0].state == .held)
        _ = try d.client.post("/v1/jobs/\(held[0])/release", as: JobActionReply.self)
        #expect(try d.waitAll(held)[0].state == .done)
    }
}

/// Processes whose command line contains `text`.
func processes(matching text: String) -> [(pid: Int32, cmdline: String)] {
    let me = getpid()
    return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
        guard let pid = Int32(name), pid != me, let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
        let cmd = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return cmd.contains(text) ? (pid, cmd) : nil
    }
}
