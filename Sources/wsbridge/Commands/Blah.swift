import ArgumentParser
import BridgeAPI
import CondorFrontend
import Foundation
import WorkspaceBridge

/// `wsbridge blah ...`: what the blahp scripts `workspace_{submit,status,cancel,hold,resume,ping}.sh`
/// exec. Each subcommand takes exactly the script's arguments and answers in the script's
/// contract (condor.md §5.4): the stdout lines and exit codes blahpd parses. Failures are
/// reported in that format, never as Swift errors.
struct Blah: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The blahp LRM `workspace`: the submit, status, cancel, hold, resume and ping scripts.",
        discussion: """
            HTCondor's gridmanager reaches wsbridge through blahpd, which runs the scripts \
            workspace_<action>.sh (installed by adapters/blahp/install.sh) as the job's user; \
            they exec these subcommands with their own arguments. The daemon is found through \
            --state-dir or WSBRIDGE_STATE_DIR, which the scripts set from workspace_state_dir in \
            the blah config. Job ids look like workspace/20240131/17.
            """,
        subcommands: [BlahSubmit.self, BlahStatusCommand.self, BlahCancel.self, BlahHold.self,
                      BlahResume.self, BlahPing.self]
    )
}

/// Shared by the blah subcommands: the script's name for messages, and daemon calls.
enum BlahSupport {
    /// `$0` of the script that exec'd us, for usage lines as upstream prints them.
    static func scriptName(_ action: String) -> String {
        ProcessInfo.processInfo.environment["WSBRIDGE_BLAH_SCRIPT"] ?? "\(BlahJobID.lrms)_\(action).sh"
    }

    /// `--help` alone: the arguments are captured verbatim for the script contract, so help is
    /// answered here (no script passes `--help`; getopts would refuse it anyway).
    static func answeredHelp<C: ParsableCommand>(_ command: C.Type, _ words: [String]) -> Bool {
        guard words == ["--help"] else { return false }
        print(command.helpMessage(columns: nil))
        return true
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    /// The job an id names, or nil when there is none (not found, or the number now belongs to
    /// a job submitted on another day).
    static func job(_ id: BlahJobID, client: BridgeClient) throws(ClientError) -> Job? {
        do {
            let list: [JobStatus] = try client.get("/v1/jobs?ids=\(id.job)")
            return list.first.map(\.job).flatMap { id.names($0) ? $0 : nil }
        } catch {
            if error.code == "not-found" { return nil }
            throw error
        }
    }

    /// Whether an error means the daemon cannot be asked at all (as opposed to a refusal).
    static func unreachable(_ error: ClientError) -> Bool {
        if case .daemon = error { return false }
        return true
    }

    /// The words after the options of a `getopts` loop: flags in `allowed`, `--` ends them.
    static func getopts(_ words: [String], allowed: Set<Character>) -> (flags: Set<Character>, rest: [String])? {
        var flags: Set<Character> = []
        var i = 0
        while i < words.count {
            let w = words[i]
            if w == "--" { i += 1; break }
            guard w.hasPrefix("-"), w.count > 1 else { break }
            for c in w.dropFirst() {
                guard allowed.contains(c) else { return nil }
                flags.insert(c)
            }
            i += 1
        }
        return (flags, Array(words[i...]))
    }
}

/// `workspace_submit.sh [options] [-- arguments]` → `BLAHP_JOBID_PREFIXworkspace/YYYYMMDD/N`.
struct BlahSubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a job: the submit script's options (bls_parse_submit_options), then -- and its arguments.",
        discussion: """
            Prints BLAHP_JOBID_PREFIXworkspace/<YYYYMMDD>/<job> and exits 0. A bad command line \
            prints the usage line on stdout and exits 1; a job the daemon refuses, or a daemon that \
            cannot be reached, exits 1 with the reason on stderr.
              wsbridge blah submit -c /bin/sh -w /home/u -o out -e err -- '"-c" "exit 3"'
            """,
        helpNames: [.long]
    )

    @OptionGroup var daemon: DaemonSelection
    @Argument(parsing: .captureForPassthrough, help: "The submit script's arguments.") var words: [String] = []

    func run() throws {
        if BlahSupport.answeredHelp(Self.self, words) { return }
        let options: BlahSubmitOptions
        do { options = try BlahSubmitOptions.parse(words) } catch {
            let script = BlahSupport.scriptName("submit")
            BlahSupport.printError("\(script): \(error.message)")
            print(BlahSubmitOptions.usage(script: script))
            throw ExitCode(1)
        }
        let client = daemon.client
        let fm = FileManager.default
        let cwd = fm.currentDirectoryPath
        // bls_test_input_files: a working directory that cannot be entered makes the job hopeless.
        let workdir = options.workdir.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 } ?? cwd
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: workdir, isDirectory: &isDir), isDir.boolValue else {
            BlahSupport.printError("Failed to CD to Initial Working Directory.")
            throw ExitCode(1)
        }
        do {
            var classes: Set<String> = []
            if options.queue != nil {
                let policy: PolicyReply = try client.get("/v1/policy")
                classes = Set(policy.config.classes.map(\.name))
            }
            let spec = try options.jobSpec(cwd: cwd, classNames: classes) { path in
                fm.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            }
            let reply: SubmitReply = try client.submit(SubmitRequest(specs: [spec]))
            guard let number = reply.jobs.first?.first else {
                BlahSupport.printError("the daemon accepted the job but returned no job id")
                throw ExitCode(1)
            }
            // The id carries the day the daemon recorded; fall back to our clock only if the
            // record cannot be read back (the job is queued either way and must be reported).
            let recorded = try? client.get("/v1/jobs?ids=\(number)", as: [JobStatus].self)
            let id = BlahJobID(job: number, submittedAt: recorded?.first?.job.submittedAt ?? Date().timeIntervalSince1970)
            print("BLAHP_JOBID_PREFIX\(id)")
        } catch let error as BlahSubmitError {
            BlahSupport.printError("\(BlahSupport.scriptName("submit")): \(error.message)")
            throw ExitCode(1)
        } catch let error as ClientError {
            BlahSupport.printError("\(BlahSupport.scriptName("submit")): \(error.description)")
            throw ExitCode(1)
        }
    }
}

/// `workspace_status.sh [-w] [-n] <full-id>...` → one `0[...]` or `1<error>` line per job.
struct BlahStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print one status line per job: 0[BatchJobId=...;JobStatus=N;...] or 1<error>.",
        discussion: """
            JobStatus is HTCondor's: 1 idle, 2 running, 3 removed, 4 completed (with ExitCode, or \
            ExitBySignal and ExitSignal), 5 held (with HoldReason), 7 suspended. -w adds WorkerNode \
            (the workspace); -n is accepted and ignored, as slurm_status.sh does. Exits 0; exits 1 \
            with the reason on stderr when the daemon cannot be reached, and 1 with the usage line \
            for an unknown flag.
            """,
        helpNames: [.long]
    )

    @OptionGroup var daemon: DaemonSelection
    @Argument(parsing: .captureForPassthrough, help: "[-w] [-n] and job ids.") var words: [String] = []

    func run() throws {
        if BlahSupport.answeredHelp(Self.self, words) { return }
        guard let (flags, ids) = BlahSupport.getopts(words, allowed: ["w", "n"]) else {
            print("Usage: \(BlahSupport.scriptName("status")) [-w] [-n]")
            throw ExitCode(1)
        }
        let client = daemon.client
        let parsed = ids.map { BlahJobID.parse($0) }
        let numbers = Array(Set(parsed.compactMap { $0?.job })).sorted()
        var found: [JobID: Job] = [:]
        var refused: [JobID: String] = [:]
        do {
            if !numbers.isEmpty {
                do {
                    let list: [JobStatus] = try client.get("/v1/jobs?ids=" + numbers.map(String.init).joined(separator: ","))
                    for s in list { found[s.job.id] = s.job }
                } catch where !BlahSupport.unreachable(error) && numbers.count > 1 {
                    // One unknown or foreign job fails the whole list: ask for each on its own.
                    for n in numbers {
                        do {
                            let list: [JobStatus] = try client.get("/v1/jobs?ids=\(n)")
                            for s in list { found[s.job.id] = s.job }
                        } catch where !BlahSupport.unreachable(error) {
                            if error.code != "not-found" { refused[n] = error.description }
                        }
                    }
                } catch where !BlahSupport.unreachable(error) {
                    if error.code != "not-found", let n = numbers.first { refused[n] = error.description }
                }
            }
        } catch {
            BlahSupport.printError("\(BlahSupport.scriptName("status")): \(error.description)")
            throw ExitCode(1)
        }
        let now = Date().timeIntervalSince1970
        for (text, id) in zip(ids, parsed) {
            guard let id else {
                print(BlahStatus.errorLine("Error: malformed job id \(text) (expected \(BlahJobID.lrms)/YYYYMMDD/N)"))
                continue
            }
            if let why = refused[id.job] {
                print(BlahStatus.errorLine("Error: \(why)"))
            } else if let job = found[id.job], id.names(job) {
                print(BlahStatus.line(for: job, workerNode: flags.contains("w"), now: now))
            } else {
                print(BlahStatus.errorLine("Error: no job \(id)"))
            }
        }
    }
}

/// `workspace_cancel.sh <script-id>...` → one ` 0 No\ error` line per job (`.<n>` first when several).
struct BlahCancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel jobs; prints one result line per job (a job already gone counts as cancelled).",
        discussion: """
            Lines are ' <code> <escaped message>', prefixed with .<n> when several ids are given, \
            as slurm_cancel.sh prints them; exits 0. Exits 1 with the reason on stderr when the \
            daemon cannot be reached.
            """,
        helpNames: [.long]
    )

    @OptionGroup var daemon: DaemonSelection
    @Argument(parsing: .captureForPassthrough, help: "Job ids (script ids or full ids).") var ids: [String] = []

    func run() throws {
        if BlahSupport.answeredHelp(Self.self, ids) { return }
        let client = daemon.client
        var lines: [String] = []
        for (n, text) in ids.enumerated() {
            let index = ids.count > 1 ? n : nil
            guard let id = BlahJobID.parse(text) else {
                lines.append(BlahReply.result(2, "Malformed jobId \(text)", index: index))
                continue
            }
            do {
                // A job that no longer exists, or has finished, is already gone: success.
                guard let job = try BlahSupport.job(id, client: client), !job.state.isTerminal else {
                    lines.append(BlahReply.ok(index: index))
                    continue
                }
                do {
                    let _: JobActionReply = try client.post("/v1/jobs/\(id.job)/cancel")
                    lines.append(BlahReply.ok(index: index))
                } catch where error.code == "conflict" || error.code == "not-found" {
                    lines.append(BlahReply.ok(index: index))
                }
            } catch where !BlahSupport.unreachable(error) {
                lines.append(BlahReply.result(1, error.description, index: index))
            } catch {
                BlahSupport.printError("\(BlahSupport.scriptName("cancel")): \(error.description)")
                throw ExitCode(1)
            }
        }
        for line in lines { print(line) }
    }
}

/// `workspace_hold.sh <script-id> [<current status>]`: hold a job; the exit code is the answer.
struct BlahHold: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Hold a job (a running one is stopped and will start again when released).",
        discussion: "Prints ' 0 No\\ error' and exits 0, or ' 1 <escaped reason>' and exits 1.",
        helpNames: [.long]
    )

    @OptionGroup var daemon: DaemonSelection
    @Argument(parsing: .captureForPassthrough, help: "The job id and, as blahpd passes it, its current JobStatus.")
    var words: [String] = []

    func run() throws {
        if BlahSupport.answeredHelp(Self.self, words) { return }
        try BlahAction.run(words, action: "hold", daemon: daemon) { job in
            switch job.state {
            case .held: return nil
            case .queued, .starting, .running, .suspended: return "hold"
            case .done, .failed, .cancelled: throw BlahAction.Refusal("job \(job.id) is \(job.state.rawValue)")
            }
        }
    }
}

/// `workspace_resume.sh <script-id>`: release a held job (or resume a suspended one).
struct BlahResume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Release a held job back into the queue, or resume a suspended one.",
        discussion: "Prints ' 0 No\\ error' and exits 0, or ' 1 <escaped reason>' and exits 1.",
        helpNames: [.long]
    )

    @OptionGroup var daemon: DaemonSelection
    @Argument(parsing: .captureForPassthrough, help: "The job id.") var words: [String] = []

    func run() throws {
        if BlahSupport.answeredHelp(Self.self, words) { return }
        try BlahAction.run(words, action: "resume", daemon: daemon) { job in
            switch job.state {
            case .held: return "release"
            case .suspended: return "resume"
            default: throw BlahAction.Refusal("job \(job.id) is \(job.state.rawValue), not held")
            }
        }
    }
}

/// hold and resume: one job, one daemon action, the answer in the exit code.
enum BlahAction {
    struct Refusal: Error {
        var message: String
        init(_ m: String) { message = m }
    }

    /// `choose` names the daemon action for the job's state (nil: nothing to do).
    static func run(_ words: [String], action: String, daemon: DaemonSelection,
                    choose: (Job) throws -> String?) throws {
        func refuse(_ message: String) throws -> Never {
            print(BlahReply.result(1, message))
            throw ExitCode(1)
        }
        guard let text = words.first else { try refuse("Usage: \(BlahSupport.scriptName(action)) <jobid>") }
        guard let id = BlahJobID.parse(text) else { try refuse("Malformed jobId \(text)") }
        let client = daemon.client
        do {
            guard let job = try BlahSupport.job(id, client: client) else { try refuse("no job \(id)") }
            let verb: String?
            do { verb = try choose(job) } catch let r as Refusal { try refuse(r.message) }
            if let verb {
                let _: JobActionReply = try client.post("/v1/jobs/\(id.job)/\(verb)")
            }
            print(BlahReply.ok())
        } catch let error as ClientError {
            try refuse(error.description)
        }
    }
}

/// `workspace_ping.sh` → `0 No error`, or `1 <reason>` when the daemon does not answer; exits 0.
struct BlahPing: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Check that the daemon answers: prints '0 No error' or '1 <reason>'; exits 0.",
        helpNames: [.long]
    )

    @OptionGroup var daemon: DaemonSelection
    @Argument(parsing: .captureForPassthrough, help: "Ignored, as upstream ping scripts ignore theirs.")
    var words: [String] = []

    func run() throws {
        if BlahSupport.answeredHelp(Self.self, words) { return }
        do {
            let _: [String: String] = try daemon.client.get("/v1/health")
            print(BlahReply.ping(0, "No error"))
        } catch {
            print(BlahReply.ping(1, error.description))
        }
    }
}
