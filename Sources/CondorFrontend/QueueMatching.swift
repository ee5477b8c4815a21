import Foundation

/// `queue ... matching`: the glob patterns expanded (`SubmitGlob`) with the submit file's own
/// knobs for directories, duplicates and empty matches.
extension SubmitFileReader {
    /// The items of `queue ... matching`, with the knobs `load_external_q_foreach_items`
    /// (submit_utils.cpp) reads from the submit file itself.
    mutating func matching(_ globs: [String], kind: QueueStatement.MatchKind, stmt: QueueStatement,
                                   source: String, macros: SubmitMacros) throws(SubmitError) -> [String] {
        func flag(_ names: String..., default dflt: Bool) throws(SubmitError) -> Bool {
            var value: String?
            for n in names where value == nil {
                do { value = try macros.param(n) } catch { throw SubmitError(.syntax, file: source, line: stmt.line, error.message) }
            }
            guard let v = value.map(SubmitLexer.trim)?.lowercased(), !v.isEmpty else { return dflt }
            switch v {
            case "true", "yes", "t", "y", "1": return true
            case "false", "no", "f", "n", "0": return false
            default: throw SubmitError(.invalidValue, file: source, line: stmt.line, "\(names[1]) = \(v) is not a boolean")
            }
        }
        var effective = kind
        var directories: String?
        do { directories = try macros.param("SubmitMatchDirectories", "submit_match_directories") } catch {
            throw SubmitError(.syntax, file: source, line: stmt.line, error.message)
        }
        if kind == .unqualified, let d = directories.map(SubmitLexer.trim) {
            switch d.lowercased() {
            case "never", "no", "false": effective = .files
            case "only": effective = .dirs
            case "yes", "true": break
            default: throw SubmitError(.invalidValue, file: source, line: stmt.line, "\(d) is not a valid value for SubmitMatchDirectories")
            }
        }
        var glob = SubmitGlob(cwd: cwd, kind: effective)
        glob.allowDuplicates = try flag("SubmitAllowDuplicateMatches", "submit_allow_duplicate_matches", default: false)
        glob.failEmpty = try flag("SubmitFailEmptyMatches", "submit_fail_empty_matches", default: false)
        let warnEmpty = try flag("SubmitWarnEmptyMatches", "submit_warn_empty_matches", default: true)
        let warnDuplicates = try flag("SubmitWarnDuplicateMatches", "submit_warn_duplicate_matches", default: true)
        switch Result(catching: { () throws(SubmitGlob.Failure) in try glob.expand(globs) }) {
        case .success(let r):
            for w in r.warnings where (w.hasSuffix("does not match any files") ? warnEmpty : warnDuplicates) {
                warnings.append(SubmitWarning(file: source, line: stmt.line, message: w))
            }
            return r.items
        case .failure(.noMatches(let patterns)):
            throw SubmitError(.invalidValue, file: source, line: stmt.line,
                "no matches for pattern(s): " + patterns.map { "'\($0)'" }.joined(separator: " "))
        }
    }
}
