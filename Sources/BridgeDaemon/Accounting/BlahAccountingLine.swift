import Foundation

import WorkspaceBridge

/// The BLAH accounting line that links a CE's job to the batch system's: what blahpd writes to
/// `BLAHPD_ACCOUNTING_INFO_LOG` (`htcondor/BLAH: src/server.c`, `logAccInfo`) and the APEL
/// parser reads (`apel/apel: apel/parsers/blah.py`, which splits on `"`):
///
///     "timestamp=2026-12-06 14:00:00" "userDN=/DC=..." "userFQAN=/vo/Role=NULL" "ceID=host:port/queue" "jobID=ce-job" "lrmsID=42" "localUser=1000"
///
/// in the day file `<prefix>-YYYYMMDD` (UTC).
public enum BlahAccountingLine {
    /// The line for a run: `timestamp` is the job's submission (as blahpd writes it), `lrmsID`
    /// the id the run's APEL record carries (`APELMessage.localJobID`).
    public static func line(_ r: AccountingRecord, submittedAt: Double, ceID: String) -> String {
        var parts = [("timestamp", timestamp(submittedAt))]
        parts.append(("userDN", r.grid?.userDN ?? ""))
        if let fqan = r.grid?.fqan { parts.append(("userFQAN", fqan)) }
        parts += [("ceID", ceID), ("jobID", r.grid?.jobID ?? ""), ("lrmsID", APELMessage.localJobID(r)), ("localUser", "\(r.owner)")]
        return parts.map { "\"\($0)=\(clean($1))\"" }.joined(separator: " ") + "\n"
    }

    /// The day file of a line written at `at`.
    public static func path(prefix: String, at: Double) -> String {
        let (y, m, d) = civilFromDays(Int64((at / 86400).rounded(.down)))
        return prefix + "-" + four(y) + two(m) + two(d)
    }

    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    static func timestamp(_ t: Double) -> String {
        let iso = formatTime(t)
        return String(iso.dropLast().replacingOccurrences(of: "T", with: " "))
    }

    static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    static func four(_ v: Int64) -> String { String(repeating: "0", count: max(0, 4 - String(v).count)) + String(v) }

    /// No quote (the reader splits on them), no line break or other control character.
    static func clean(_ value: String) -> String {
        String(value.filter { $0 != "\"" && !$0.isNewline && !$0.unicodeScalars.contains { $0.properties.generalCategory == .control } }
            .prefix(1024))
    }
}
