/// One logical line of a submit description: physical lines joined at `\` continuations.
struct SubmitLine: Sendable, Equatable {
    var text: String
    /// 1-based number of the first physical line.
    var line: Int
    /// For `name @=tag` ... `@tag`: the raw lines between, joined with newlines.
    var multiLineValue: String?
}

/// Splits submit text into logical lines exactly as HTCondor's config reader does
/// (`getline_implementation` in `src/condor_utils/config.cpp`):
///
/// * every physical line is trimmed of leading and trailing whitespace first;
/// * a line starting with `#` is a comment, a blank line is skipped;
/// * a trailing `\` joins the next line (the `\` is dropped, no space is added);
/// * quirk kept on purpose: a comment line inside a continuation is replaced by its last
///   character, so `a \` + `#comment` reads `a t`, and `a \` + `# c \` + `b` reads `a b`.
struct SubmitLexer {
    static func lines(_ text: String) -> [SubmitLine] {
        // "\r\n" is one Character in Swift, so split on both line ends explicitly.
        let physical = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        var out: [SubmitLine] = []
        var i = 0
        while i < physical.count {
            var line = trim(physical[i])
            let start = i + 1
            i += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            // Multi-line values: `name @=tag` up to a line `@tag` (config.cpp, since 8.5.6).
            if let tag = multiLineTag(line) {
                var body: [String] = []
                var closed = false
                while i < physical.count {
                    let raw = physical[i]
                    i += 1
                    if trim(raw) == "@" + tag.tag { closed = true; break }
                    body.append(raw)
                }
                var l = SubmitLine(text: tag.name + " =", line: start, multiLineValue: body.joined(separator: "\n"))
                if !closed { l.multiLineValue = nil; l.text = line }
                out.append(l)
                continue
            }
            while line.hasSuffix("\\") {
                line.removeLast()
                guard i < physical.count else { break }
                let next = trim(physical[i])
                i += 1
                if next.hasPrefix("#") {
                    line += next.isEmpty ? "" : String(next.last!)
                } else if next.isEmpty {
                    break
                } else {
                    line += next
                }
            }
            out.append(SubmitLine(text: line, line: start))
        }
        return out
    }

    /// Trims blanks (` \t\r\v\f`) on Unicode scalars, as HTCondor trims bytes: a combining
    /// mark after a blank does not make the blank part of a word.
    static func trim(_ s: String) -> String {
        func blank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" }
        var sub = Substring(s).unicodeScalars
        while let f = sub.first, blank(f) { sub.removeFirst() }
        while let l = sub.last, blank(l) { sub.removeLast() }
        return String(sub)
    }

    private static func multiLineTag(_ line: String) -> (name: String, tag: String)? {
        guard let r = line.range(of: "@=") else { return nil }
        let name = trim(String(line[..<r.lowerBound]))
        let tag = trim(String(line[r.upperBound...]))
        guard !name.isEmpty, !name.contains(" "), !tag.isEmpty, !tag.contains(" ") else { return nil }
        return (name, tag)
    }
}
