import Foundation
import WorkspaceBridge

/// `wsbridge condor parse [--json] FILE`: every proc's job ClassAd and `JobSpec`.
///
/// JSON form: one array, one object per proc, `{"ad": {Name: unparsed ClassAd text},
/// "spec": JobSpec}`; `"\"a b\""` is a string, `"2048"` an integer, exactly as HTCondor unparses:
/// in old syntax by default (as `condor_q -l` prints), or in new syntax (`condor_q -long:new`).
public enum CondorParseCommand {
    struct Entry: Encodable {
        var ad: [String: String]
        var spec: JobSpec
    }

    public static func run(path: String, json: Bool, cluster: Int, syntax: ClassAdUnparser.Syntax = .old) throws -> String {
        let result = try CondorSubmit.parse(path: path, cluster: cluster)
        if json {
            let entries = result.jobs.map { Entry(ad: $0.ad.unparsedAttributes(syntax: syntax), spec: $0.spec) }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try enc.encode(entries), as: UTF8.self)
        }
        return text(result, syntax: syntax)
    }

    /// A readable listing: one block per proc, attributes sorted by name, then the spec.
    public static func text(_ result: CondorSubmitResult, syntax: ClassAdUnparser.Syntax = .old) -> String {
        var out = ""
        for w in result.warnings { out += "WARNING: \(w)\n" }
        for job in result.jobs {
            out += "-- job \(job.cluster).\(job.proc)\n"
            for name in job.ad.names.sorted(by: { $0.lowercased() < $1.lowercased() }) {
                out += "\(name) = \(job.ad.unparsed(name, syntax: syntax) ?? "")\n"
            }
            let s = job.spec
            out += "  spec: \(s.executable) \(s.arguments.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " "))\n"
            out += "  workspace: \(describe(s.workspace)); cpus \(s.resources.cpus.map(String.init) ?? "-"), memory \(s.resources.memoryMB.map { "\($0) MB" } ?? "-"), disk \(s.resources.diskMB.map { "\($0) MB" } ?? "-")\n"
        }
        return out
    }

    static func describe(_ w: WorkspaceSelector) -> String {
        switch w {
        case .any: "any"
        case .named(let n): "class \(n)"
        case .requirements(let r, let rank): "requirements \(r)" + (rank.map { ", rank \($0)" } ?? "")
        }
    }
}
