import Foundation
import WorkspaceBridge

/// A `workspace` job's id as blahp knows it: `workspace/<YYYYMMDD>/<job>`.
///
/// blahpd takes whatever follows `BLAHP_JOBID_PREFIX` in the submit script's output as the job id
/// and later splits it at the first `/` (`job_registry_split_blah_id`): the part before names the
/// LRM (which scripts to run), the rest is the *script id* given to cancel, hold and resume;
/// status gets the full id. Slurm and PBS put the submit date in the middle
/// (`slurm/<YYYYMMDD>/<id>`); we do too. Our job numbers are the daemon's durable job ids, so
/// the id stays valid across daemon restarts. The date is the job's UTC submit date and is
/// checked on use: should the store ever be recreated and a number reused, an old id does not
/// reach the new job.
public struct BlahJobID: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The LRM name, the first part of every id (and of the script names).
    public static let lrms = "workspace"

    /// `YYYYMMDD`.
    public var date: String
    public var job: JobID

    public init(date: String, job: JobID) {
        self.date = date
        self.job = job
    }

    /// The id of a job submitted at `submittedAt` (seconds since 1970).
    public init(job: JobID, submittedAt: Double) {
        self.init(date: Self.day(submittedAt), job: job)
    }

    /// The full id, as printed after `BLAHP_JOBID_PREFIX` and passed to the status script.
    public var description: String { "\(Self.lrms)/\(scriptID)" }

    /// The id without the LRM, as passed to the cancel, hold and resume scripts.
    public var scriptID: String { "\(date)/\(job)" }

    /// Reads a full id (`workspace/20240131/17`) or a script id (`20240131/17`).
    public static func parse(_ text: String) -> BlahJobID? {
        var parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 3 {
            guard parts[0] == lrms else { return nil }
            parts.removeFirst()
        }
        guard parts.count == 2 else { return nil }
        let date = parts[0], number = parts[1]
        guard date.count == 8, date.allSatisfy({ $0.isASCII && $0.isNumber }),
              !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }),
              let job = JobID(number), job > 0 else { return nil }
        return BlahJobID(date: String(date), job: job)
    }

    /// Whether this id names `job` (same number and submitted on the id's date).
    public func names(_ job: Job) -> Bool {
        job.id == self.job && Self.day(job.submittedAt) == date
    }

    /// `YYYYMMDD` of a time, in UTC so that every host and every run agrees.
    public static func day(_ time: Double) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: time))
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(c.year ?? 1970, 4) + pad(c.month ?? 1, 2) + pad(c.day ?? 1, 2)
    }
}
