/// HTCondor's environment syntaxes (`src/condor_utils/env.cpp`).
///
/// * V2 (value starts with `"`): outer quoting as for arguments, entries split like V2
///   arguments, each `NAME=value`.
/// * V1: entries separated by `;` (or by the first character when it is one of
///   ``!#$%&*+,-/:;<>?@^`|~``) or newlines; no quoting at all.
///
/// Entries are kept sorted by name (a `std::map` upstream) and later duplicates win.
public enum EnvironmentSyntax {
    public struct ParseError: Error, Sendable, Equatable { public var message: String }

    public static func isV2Quoted(_ s: String) -> Bool { ArgumentsSyntax.isV2Quoted(s) }

    /// `MergeFromV1RawOrV2Quoted` (or `MergeFromV2Quoted` when `requireV2`).
    public static func parse(_ s: String, requireV2: Bool = false) throws(ParseError) -> [String: String] {
        var env: [String: String] = [:]
        if isV2Quoted(s) || requireV2 {
            let raw: String, entries: [String]
            do {
                raw = try ArgumentsSyntax.v2QuotedToRaw(s)
                entries = try ArgumentsSyntax.splitV2Raw(raw)
            } catch {
                throw ParseError(message: error.message)
            }
            for e in entries { try add(e, to: &env) }
            return env
        }
        // On Unicode scalars: a combining mark after `;` or `=` must not hide it.
        var text = Substring(s).unicodeScalars
        var delimiter: Unicode.Scalar = ";"
        let permitted: Set<Unicode.Scalar> = ["!", "#", "$", "%", "&", "*", "+", ",", "-", "/", ":", ";", "<", ">", "?", "@", "^", "`", "|", "~", "\u{1F}"]
        if let f = text.first, permitted.contains(f) {
            delimiter = f
            text = text.dropFirst()
        }
        for entry in text.split(whereSeparator: { $0 == delimiter || $0 == "\n" }) {
            let e = entry.drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if e.isEmpty { continue }
            try add(String(String.UnicodeScalarView(e)), to: &env)
        }
        return env
    }

    private static func add(_ entry: String, to env: inout [String: String]) throws(ParseError) {
        let scalars = entry.unicodeScalars
        guard let eq = scalars.firstIndex(of: "=") else {
            // An entry with `$$` but no `=` is passed through for match-time expansion.
            if entry.contains("$$") { env[entry] = ""; return }
            throw ParseError(message: "ERROR: Missing '=' after environment variable '\(entry)'.")
        }
        let name = String(scalars[..<eq])
        guard !name.isEmpty else { throw ParseError(message: "ERROR: missing variable in '\(entry)'.") }
        env[name] = String(scalars[scalars.index(after: eq)...])
    }

    /// Names in byte order, as `std::map<std::string, ...>` iterates them.
    static func sortedNames(_ env: [String: String]) -> [String] {
        env.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// `getDelimitedStringV2Raw`: `NAME=value` entries quoted like V2 arguments.
    public static func v2Raw(_ env: [String: String]) -> String {
        sortedNames(env).map { ArgumentsSyntax.encodeV2(entry($0, env[$0]!)) }.joined(separator: " ")
    }

    /// `getDelimitedStringV1Raw` with `;`.
    public static func v1Raw(_ env: [String: String]) -> String {
        sortedNames(env).map { entry($0, env[$0]!) }.joined(separator: ";")
    }

    private static func entry(_ name: String, _ value: String) -> String {
        value.isEmpty && name.contains("$$") ? name : name + "=" + value
    }
}
