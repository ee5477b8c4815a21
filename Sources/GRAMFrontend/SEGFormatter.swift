import WorkspaceBridge

/// One job state change for the job manager's SEG reader.
public struct SEGEvent: Sendable, Equatable {
    /// Seconds since the epoch.
    public var timestamp: Int64
    /// Our job id, as returned in `JOB_ID` (one sub-job).
    public var jobID: String
    /// PENDING, ACTIVE, FAILED or DONE: the only states the reader accepts.
    public var state: GRAMJobState
    /// The exit code for DONE, the GRAM failure code for FAILED, 0 otherwise.
    public var code: Int32

    public init(timestamp: Int64, jobID: String, state: GRAMJobState, code: Int32 = 0) {
        self.timestamp = timestamp
        self.jobID = jobID
        self.state = state
        self.code = code
    }
}

public struct SEGError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Scheduler Event Generator day files, written by wsbridge itself so that no C SEG module is
/// needed: the job manager (`-seg-module workspace`) tails
/// `${localstatedir}/lib/globus/globus-seg-workspace/YYYYMMDD` (UTC date) and reads lines with
/// `fscanf("%d;%lld;%128[^;];%d;%d%1[\n]")` (`seg_job_manager_module.c`). The line format is the
/// SEG stdout writer's `"001;%lld;%s;%d;%d\n"` (`globus_scheduler_event_generator_stdout.c`).
public enum SEGFormatter {
    /// The reader takes at most 128 characters of job id.
    public static let maximumJobIDLength = 128

    /// The line for `event`, newline included.
    public static func line(_ event: SEGEvent) throws(SEGError) -> String {
        let id = event.jobID
        guard !id.isEmpty, id.utf8.count <= maximumJobIDLength else {
            throw SEGError(message: "SEG job id must be 1 to \(maximumJobIDLength) bytes, not \(id.utf8.count)")
        }
        guard !id.contains(where: { $0 == ";" || $0 == "\n" || $0 == "\r" }) else {
            throw SEGError(message: "SEG job id \"\(id)\" holds \";\" or a line break")
        }
        switch event.state {
        case .pending, .active, .failed, .done: break
        default: throw SEGError(message: "the SEG reader accepts only PENDING, ACTIVE, FAILED and DONE, not \(event.state)")
        }
        return "001;\(event.timestamp);\(id);\(event.state.rawValue);\(event.code)\n"
    }

    /// The day file a timestamp belongs to, `YYYYMMDD` in UTC.
    public static func dayFileName(timestamp: Int64) -> String {
        let days = timestamp >= 0 ? timestamp / 86400 : (timestamp - 86399) / 86400
        let (y, m, d) = civilFromDays(days)
        func pad(_ n: Int64, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(y, 4) + pad(m, 2) + pad(d, 2)
    }

    /// The directory the job manager reads for LRM `type` (`GLOBUS_SEG_LOGFMT`).
    public static func directory(type: String = "workspace", localstatedir: String = "/var") -> String {
        "\(localstatedir)/lib/globus/globus-seg-\(type)"
    }

    /// The event for a job's current state, or `nil` when the SEG cannot carry it (held and
    /// suspended jobs: the reader skips SUSPENDED). The id is the one the job manager got in
    /// `JOB_ID`: with the identity of `store` (`GRAMJobID`).
    ///
    /// A run that ended with an exit status is DONE with its exit code, even when it failed: the
    /// SEG is GRAM's only channel for exit codes, and DONE keeps the output. A job killed by a
    /// signal reports 128 + signal, as a shell does. A job that failed without running is FAILED
    /// with `JOB_EXECUTION_FAILED` (17); a cancelled one FAILED with `SYSTEM_CANCELLED` (9).
    public static func event(for job: Job, at timestamp: Int64, store: StoreIdentity?) -> SEGEvent? {
        let id = GRAMJobID.string(job.id, store: store)
        switch job.state {
        case .queued, .starting: return SEGEvent(timestamp: timestamp, jobID: id, state: .pending)
        case .running: return SEGEvent(timestamp: timestamp, jobID: id, state: .active)
        case .held, .suspended: return nil
        case .done, .failed:
            switch job.exit {
            case .exited(let code)?: return SEGEvent(timestamp: timestamp, jobID: id, state: .done, code: code)
            case .signaled(let sig)?: return SEGEvent(timestamp: timestamp, jobID: id, state: .done, code: 128 &+ sig)
            case nil:
                return job.state == .done
                    ? SEGEvent(timestamp: timestamp, jobID: id, state: .done, code: 0)
                    : SEGEvent(timestamp: timestamp, jobID: id, state: .failed, code: Int32(GRAMErrorCode.jobExecutionFailed.rawValue))
            }
        case .cancelled:
            return SEGEvent(timestamp: timestamp, jobID: id, state: .failed, code: Int32(GRAMErrorCode.systemCancelled.rawValue))
        }
    }
}
