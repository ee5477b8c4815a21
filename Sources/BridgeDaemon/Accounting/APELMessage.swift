import Foundation

import WorkspaceBridge

/// APEL individual job messages (`APEL-individual-job-message: v0.3`), as the APEL client's
/// unloader writes them and `ssmsend` sends them: one header line, then per record `Key: Value`
/// lines ended by a line `%%`. Fields, types and the required ones follow the upstream record
/// definition (`apel/apel: apel/db/records/job.py`, `JobRecord`): Site, LocalJobId,
/// WallDuration, CpuDuration, StartTime and EndTime are required; times are UTC epoch seconds,
/// durations whole seconds, memory KB; ServiceLevelType and ServiceLevel come together.
public enum APELMessage {
    public static let header = "APEL-individual-job-message: v0.3"
    /// Upstream's unloader puts at most this many records in one message.
    public static let maxRecords = 1000

    /// Where a record's values come from besides the record: the site's settings.
    public struct Site: Sendable {
        public var name: String
        public var submitHost: String?
        public var machineName: String
        public var benchmarkType: String?
        public var benchmark: Double?

        public init(name: String, submitHost: String?, machineName: String, benchmarkType: String? = nil, benchmark: Double? = nil) {
            self.name = name
            self.submitHost = submitHost
            self.machineName = machineName
            self.benchmarkType = benchmarkType
            self.benchmark = benchmark
        }
    }

    /// The job id a record is exported under: the daemon's job id for a job's first run (the id
    /// the front doors handed out, blahpd's `lrmsID`), with the attempt for later runs, so that
    /// each run is a record of its own.
    public static func localJobID(_ r: AccountingRecord) -> String {
        r.attempt <= 1 ? "\(r.job)" : "\(r.job).\(r.attempt)"
    }

    /// The fields of one record in the order upstream emits them; nil where the record cannot be
    /// exported (no CPU time measured: APEL requires it, and a guess would be a false record).
    public static func fields(_ r: AccountingRecord, site: Site) -> [(String, String)]? {
        guard let cpu = r.cpuSeconds else { return nil }
        // Each to the nearest second; the wall time from the exact times, not from the rounded ones.
        let start = Int64(r.startedAt.rounded()), end = max(start, Int64(r.endedAt.rounded()))
        var f: [(String, String?)] = [
            ("Site", site.name),
            ("SubmitHost", site.submitHost),
            ("MachineName", site.machineName),
            ("Queue", r.className),
            ("LocalJobId", localJobID(r)),
            ("LocalUserId", r.ownerName ?? "\(r.owner)"),
            ("GlobalUserName", r.grid?.userDN),
            ("FQAN", r.grid?.fqan),
            ("WallDuration", "\(Int64(r.wallSeconds.rounded()))"),
            ("CpuDuration", "\(Int64(cpu.rounded()))"),
            ("Processors", "\(r.cores)"),
            ("NodeCount", "1"),
            ("StartTime", "\(start)"),
            ("EndTime", "\(end)"),
            ("InfrastructureDescription", "APEL-WSBRIDGE"),
            ("InfrastructureType", r.grid?.userDN != nil || r.grid?.fqan != nil ? "grid" : "local"),
            ("MemoryReal", r.peakMemoryBytes.map { "\($0 / 1024)" }),
        ]
        if let type = site.benchmarkType, let level = site.benchmark {
            f += [("ServiceLevelType", type), ("ServiceLevel", "\(level)")]
        }
        return f.compactMap { key, value in value.map { (key, clean($0)) } }
    }

    /// One message of these records (those that can be exported), or nil if none can.
    public static func message(_ records: [AccountingRecord], site: Site) -> String? {
        let bodies = records.prefix(maxRecords).compactMap { fields($0, site: site) }
        guard !bodies.isEmpty else { return nil }
        var text = header + "\n"
        for body in bodies {
            for (key, value) in body { text += "\(key): \(value)\n" }
            text += "%%\n"
        }
        return text
    }

    /// A value on one line (upstream splits lines with Python's `splitlines`, which also breaks at
    /// control characters), without `%%` (upstream splits a message into records at every `%%`,
    /// not only at lines of their own), as long as upstream's columns take (255), never empty (an
    /// empty value reads as null).
    static func clean(_ value: String) -> String {
        var line = String(value.map { $0.isNewline || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } ? " " : $0 })
        while line.contains("%%") { line = line.replacingOccurrences(of: "%%", with: "%") }
        line = String(line.prefix(255)).trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? "none" : line
    }
}
