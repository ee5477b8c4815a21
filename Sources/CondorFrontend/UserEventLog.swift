import Foundation

/// Formats HTCondor user job event log entries (`log = FILE`), as
/// `src/condor_utils/condor_event.cpp` writes them: a header
/// `NNN (CCC.PPP.SSS) YYYY-MM-DD HH:MM:SS text`, indented body lines, and a `...` line.
/// Pure: returns text; the caller appends it to the file.
public enum UserEventLog {
    public enum Event: Sendable, Equatable {
        /// 000 Job submitted from host: <addr>
        case submitted(host: String, notes: String? = nil)
        /// 001 Job executing on host: <addr>
        case executing(host: String)
        /// 002 (Job) executable error
        case executableError(String)
        /// 004 Job was evicted / requeued after termination.
        case requeued(exitCode: Int32?, signal: Int32?)
        /// 005 Job terminated, with the return value or the signal.
        case terminated(exitCode: Int32?, signal: Int32?, bytesSent: Int64 = 0, bytesReceived: Int64 = 0)
        /// 006 Image size of job updated (a VM job's: its memory, `vm_proc.cpp` PublishUpdateAd).
        case imageSize(kiB: Int64, memoryMB: Int64?, residentKiB: Int64?)
        /// 009 Job was aborted.
        case aborted(reason: String?)
        /// 012 Job was held.
        case held(reason: String?, code: Int, subcode: Int)
        /// 013 Job was released.
        case released(reason: String?)
        /// 027 Job submitted to grid resource.
        case gridSubmitted(resource: String, jobID: String)

        var number: Int {
            switch self {
            case .submitted: 0
            case .executing: 1
            case .executableError: 2
            case .requeued: 4
            case .terminated: 5
            case .imageSize: 6
            case .aborted: 9
            case .held: 12
            case .released: 13
            case .gridSubmitted: 27
            }
        }
    }

    /// One event, ending with the `...` line. `time` is written in local time by default
    /// (`ISO_DATE`), or in UTC with a `Z` suffix when `utc` is set.
    public static func format(_ event: Event, cluster: Int, proc: Int, subproc: Int = 0,
                              time: Date, timeZone: TimeZone = .current, utc: Bool = false) -> String {
        var out = String(format: "%03d (%03d.%03d.%03d) ", event.number, cluster, proc, subproc)
        out += timestamp(time, timeZone: utc ? TimeZone(identifier: "UTC")! : timeZone) + (utc ? "Z" : "") + " "
        out += body(event)
        out += "...\n"
        return out
    }

    static func timestamp(_ date: Date, timeZone: TimeZone) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static let usageLines = """
    \t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Remote Usage
    \t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Local Usage
    \t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Total Remote Usage
    \t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Total Local Usage

    """

    static func body(_ event: Event) -> String {
        switch event {
        case .submitted(let host, let notes):
            return "Job submitted from host: \(host)\n" + (notes.map { "    \($0)\n" } ?? "")
        case .executing(let host):
            return "Job executing on host: \(host)\n"
        case .executableError(let text):
            return "(\(0)) Job file not executable.\n\t\(text)\n"
        case .requeued(let code, let signal):
            var s = "Job was evicted.\n\t(0) Job was not checkpointed.\n" + usageLines
            s += "\t0  -  Run Bytes Sent By Job\n\t0  -  Run Bytes Received By Job\n"
            if let code { s += "\t(1) Normal termination (return value \(code))\n" }
            if let signal { s += "\t(0) Abnormal termination (signal \(signal))\n" }
            return s
        case .terminated(let code, let signal, let sent, let received):
            var s = "Job terminated.\n"
            if let signal {
                s += "\t(0) Abnormal termination (signal \(signal))\n\t(0) No core file\n"
            } else {
                s += "\t(1) Normal termination (return value \(code ?? 0))\n"
            }
            s += usageLines
            s += "\t\(sent)  -  Run Bytes Sent By Job\n\t\(received)  -  Run Bytes Received By Job\n"
            s += "\t\(sent)  -  Total Bytes Sent By Job\n\t\(received)  -  Total Bytes Received By Job\n"
            return s
        case .imageSize(let kiB, let memoryMB, let residentKiB):
            // JobImageSizeEvent::formatBody.
            var s = "Image size of job updated: \(kiB)\n"
            if let memoryMB { s += "\t\(memoryMB)  -  MemoryUsage of job (MB)\n" }
            if let residentKiB { s += "\t\(residentKiB)  -  ResidentSetSize of job (KB)\n" }
            return s
        case .aborted(let reason):
            return "Job was aborted.\n" + (reason.map { "\t\($0)\n" } ?? "")
        case .held(let reason, let code, let subcode):
            return "Job was held.\n\t\(reason ?? "Reason unspecified")\n\tCode \(code) Subcode \(subcode)\n"
        case .released(let reason):
            return "Job was released.\n" + (reason.map { "\t\($0)\n" } ?? "")
        case .gridSubmitted(let resource, let jobID):
            return "Job submitted to grid resource\n    GridResource: \(resource)\n    GridJobId: \(jobID)\n"
        }
    }
}
