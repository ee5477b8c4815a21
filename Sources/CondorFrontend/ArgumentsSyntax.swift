/// HTCondor's two argument syntaxes (`src/condor_utils/condor_arglist.cpp`).
///
/// * V1 ("wacked"): split on whitespace; the only escape is `\"` for a literal `"`; any other
///   `"` is an error. Stored in `Args` as the arguments joined by single spaces.
/// * V2 (the value starts with `"`): the whole value is quoted, `""` is a literal `"`; inside,
///   whitespace separates arguments and `'...'` groups them, `''` being a literal `'`.
///   Stored in `Arguments` re-encoded canonically (`append_arg`).
public enum ArgumentsSyntax {
    public struct ParseError: Error, Sendable, Equatable { public var message: String }

    /// The parsed arguments and whether the input was V1.
    public struct Parsed: Sendable, Equatable {
        public var argv: [String]
        public var inputWasV1: Bool
    }

    /// `ArgList::IsV2QuotedString`: the first non-blank character is a double quote.
    ///
    /// Every function here works on Unicode scalars, not `Character`s: HTCondor works on bytes,
    /// and a combining mark after a quote or a blank must not hide it in a grapheme cluster.
    public static func isV2Quoted(_ s: String) -> Bool {
        s.unicodeScalars.first(where: { !isBlank($0) }) == "\""
    }

    static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    /// `AppendArgsV1WackedOrV2Quoted`.
    public static func parse(_ s: String) throws(ParseError) -> Parsed {
        if isV2Quoted(s) {
            return Parsed(argv: try splitV2Raw(try v2QuotedToRaw(s)), inputWasV1: false)
        }
        return Parsed(argv: try splitV1Wacked(s), inputWasV1: true)
    }

    static func splitV1Wacked(_ s: String) throws(ParseError) -> [String] {
        let chars = Array(s.unicodeScalars)
        var raw = String.UnicodeScalarView()
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "\"" {
                raw.append("\"")
                i += 2
                continue
            }
            if c == "\"" {
                throw ParseError(message: "Found illegal unescaped double-quote: \(text(chars[i...]))")
            }
            raw.append(c)
            i += 1
        }
        return raw.split(whereSeparator: isBlank).map { String(String.UnicodeScalarView($0)) }
    }

    static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars))
    }

    /// `V2QuotedToV2Raw`: strips the outer quotes, `""` → `"`.
    static func v2QuotedToRaw(_ s: String) throws(ParseError) -> String {
        let chars = Array(s.unicodeScalars)
        var i = 0
        while i < chars.count, isBlank(chars[i]) { i += 1 }
        guard i < chars.count, chars[i] == "\"" else { return s }
        i += 1
        var out = String.UnicodeScalarView()
        while i < chars.count {
            if chars[i] == "\"" {
                if i + 1 < chars.count, chars[i + 1] == "\"" {
                    out.append("\"")
                    i += 2
                    continue
                }
                let trailing = chars[(i + 1)...]
                if trailing.contains(where: { !isBlank($0) }) {
                    throw ParseError(message: "Unexpected characters following double-quote.  Did you forget to escape the double-quote by repeating it?  Here is the quote and trailing characters: \(text(chars[i...]))\n")
                }
                return String(out)
            }
            out.append(chars[i])
            i += 1
        }
        throw ParseError(message: "Unterminated double-quote.")
    }

    /// `split_args`: whitespace separates, `'...'` quotes, `''` inside quotes is a `'`.
    static func splitV2Raw(_ s: String) throws(ParseError) -> [String] {
        let chars = Array(s.unicodeScalars)
        var args: [String] = []
        var cur = String.UnicodeScalarView()
        var haveArg = false
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if isBlank(c) {
                if haveArg { args.append(String(cur)); cur = String.UnicodeScalarView(); haveArg = false }
                i += 1
            } else if c == "'" {
                haveArg = true
                let start = i
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "'" {
                        if i + 1 < chars.count, chars[i + 1] == "'" { cur.append("'"); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    cur.append(chars[i])
                    i += 1
                }
                if !closed { throw ParseError(message: "Unbalanced quote starting here: \(text(chars[start...]))") }
            } else {
                haveArg = true
                cur.append(c)
                i += 1
            }
        }
        if haveArg { args.append(String(cur)) }
        return args
    }

    /// `ArgList::GetArgsStringV2Raw`: every blank and `'` is quoted, adjacent quoted characters
    /// share one pair of quotes, an empty argument is `''`.
    public static func v2Raw(_ argv: [String]) -> String {
        argv.map(encodeV2).joined(separator: " ")
    }

    static func encodeV2(_ arg: String) -> String {
        if arg.isEmpty { return "''" }
        var out = String.UnicodeScalarView()
        var quoted = false
        for c in arg.unicodeScalars {
            if isBlank(c) || c == "'" {
                if !quoted { out.append("'"); quoted = true }
                out.append(c)
                if c == "'" { out.append("'") }
            } else {
                if quoted { out.append("'"); quoted = false }
                out.append(c)
            }
        }
        if quoted { out.append("'") }
        return String(out)
    }

    /// `ArgList::GetArgsStringV1Raw`: arguments joined with single spaces.
    public static func v1Raw(_ argv: [String]) -> String { argv.joined(separator: " ") }
}
