import Foundation

/// Reads an APEL message as the APEL server's loader does and checks each record against the
/// upstream definition of an individual job record, pinned at apel/apel commit
/// 53dbaaa4d8c47b1a27ff88fd3e560ff617076393 (release 2.5.0):
///
/// - `apel/db/loader/record_factory.py` (`create_records`, `_create_apel_records`): the first line
///   is the header, `APEL-individual-job-message: v0.3` routes to `JobRecord`; records are split
///   at `%%` lines.
/// - `apel/db/records/record.py` (`load_from_msg`, `set_field`, `checked`, `_check_fields`):
///   each line `Key: Value`; an unknown key is an error; `none`, `null` or empty is null; a null
///   mandatory field is an error; integer fields must parse with `int()`, float fields with
///   `float()`, datetime fields as integer epoch seconds.
/// - `apel/db/records/job.py` (`JobRecord`): the fields, the mandatory ones, the integer, float
///   and datetime ones, `_check_factor` (ServiceLevelType and ServiceLevel both or neither; the
///   type one of si2k, hepspec, hepscore23) and `_check_start_end_times` (EndTime ≥ StartTime,
///   and not more than two days in the future).
///
/// The upstream code itself cannot run in CI (it is on no package registry); this is it, field
/// for field.
enum APELRecordValidator {
    static let header = "APEL-individual-job-message: v0.3"
    static let mandatory: Set = ["Site", "LocalJobId", "WallDuration", "CpuDuration", "StartTime", "EndTime"]
    static let fields: Set = ["Site", "SubmitHost", "MachineName", "Queue", "LocalJobId", "LocalUserId", "GlobalUserName", "FQAN",
                              "VO", "VOGroup", "VORole", "WallDuration", "CpuDuration", "Processors", "NodeCount", "StartTime",
                              "EndTime", "InfrastructureDescription", "InfrastructureType", "MemoryReal", "MemoryVirtual",
                              "ServiceLevelType", "ServiceLevel"]
    static let ignored: Set = ["SubmitHostType", "UpdateTime"]
    static let integers: Set = ["WallDuration", "CpuDuration", "Processors", "NodeCount", "MemoryReal", "MemoryVirtual"]
    static let floats: Set = ["ServiceLevel"]
    static let datetimes: Set = ["StartTime", "EndTime"]
    static let serviceLevelTypes: Set = ["si2k", "hepspec", "hepscore23"]
    /// Where Python's `str.splitlines` breaks a line.
    static let lineBreaks = CharacterSet.newlines.union(CharacterSet(charactersIn: "\u{1c}\u{1d}\u{1e}"))

    struct Invalid: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// The records of a message, each as its fields; throws at the first thing upstream refuses.
    static func records(_ message: String, now: Double = Date().timeIntervalSince1970) throws -> [[String: String]] {
        var lines = message.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: lineBreaks)
        guard !lines.isEmpty else { throw Invalid("empty message") }
        let head = lines.removeFirst()
        guard head.trimmingCharacters(in: .whitespaces) == header else { throw Invalid("header \"\(head)\" is not \(header)") }
        var out: [[String: String]] = []
        for text in lines.joined(separator: "\n").components(separatedBy: "%%") {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            out.append(try record(text, now: now))
        }
        return out
    }

    static func isNull(_ v: String) -> Bool { ["none", "null", ""].contains(v.lowercased()) }

    static func record(_ text: String, now: Double) throws -> [String: String] {
        var content: [String: String] = [:]
        for line in text.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: lineBreaks) {
            guard let colon = line.firstIndex(of: ":") else { throw Invalid("a line without a key-value pair: \(line)") }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if ignored.contains(key) { continue }
            guard fields.contains(key) else { throw Invalid("Unknown field: \(key)") }
            let isFQANPart = ["VO", "VOGroup", "VORole"].contains(key)
            if !isFQANPart && isNull(value) {
                if mandatory.contains(key) { throw Invalid("NULL in mandatory field: \(key)") }
                continue
            }
            if integers.contains(key) || datetimes.contains(key), Int64(value) == nil {
                throw Invalid("Invalid int value \(value) in field \(key)")
            }
            if floats.contains(key), Double(value) == nil { throw Invalid("Invalid float value \(value) in field \(key)") }
            content[key] = value
        }
        for key in mandatory where content[key] == nil { throw Invalid("Mandatory field \(key) not specified.") }
        switch (content["ServiceLevelType"], content["ServiceLevel"]) {
        case (nil, nil): break
        case (let type?, _?):
            guard serviceLevelTypes.contains(type.lowercased()) else { throw Invalid("ScalingFactorUnit \(type) not valid.") }
        default: throw Invalid("Unit but not value supplied for ScalingFactor.")
        }
        let start = Int64(content["StartTime"]!)!, end = Int64(content["EndTime"]!)!
        if end < start { throw Invalid("EndTime is before StartTime.") }
        if Double(end) > now + 2 * 86400 { throw Invalid("Epoch time \(end) is in the future.") }
        return content
    }
}
