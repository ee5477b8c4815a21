import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

@Suite(.serialized) struct EndToEndTests {
    /// 200 jobs at once under max_running = 4: all finish with the right output and exit code;
    /// the agents' own timestamps show never more than 4 at once and no job twice.
    @Test func twoHundredJobsUnderAThrottle() throws {
        let d = try TestDaemon(config: config(maxRunning: 4, slots: 2, maxWorkspaces: 3))
        defer { d.cleanUp() }
        try d.start()
        let out = try d.makeDirectory("out")
        let specs = (0..<200).map { i in
            JobSpec(executable: "/bin/sh", arguments: ["-c", "echo job-\(i) $WSBRIDGE_JOB_ID; exit \(i % 3)"],
                    directory: out, stdout: "\(out)/\(i).out", stderr: "\(out)/\(i).err")
        }
        let ids = try d.submit(specs)
        #expect(ids.count == 200)
        let jobs = try d.waitAll(ids)
        for (i, job) in jobs.enumerated() {
            #expect(job.exit == .exited(Int32(i % 3)), "job \(job.id)")
            #expect(job.state == (i % 3 == 0 ? .done : .failed))
            let text = try String(contentsOfFile: "\(out)/\(i).out", encoding: .utf8)
            #expect(text == "job-\(i) \(job.id)\n")
        }
        let journal = d.journal()
        let starts = journal.filter { $0.kind == "start" }
        #expect(starts.count == 200)
        #expect(Set(starts.map(\.job)).count == 200, "a job started twice")
        // Sweep the agents' start/end times: at no moment more than 4 runs.
        var edges = journal.map { ($0.at, $0.kind == "start" ? 1 : -1) }
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var running = 0, peak = 0
        for e in edges { running += e.1; peak = max(peak, running) }
        #expect(peak <= 4)
        #expect(peak >= 2, "the throttle should still let jobs run side by side")
    }

    /// kill -9 of the daemon at random moments while jobs queue and run: after each restart,
    /// every job completes exactly once.
    @Test func daemonCrashLosesNothingAndRunsNothingTwice() throws {
        let d = try TestDaemon(config: config(maxRunning: 6, slots: 3, maxWorkspaces: 2))
        defer { d.cleanUp() }
        try d.start()
        let specs = (0..<60).map { i in
            JobSpec(executable: "/bin/sh", arguments: ["-c", "sleep 0.\(1 + i % 4); echo \(i)"], directory: d.work,
                    stdout: "\(d.work)/c\(i).out")
        }
        var ids = try d.submit(Array(specs[0..<30]))
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            usleep(UInt32.random(in: 50_000...700_000, using: &generator))
            d.kill9()
            if round == 1 { usleep(300_000) }
            try d.start()
            if round == 0 { ids += try d.submit(Array(specs[30..<60])) }
        }
        let jobs = try d.waitAll(ids)
        #expect(jobs.allSatisfy { $0.state == .done }, "\(jobs.filter { $0.state != .done }.map { "\($0.id) \($0.state) \($0.reason ?? "")" })")
        let starts = d.journal().filter { $0.kind == "start" }
        var counts: [JobID: Int] = [:]
        for s in starts { counts[s.job, default: 0] += 1 }
        #expect(counts.count == 60)
        #expect(counts.values.allSatisfy { $0 == 1 }, "ran twice: \(counts.filter { $0.value > 1 })")
        for (i, _) in specs.enumerated() {
            #expect((try? String(contentsOfFile: "\(d.work)/c\(i).out", encoding: .utf8)) == "\(i)\n")
        }
    }

    /// SIGTERM stops the daemon; the running job goes on and is re-attached, not re-run.
    @Test func gracefulStopKeepsJobsRunning() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["2"], directory: d.work)])
        try d.waitUntil("running") { try d.status(ids)[0].state == .running }
        d.terminate()
        usleep(500_000)
        try d.start()
        let job = try d.waitAll(ids)[0]
        #expect(job.state == .done)
        #expect(job.attempts == 1)
        #expect(d.journal().filter { $0.kind == "start" }.count == 1)
    }
}
