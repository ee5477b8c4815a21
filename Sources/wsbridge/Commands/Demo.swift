import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

/// Starts a daemon on the embedded default, submits jobs through every front door (the CLI, GRAM's
/// RSL, the GRAM job manager's adapter, an HTCondor submit file), shows them queue, run under a
/// throttle and finish, and says where their output went.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A demonstration: a daemon on the embedded default, GRAM and HTCondor jobs, throttled, to completion.")

    @Option(help: ArgumentHelp("Where the demo keeps its daemon state and the jobs' output.", valueName: "dir"))
    var directory: String = NSTemporaryDirectory() + "wsbridge-demo"
    @Flag(help: "Leave the daemon running at the end (stop it with kill).") var keep = false

    func run() throws {
        try? FileManager.default.removeItem(atPath: directory)
        let out = directory + "/output", seg = directory + "/seg"
        for d in [out, seg] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        chmod(out, 0o1777)
        say("Starting a wsbridge daemon in \(directory) (local provider: process sandboxes)")
        let daemon = try LocalDaemon(stateDir: directory + "/state", config: """
            [throttle]
            max_running = 4          # the throttle you will see at work
            start_rate = 4.0         # job starts per second
            max_creating = 2
            [gram]
            seg_directory = "\(seg)"
            [[class]]
            name = "default"
            slots = 2
            max_workspaces = 2
            memory_mb = 512
            cpu_weight = 100
            idle_timeout_seconds = 120
            """)
        defer { if !keep { daemon.stop() } }
        let selection = try DaemonSelection.parse(["--state-dir", daemon.stateDir])

        say("1. Eight jobs from the command line (wsbridge submit -- ...)")
        var specs: [JobSpec] = []
        for i in 1...8 {
            specs.append(JobSpec(executable: "/bin/sh", arguments: ["-c", "echo \"cli job \(i) ran in $(hostname) as $(id -un)\"; sleep 1"],
                                 directory: out, stdout: "\(out)/cli-\(i).out", stderr: "\(out)/cli-\(i).err"))
        }
        let cli = try daemon.client.post("/v1/jobs", SubmitRequest(specs: specs), as: SubmitReply.self).jobs.flatMap { $0 }
        print("   jobs \(cli.map(String.init).joined(separator: " "))")

        let rsl = "&(executable=/bin/sh)(arguments=-c \"echo GRAM sub-job in $(hostname); sleep 1\")(directory=\(out))(stdout=\(out)/gram.out)(count=2)(job_type=multiple)"
        say("2. A GRAM job in RSL, two sub-jobs (wsbridge submit --rsl '\(rsl)')")
        RSLSubmitCommand.run(rsl: rsl, defines: [:], daemon: selection, json: false)

        let submitFile = out + "/analysis.sub"
        try """
            # An HTCondor submit file, unchanged: four procs and a user log
            universe   = vanilla
            executable = /bin/sh
            arguments  = "-c 'echo condor proc $(Process) of cluster $(Cluster); sleep 1; exit $(Process)'"
            output     = condor.$(Cluster).$(Process).out
            error      = condor.$(Cluster).$(Process).err
            log        = condor.log
            request_memory = 128
            queue 4
            """.write(toFile: submitFile, atomically: true, encoding: .utf8)
        say("3. An HTCondor submit file with queue 4 (wsbridge submit \(submitFile))")
        let cwd = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(out)
        SubmitFileCommand.run(path: submitFile, daemon: selection, json: false)
        _ = FileManager.default.changeCurrentDirectoryPath(cwd)

        say("4. Watching them queue, start under max_running = 4 and start_rate = 4/s, and finish")
        let started = Date()
        var explained = false
        while true {
            let all = try daemon.client.get("/v1/jobs", as: [JobStatus].self)
            let spaces = try daemon.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
            var counts: [JobState: Int] = [:]
            for s in all { counts[s.job.state, default: 0] += 1 }
            let line = JobState.allCases.compactMap { st in counts[st].map { "\(st.rawValue) \($0)" } }.joined(separator: "  ")
            print(String(format: "   %5.1fs  %@   | workspaces %d, jobs in them %d", Date().timeIntervalSince(started), line,
                         spaces.count, spaces.reduce(0) { $0 + $1.jobs.count }))
            if !explained, let waiting = all.first(where: { $0.job.state == .queued && $0.waiting != nil }) {
                print("   wsbridge policy explain \(waiting.job.id): \(waiting.waiting!)")
                explained = true
            }
            if all.allSatisfy({ $0.job.state.isTerminal }) { break }
            usleep(500_000)
        }

        say("5. Results (wsbridge status)")
        print(StatusTable.render(try daemon.client.get("/v1/jobs", as: [JobStatus].self), history: false), terminator: "")
        say("6. Where the output went: \(out)")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).sorted() where name.hasSuffix(".out") {
            let text = (try? String(contentsOfFile: "\(out)/\(name)", encoding: .utf8)) ?? ""
            print("   \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(text.split(separator: "\n").joined(separator: " / "))")
        }
        say("   HTCondor user log (\(out)/condor.log), first events:")
        let log = (try? String(contentsOfFile: out + "/condor.log", encoding: .utf8)) ?? ""
        for l in log.split(separator: "\n").filter({ !$0.hasPrefix("...") && !$0.hasPrefix("\t") }).prefix(6) { print("   \(l)") }
        say("   GRAM scheduler-event (SEG) lines in \(seg):")
        for f in ((try? FileManager.default.contentsOfDirectory(atPath: seg)) ?? []).sorted() {
            for l in ((try? String(contentsOfFile: "\(seg)/\(f)", encoding: .utf8)) ?? "").split(separator: "\n") { print("   \(l)") }
        }
        say("Enforcement of each workspace (wsbridge workspaces):")
        for w in try daemon.client.get("/v1/workspaces", as: [WorkspaceStatus].self) {
            print("   \(w.workspace.id): " + w.workspace.enforcement.map(\.description).joined(separator: "; "))
        }
        if keep { say("The daemon keeps running: WSBRIDGE_STATE_DIR=\(daemon.stateDir) wsbridge status") }
    }

    func say(_ text: String) {
        print("\n" + text)
        fflush(nil)
    }
}
