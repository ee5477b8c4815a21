import WorkspaceBridge

/// What `<lrms>_status.sh` prints for one job (`get_status`, `src/blahp/src/job_status.c`):
/// `0` followed by a new-syntax ClassAd, or `1` followed by an error text, one line per job.
///
/// The ad carries the HTCondor `JobStatus` (condor.md §2.1) and the attributes the gridmanager
/// copies from it (`INFNBatchJob::ProcessRemoteAd`): `BatchJobId`, `ExitCode`, `ExitBySignal`,
/// `ExitSignal`, `ExitReason`, `HoldReason`, `HoldReasonCode`, `HoldReasonSubCode`,
/// `RemoteWallClockTime`, `NumRestarts`, and `WorkerNode` when asked with `-w`.
public enum BlahStatus {
    /// HTCondor `JobStatus` codes.
    public enum Code: Int, Sendable {
        case idle = 1, running = 2, removed = 3, completed = 4, held = 5, suspended = 7
    }

    /// blahpd copies each line into a 1024-byte buffer (`CAD_LEN`); longer ads would be cut
    /// mid-attribute, so long texts are shortened to keep every line well inside it.
    public static let maxTextLength = 300

    /// The code a job shows. A job that failed without an exit status never ran (its program
    /// could not start, its workspace could not be made): it is reported held, with the reason,
    /// as HTCondor holds a job whose process cannot be created (`HoldReasonCode` 6).
    public static func code(for job: Job) -> Code {
        switch job.state {
        case .queued, .starting: .idle
        case .running: .running
        case .suspended: .suspended
        case .held: .held
        case .done: .completed
        case .failed: job.exit == nil ? .held : .completed
        case .cancelled: .removed
        }
    }

    /// A string in the status ad. blahpd reads these ads with the new-syntax ClassAd parser
    /// (`classad_parse` in `src/blahp/src/classad_c_helper.C`), where a backslash is an escape,
    /// so they are written in new syntax.
    static func blahQuote(_ s: String) -> String { ClassAdUnparser.quote(s, syntax: .new) }

    /// The ClassAd attributes for a job, in the order they are printed (name, expression text).
    public static func attributes(for job: Job, workerNode: Bool, now: Double) -> [(String, String)] {
        let code = code(for: job)
        var attrs: [(String, String)] = [
            ("BatchJobId", blahQuote(String(job.id))),
            ("JobStatus", String(code.rawValue)),
        ]
        if workerNode, job.state.isActive, let ws = job.workspaceID {
            attrs.append(("WorkerNode", blahQuote(ws)))
        }
        switch code {
        case .completed:
            switch job.exit {
            case .exited(let c)?:
                attrs.append(("ExitCode", String(c)))
                attrs.append(("ExitBySignal", "false"))
            case .signaled(let s)?:
                attrs.append(("ExitBySignal", "true"))
                attrs.append(("ExitSignal", String(s)))
                attrs.append(("ExitReason", blahQuote("died on signal \(s)\(signalName(s).map { " (\($0))" } ?? "")")))
            case nil:
                attrs.append(("ExitCode", "0"))
            }
        case .held:
            let (reason, holdCode) = holdReason(job)
            attrs.append(("HoldReason", blahQuote(reason)))
            attrs.append(("HoldReasonCode", String(holdCode)))
            attrs.append(("HoldReasonSubCode", "0"))
        case .removed:
            if let r = job.reason { attrs.append(("RemoveReason", blahQuote(shorten(r)))) }
        default:
            break
        }
        // Time in the current (or last) run; a queued or held job has none running.
        if let start = job.startedAt, job.state.isActive || job.state.isTerminal {
            let end = job.state.isTerminal ? (job.endedAt ?? now) : now
            attrs.append(("RemoteWallClockTime", String(Int(max(0, end - start)))))
        }
        if job.attempts > 1 { attrs.append(("NumRestarts", String(job.attempts - 1))) }
        return attrs
    }

    /// The HoldReason text and code: 1 (UserRequest) when a user held it, 6
    /// (FailedToCreateProcess) when it failed before running, else 0 (Unspecified), which is what
    /// the gridmanager itself uses for grid jobs.
    static func holdReason(_ job: Job) -> (String, Int) {
        let reason = shorten(job.reason ?? "held")
        if job.state == .failed { return (reason, 6) }
        if job.reason?.contains("held by uid") == true { return (reason, 1) }
        return (reason, 0)
    }

    /// `0[BatchJobId="17";JobStatus=4;ExitCode=3;...]`.
    public static func line(for job: Job, workerNode: Bool = false, now: Double) -> String {
        "0[" + attributes(for: job, workerNode: workerNode, now: now).map { "\($0.0)=\($0.1);" }.joined() + "]"
    }

    /// `1<message>`: the job's status cannot be given.
    public static func errorLine(_ message: String) -> String {
        "1" + oneLine(message)
    }

    static func shorten(_ text: String) -> String {
        let flat = oneLine(text)
        return flat.count <= maxTextLength ? flat : String(flat.prefix(maxTextLength - 3)) + "..."
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    static func signalName(_ s: Int32) -> String? {
        switch s {
        case 1: "Hangup"
        case 2: "Interrupt"
        case 3: "Quit"
        case 4: "Illegal instruction"
        case 6: "Aborted"
        case 7: "Bus error"
        case 8: "Floating point exception"
        case 9: "Killed"
        case 11: "Segmentation fault"
        case 13: "Broken pipe"
        case 14: "Alarm clock"
        case 15: "Terminated"
        case 24: "CPU time limit exceeded"
        case 25: "File size limit exceeded"
        default: nil
        }
    }
}

/// The reply lines of the cancel, hold, resume and ping scripts.
///
/// blahpd prefixes each cancel/hold/resume line with the request id, so these lines begin with a
/// space (` 0 No\ error`), or with `.<n>` when one cancel names several jobs
/// (`.1 0 No\ error`, as `slurm_cancel.sh` prints). Texts are escaped as blahpd's
/// `escape_spaces` does, since the line is sent to the gridmanager as is.
public enum BlahReply {
    /// One result line: `index` is the job's position when the request named several jobs.
    public static func result(_ code: Int, _ message: String, index: Int? = nil) -> String {
        (index.map { ".\($0)" } ?? "") + " \(code) " + escape(message)
    }

    public static func ok(index: Int? = nil) -> String { result(0, "No error", index: index) }

    /// `<code> <message>` of the ping script, unescaped as upstream ping scripts print it.
    public static func ping(_ code: Int, _ message: String) -> String {
        "\(code) " + BlahStatus.oneLine(message)
    }

    /// Backslash before blanks and backslashes; line breaks become escaped blanks.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case " ", "\t", "\\": out.append("\\"); out.append(c)
            case "\n", "\r": out += "\\ "
            default: out.append(c)
            }
        }
        return out
    }
}
