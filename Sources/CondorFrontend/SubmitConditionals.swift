/// `if` / `elif` / `else` / `endif` in submit files (`Parse_config` conditionals in
/// `src/condor_utils/config.cpp`, documented in submitting-a-job.rst "Using Conditionals").
///
/// Conditions are evaluated when the line is read, with the macros defined so far:
/// `defined NAME`, `version <op> x.y.z`, `true`/`yes`/`1`, `false`/`no`/`0`, or a macro that
/// expands to one of those. Anything else is refused with HTCondor's wording, "... is not a
/// valid if condition because complex conditionals are not supported".
struct SubmitConditionals {
    private struct Frame { var active: Bool; var taken: Bool; var sawElse: Bool; var line: Int }
    private var stack: [Frame] = []

    /// The version whose `if version` tests we answer: the HTCondor release we emulate.
    static let emulatedVersion = [24, 12, 24]

    /// Whether lines are currently being read (all enclosing branches are taken).
    var active: Bool { stack.allSatisfy(\.active) }
    var openLine: Int? { stack.last?.line }

    /// Handles a conditional line; returns false when the line is not a conditional.
    mutating func handle(_ text: String, line: Int, file: String, macros: SubmitMacros) throws(SubmitError) -> Bool {
        let (word, rest) = Self.firstWord(text)
        switch word.lowercased() {
        case "if":
            let outer = active
            let value = outer ? try Self.evaluate(rest, line: line, file: file, macros: macros) : false
            stack.append(Frame(active: value, taken: value, sawElse: false, line: line))
        case "elif":
            guard var top = stack.popLast(), !top.sawElse else {
                throw SubmitError(.syntax, file: file, line: line, "elif without matching if")
            }
            let outer = active
            if top.taken || !outer {
                top.active = false
            } else {
                top.active = try Self.evaluate(rest, line: line, file: file, macros: macros)
                top.taken = top.active
            }
            stack.append(top)
        case "else":
            guard var top = stack.popLast(), !top.sawElse else {
                throw SubmitError(.syntax, file: file, line: line, "else without matching if")
            }
            top.active = !top.taken
            top.taken = true
            top.sawElse = true
            stack.append(top)
        case "endif":
            guard stack.popLast() != nil else {
                throw SubmitError(.syntax, file: file, line: line, "endif without matching if")
            }
        default:
            return false
        }
        return true
    }

    static func firstWord(_ text: String) -> (String, String) {
        let scalars = text.unicodeScalars
        guard let sp = scalars.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (text, "") }
        return (String(scalars[..<sp]), SubmitLexer.trim(String(scalars[sp...])))
    }

    static func evaluate(_ condition: String, line: Int, file: String, macros: SubmitMacros) throws(SubmitError) -> Bool {
        let expanded: String
        do { expanded = SubmitLexer.trim(try macros.expand(condition)) } catch {
            throw SubmitError(.syntax, file: file, line: line, error.message)
        }
        if expanded.hasPrefix("!") {
            return !(try evaluate(String(expanded.dropFirst()), line: line, file: file, macros: macros))
        }
        let (word, rest) = firstWord(expanded)
        switch word.lowercased() {
        case "defined":
            return !rest.isEmpty && macros.isDefined(rest)
        case "version":
            return try compareVersion(rest, line: line, file: file)
        default: break
        }
        if rest.isEmpty {
            switch expanded.lowercased() {
            case "true", "yes": return true
            case "false", "no", "": return false
            default:
                if let n = Int(expanded) { return n != 0 }
                if let d = Double(expanded) { return d != 0 }
            }
        }
        throw SubmitError(.syntax, file: file, line: line,
            "\(expanded) is not a valid if condition because complex conditionals are not supported")
    }

    private static func compareVersion(_ text: String, line: Int, file: String) throws(SubmitError) -> Bool {
        var t = Substring(text)
        var op = ""
        while let c = t.first, "<>=!".contains(c) { op.append(c); t.removeFirst() }
        let parts = SubmitLexer.trim(String(t)).split(separator: ".").map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
            throw SubmitError(.syntax, file: file, line: line, "version \(text) is not a valid if condition")
        }
        var want = parts.map { $0! }
        while want.count < 3 { want.append(0) }
        let have = emulatedVersion
        let order = have.lexicographicallyPrecedes(want) ? -1 : (have == Array(want.prefix(3)) ? 0 : 1)
        switch op {
        case ">=", "": return order >= 0
        case ">": return order > 0
        case "<=": return order <= 0
        case "<": return order < 0
        case "==", "=": return order == 0
        case "!=": return order != 0
        default:
            throw SubmitError(.syntax, file: file, line: line, "version \(text) is not a valid if condition")
        }
    }
}
