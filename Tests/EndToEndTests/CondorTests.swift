import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// Runs the CLI as this user against the test daemon; returns (exit code, output).
func cli(_ d: TestDaemon, _ args: [String], in dir: String) throws -> (Int32, String) {
    try runCommand(TestDaemon.binary, args, environment: ["WSBRIDGE_STATE_DIR": d.stateDir, "PATH": "/usr/bin:/bin"], directory: dir)
}

extension EndToEndTests {
    /// A real-world style submit file with `queue 10` and a log: ten jobs run in local workspaces,
    /// and the user log holds submit, execute and terminate events with the right return values.
    @Test func submitFileWithQueueTenAndAUserLog() throws {
        let d = try TestDaemon(config: config(maxRunning: 4))
        defer { d.cleanUp() }
        try d.start()
        let dir = try d.makeDirectory("condor")
        try """
            # analysis, one proc per input slice
            universe     = vanilla
            executable   = /bin/sh
            arguments    = "-c 'echo slice $(Process) of $(Cluster); exit $(Process)'"
            initialdir   = \(dir)
            output       = slice_$(Process).out
            error        = slice_$(Process).err
            log          = analysis.log
            request_cpus = 1
            request_memory = 128MB
            should_transfer_files = NO
            +ProjectName = "wsbridge-tests"
            queue 10
            """.write(toFile: dir + "/analysis.sub", atomically: true, encoding: .utf8)
        let (code, out) = try cli(d, ["submit", "--json", "analysis.sub"], in: dir)
        #expect(code == 0, "\(out)")
        struct Row: Decodable { var cluster: Int; var proc: Int; var job: Int64 }
        let rows = try JSONDecoder().decode([Row].self, from: Data(out.utf8))
        #expect(rows.map(\.proc) == Array(0..<10))
        let jobs = try d.waitAll(rows.map(\.job))
        for (i, j) in jobs.enumerated() {
            #expect(j.state == .done, "HTCondor completes a job whatever its exit code")
            #expect(j.exit == .exited(Int32(i)))
            #expect((try? String(contentsOfFile: "\(dir)/slice_\(i).out", encoding: .utf8)) == "slice \(i) of \(rows[0].cluster)\n")
        }
        // The user log is written by the outbox once each change is committed: a job can be done
        // a moment before its terminate event is in the file.
        var log = ""
        var headers: [Substring] = []
        try d.waitUntil(timeout: 30, "30 events in the user log") {
            log = (try? String(contentsOfFile: dir + "/analysis.log", encoding: .utf8)) ?? ""
            headers = log.split(separator: "\n").filter { $0.first?.isNumber == true }
            return headers.count >= 30
        }
        for proc in 0..<10 {
            let id = String(format: "(%03d.%03d.000)", rows[0].cluster, proc)
            let mine = headers.filter { $0.contains(id) }.map { String($0.prefix(3)) }
            #expect(mine == ["000", "001", "005"], "proc \(proc): \(mine)")
            #expect(log.contains("(1) Normal termination (return value \(proc))"))
        }
    }

    /// max_retries = 2 on a job that always fails: it runs exactly three times. A job whose
    /// requirements match no class is held with a reason that says why.
    @Test func condorRetriesAndUnmatchedRequirements() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let dir = try d.makeDirectory("condor")
        try """
            executable  = /bin/false
            max_retries = 2
            log         = retry.log
            queue
            """.write(toFile: dir + "/retry.sub", atomically: true, encoding: .utf8)
        try """
            executable   = /bin/true
            requirements = (Memory >= 1000000) && (OpSys == "LINUX")
            queue
            """.write(toFile: dir + "/big.sub", atomically: true, encoding: .utf8)
        let (_, retryOut) = try cli(d, ["submit", "--json", "retry.sub"], in: dir)
        let (_, bigOut) = try cli(d, ["submit", "--json", "big.sub"], in: dir)
        struct Row: Decodable { var job: Int64 }
        let retry = try JSONDecoder().decode([Row].self, from: Data(retryOut.utf8))[0].job
        let big = try JSONDecoder().decode([Row].self, from: Data(bigOut.utf8))[0].job
        let job = try d.waitAll([retry])[0]
        #expect(job.attempts == 3)
        #expect(d.journal().filter { $0.kind == "start" && $0.job == retry }.count == 3)
        #expect(job.exit == .exited(1))
        let held = try d.status([big])[0]
        #expect(held.state == .held)
        #expect(held.reason?.contains("no workspace class matches") == true, "\(held.reason ?? "")")
        #expect(held.reason?.contains("Memory >= 1000000") == true, "\(held.reason ?? "")")
        let log = try String(contentsOfFile: dir + "/retry.log", encoding: .utf8)
        #expect(log.components(separatedBy: "\n001 (").count - 1 + (log.hasPrefix("001 (") ? 1 : 0) == 3, "three executions logged")
    }

    /// `queue f matching files DIR/*/*.txt` queues one job per file in nested directories, and
    /// `queue from CMD |` one per output line of a command run as the submitter; a file whose
    /// queue statements expand to nothing is an error, never "0 job(s) submitted" and success.
    @Test func condorMatchingGlobsAndCommandItems() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let dir = try d.makeDirectory("condor-glob")
        for (path, text) in [("inputs/run-1/a.txt", "alpha"), ("inputs/run-2/b.txt", "beta"), ("inputs/run-2/c.txt", "gamma"),
                             ("inputs/run-2/skip.dat", "no")] {
            try FileManager.default.createDirectory(atPath: dir + "/" + (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: dir + "/" + path, atomically: true, encoding: .utf8)
        }
        try """
            executable = /bin/cat
            arguments  = $(f)
            output     = glob_$(Process).out
            queue f matching files inputs/*/*.txt
            """.write(toFile: dir + "/glob.sub", atomically: true, encoding: .utf8)
        try """
            executable = /bin/echo
            arguments  = item $(x)
            output     = cmd_$(Process).out
            queue x from printf one\\ntwo\\n |
            """.write(toFile: dir + "/cmd.sub", atomically: true, encoding: .utf8)
        try """
            executable = /bin/echo
            queue matching files inputs/*/*.none
            """.write(toFile: dir + "/empty.sub", atomically: true, encoding: .utf8)
        struct Row: Decodable { var proc: Int; var job: Int64 }
        let (globCode, globOut) = try cli(d, ["submit", "--json", "glob.sub"], in: dir)
        #expect(globCode == 0, "\(globOut)")
        let globRows = try JSONDecoder().decode([Row].self, from: Data(globOut.utf8))
        #expect(globRows.count == 3)
        _ = try d.waitAll(globRows.map(\.job))
        #expect(try (0..<3).map { try String(contentsOfFile: "\(dir)/glob_\($0).out", encoding: .utf8) } == ["alpha", "beta", "gamma"])

        let (cmdCode, cmdOut) = try cli(d, ["submit", "--json", "cmd.sub"], in: dir)
        #expect(cmdCode == 0, "\(cmdOut)")
        let cmdRows = try JSONDecoder().decode([Row].self, from: Data(cmdOut.utf8))
        _ = try d.waitAll(cmdRows.map(\.job))
        #expect(try (0..<2).map { try String(contentsOfFile: "\(dir)/cmd_\($0).out", encoding: .utf8) } == ["item one\n", "item two\n"])

        let (emptyCode, emptyOut) = try cli(d, ["submit", "empty.sub"], in: dir)
        #expect(emptyCode != 0)
        #expect(emptyOut.contains("'inputs/*/*.none' does not match any files"), "\(emptyOut)")
        #expect(emptyOut.contains("0 job(s) submitted"), "\(emptyOut)")
    }
}
