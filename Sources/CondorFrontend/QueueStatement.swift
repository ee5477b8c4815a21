import Foundation

/// A `queue` statement (`SubmitHash::parse_q_args` in `src/condor_utils/submit_utils.cpp`):
///
/// ```
/// queue [<count>]
/// queue [<count>] [<var>] in [<slice>] <items>
/// queue [<count>] [<var>] matching [files|dirs] [<slice>] <globs>
/// queue [<count>] [<vars>] from [<slice>] <file> | ( <lines> )
/// ```
struct QueueStatement: Sendable, Equatable {
    enum Source: Sendable, Equatable {
        case none
        case inList([String])
        case fromLines([String])
        case fromFile(String)
        case matching(globs: [String], kind: MatchKind)
    }

    /// `matching` alone follows `submit_match_directories`; `any`, `files` and `dirs` override it.
    enum MatchKind: Sendable, Equatable { case unqualified, any, files, dirs }

    /// The count expression, macros not yet expanded (`queue $(N)`).
    var countText: String
    var variables: [String]
    var slice: Slice?
    var source: Source
    var line: Int

    struct Slice: Sendable, Equatable {
        var start: Int?, stop: Int?, step: Int?

        /// Python slice semantics, no negative step (`[1:3]`, `[::2]`, `[-2:]`).
        func apply<T>(_ items: [T]) -> [(Int, T)] {
            let n = items.count
            func norm(_ v: Int?, _ dflt: Int) -> Int {
                guard let v else { return dflt }
                return v < 0 ? max(0, n + v) : min(v, n)
            }
            let s = norm(start, 0), e = norm(stop, n), st = max(1, step ?? 1)
            guard s < e else { return [] }
            return stride(from: s, to: e, by: st).map { ($0, items[$0]) }
        }
    }

    /// Parses the text after the `queue` keyword. `continuation` supplies the lines that follow
    /// when the item list opens with `(` at the end of the line.
    static func parse(_ args: String, line: Int, file: String,
                      continuation: () -> (text: String, line: Int)?) throws(SubmitError) -> QueueStatement {
        let words = tokenize(args)
        let keywordIndex = words.firstIndex { ["in", "from", "matching"].contains($0.text.lowercased()) }
        guard let ki = keywordIndex else {
            return QueueStatement(countText: SubmitLexer.trim(args), variables: [], slice: nil, source: .none, line: line)
        }
        let keyword = words[ki].text.lowercased()
        // Before the keyword: an optional count expression, then variable names.
        let head = String(args[..<words[ki].range.lowerBound])
        var (countText, vars) = splitCountAndVariables(head)
        if vars.isEmpty { vars = ["Item"] }
        var rest = SubmitLexer.trim(String(args[words[ki].range.upperBound...]))

        var kind = MatchKind.unqualified
        if keyword == "matching" {
            let lower = rest.lowercased()
            for (word, k) in [("files", MatchKind.files), ("dirs", MatchKind.dirs), ("any", MatchKind.any)] where lower.hasPrefix(word) {
                let after = rest.index(rest.startIndex, offsetBy: word.count)
                if after == rest.endIndex || rest[after] == " " || rest[after] == "\t" {
                    kind = k
                    rest = SubmitLexer.trim(String(rest[after...]))
                }
            }
        }
        var slice: Slice?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), let s = parseSlice(String(rest[rest.index(after: rest.startIndex)..<close])) else {
                throw SubmitError(.syntax, file: file, line: line, "Invalid [::] statement")
            }
            slice = s
            rest = SubmitLexer.trim(String(rest[rest.index(after: close)...]))
        }

        // Item lists in parentheses, on one line or up to a line starting with `)`.
        var listedLines: [String]?
        // As `parse_queue_args` does it, on Unicode scalars (a combining mark after `(` must not
        // hide it): a list that ends the line with `)` is a one-line list; a list that opens with
        // `(` otherwise (or whose content opens with another `(`) goes on up to a line starting
        // with `)`, and what follows the `(` on the queue line is its first line.
        var plist = Substring(rest).unicodeScalars
        var oneLine = false
        if plist.first == "(", plist.count >= 2, plist.last == ")" {
            plist = plist.dropFirst().dropLast()
            oneLine = true
        }
        if plist.first == "(" {
            plist = plist.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
            var collected: [String] = plist.isEmpty ? [] : [String(plist)]
            var closed = false
            while let next = continuation() {
                let t = SubmitLexer.trim(next.text)
                if t.unicodeScalars.first == ")" { closed = true; break }
                if t.unicodeScalars.first == "#" || t.isEmpty { continue }
                collected.append(t)
            }
            if !closed {
                throw SubmitError(.syntax, file: file, line: line,
                    "Reached end of file without finding closing brace ')' for Queue command on line \(line)")
            }
            listedLines = collected
        } else if oneLine {
            listedLines = [String(plist)]
        }

        let source: Source
        switch keyword {
        case "in":
            if vars.count > 1 { throw SubmitError(.syntax, file: file, line: line, "Queue keyword conflict") }
            let text = listedLines?.joined(separator: "\n") ?? rest
            source = .inList(splitItems(text))
        case "from":
            if let listedLines {
                source = .fromLines(listedLines)
            } else {
                if rest.isEmpty { throw SubmitError(.syntax, file: file, line: line, "Queue from requires a file name or an item list") }
                if rest.lowercased().hasPrefix("table ") {
                    throw SubmitError(.unsupported, file: file, line: line, "queue from TABLE is not supported")
                }
                source = .fromFile(rest)
            }
        default:
            let text = listedLines?.joined(separator: " ") ?? rest
            source = .matching(globs: splitItems(text), kind: kind)
        }
        return QueueStatement(countText: countText, variables: vars, slice: slice, source: source, line: line)
    }

    /// The lines of a `queue from` file or command: every line, blank or starting with `#`
    /// included (`load_external_q_foreach_items` keeps them), trimmed, `\r\n` or `\n` ended.
    static func itemLines(_ text: String) -> [String] {
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { SubmitLexer.trim(String(String.UnicodeScalarView($0))) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Items of an `in` list or `matching` globs: separated by commas and/or whitespace.
    static func splitItems(_ text: String) -> [String] {
        text.unicodeScalars.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" })
            .map { String(String.UnicodeScalarView($0)) }
    }

    /// One `from` line into the loop variables: the last variable takes the rest of the line,
    /// a variable without a field is empty. A blank line sets none, so its job keeps the values
    /// of the line before (`SubmitStepFromQArgs::load_rowdata`, src/condor_utils/submit_utils.h).
    static func splitRow(_ line: String, into vars: [String]) -> [String: String] {
        var out: [String: String] = [:]
        guard !SubmitLexer.trim(line).isEmpty else { return out }
        var rest = Substring(line).unicodeScalars
        func separator(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "," }
        for (i, v) in vars.enumerated() {
            rest = rest.drop(while: separator)
            if i == vars.count - 1 {
                out[v] = SubmitLexer.trim(String(rest))
            } else {
                let end = rest.firstIndex(where: separator) ?? rest.endIndex
                out[v] = String(rest[..<end])
                rest = rest[end...]
            }
        }
        return out
    }

    private struct Word { var text: String; var range: Range<String.Index> }

    private static func tokenize(_ s: String) -> [Word] {
        var words: [Word] = []
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == " " || s[i] == "\t" { i = s.index(after: i); continue }
            // An item list or slice ends the scan for keywords.
            if s[i] == "(" || s[i] == "[" { break }
            let start = i
            while i < s.endIndex, s[i] != " ", s[i] != "\t" { i = s.index(after: i) }
            words.append(Word(text: String(s[start..<i]), range: start..<i))
        }
        return words
    }

    /// `2 a, b` → ("2", ["a", "b"]): trailing identifiers are variables, the rest is the count.
    private static func splitCountAndVariables(_ head: String) -> (String, [String]) {
        let parts = head.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        var vars: [String] = []
        var idx = parts.count
        while idx > 0, isIdentifier(parts[idx - 1]), !(parts[idx - 1].hasPrefix("$")) {
            vars.insert(parts[idx - 1], at: 0)
            idx -= 1
        }
        // A single leading identifier before the variables can only be a count macro like `N`;
        // HTCondor treats all trailing identifiers as variables, so do the same.
        let count = parts[..<idx].joined(separator: " ")
        return (count, vars)
    }

    private static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.first, f.isLetter || f == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
    }

    private static func parseSlice(_ s: String) -> Slice? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false).map { SubmitLexer.trim(String($0)) }
        guard (1...3).contains(parts.count) else { return nil }
        var vals: [Int?] = []
        for p in parts {
            if p.isEmpty { vals.append(nil) } else if let v = Int(p) { vals.append(v) } else { return nil }
        }
        while vals.count < 3 { vals.append(nil) }
        if parts.count == 1 {
            // `[i]` selects one item.
            guard let i = vals[0] else { return nil }
            return Slice(start: i, stop: i == -1 ? nil : i + 1, step: nil)
        }
        if let st = vals[2], st <= 0 { return nil }
        return Slice(start: vals[0], stop: vals[1], step: vals[2])
    }
}
