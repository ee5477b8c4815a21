import Foundation

/// One job (one proc) described by a submit file: the macro table as it stood at its `queue`
/// statement, with the live variables (`Process`, `Item`, `Step` ...) filled in.
struct SubmitProc: Sendable {
    var cluster: Int
    var proc: Int
    var macros: SubmitMacros
    var queueLine: Int
}

/// Reads a submit description into its procs: statements in order, conditionals, includes,
/// macros, and every form of `queue` (several `queue` statements are allowed; commands between
/// them change the later jobs only).
struct SubmitFileReader {
    var file: String
    var cwd: String
    var environment: [String: String]
    var firstCluster: Int
    var warnings: [SubmitWarning] = []
    /// Include nesting limit, as HTCondor bounds it.
    static let maxIncludeDepth = 10

    init(file: String, cwd: String, environment: [String: String], cluster: Int) {
        self.file = file
        self.cwd = cwd
        self.environment = environment
        self.firstCluster = cluster
    }

    mutating func read(text: String) throws(SubmitError) -> [SubmitProc] {
        var macros = SubmitMacros(environment: environment, cwd: cwd, submitFile: file)
        var procs: [SubmitProc] = []
        var state = QueueState(cluster: firstCluster)
        var conditionals = SubmitConditionals()
        try readLines(SubmitLexer.lines(text), source: file, depth: 0, macros: &macros,
                      conditionals: &conditionals, procs: &procs, state: &state)
        if let open = conditionals.openLine {
            throw SubmitError(.syntax, file: file, line: open, "endif(s) not found before end-of-file")
        }
        return procs
    }

    struct QueueState {
        var cluster: Int
        var nextProc = 0
        var lastExecutable: String?
    }

    private mutating func readLines(_ lines: [SubmitLine], source: String, depth: Int, macros: inout SubmitMacros,
                                    conditionals: inout SubmitConditionals, procs: inout [SubmitProc],
                                    state: inout QueueState) throws(SubmitError) {
        var index = 0
        while index < lines.count {
            let l = lines[index]
            index += 1
            if try conditionals.handle(l.text, line: l.line, file: source, macros: macros) { continue }
            guard conditionals.active else { continue }
            if let value = l.multiLineValue {
                let name = SubmitLexer.trim(String(l.text.dropLast()))
                macros.define(Self.canonicalName(name), value)
                continue
            }
            let (word, rest) = SubmitConditionals.firstWord(l.text)
            let lowerWord = word.lowercased()
            if lowerWord == "queue" && !rest.hasPrefix("=") {
                var cursor = index
                let stmt = try QueueStatement.parse(rest, line: l.line, file: source) {
                    guard cursor < lines.count else { return nil }
                    defer { cursor += 1 }
                    return (lines[cursor].text, lines[cursor].line)
                }
                index = cursor
                try queue(stmt, source: source, macros: &macros, procs: &procs, state: &state)
                continue
            }
            if let colon = Self.keywordColon(l.text) {
                let keyword = colon.keyword.lowercased()
                let arg = colon.argument
                switch keyword {
                case "include":
                    try include(arg, line: l.line, source: source, depth: depth, macros: &macros,
                                conditionals: &conditionals, procs: &procs, state: &state)
                    continue
                case "error":
                    throw SubmitError(.invalidValue, file: source, line: l.line, (try? macros.expand(arg)) ?? arg)
                case "warning":
                    warnings.append(SubmitWarning(file: source, line: l.line, message: (try? macros.expand(arg)) ?? arg))
                    continue
                default: break
                }
            }
            guard let eq = l.text.firstIndex(of: "=") else {
                throw SubmitError(.syntax, file: source, line: l.line,
                    "Malformed line: '\(l.text)' is neither a command (name = value) nor a queue statement")
            }
            let name = SubmitLexer.trim(String(l.text[..<eq]))
            let value = SubmitLexer.trim(String(l.text[l.text.index(after: eq)...]))
            guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else {
                throw SubmitError(.syntax, file: source, line: l.line,
                    "Malformed line: '\(l.text)' is neither a command (name = value) nor a queue statement")
            }
            macros.define(Self.canonicalName(name), value)
        }
    }

    /// `+Attr` is stored as `MY.Attr`, as HTCondor does on read.
    static func canonicalName(_ name: String) -> String {
        name.hasPrefix("+") ? "MY." + name.dropFirst() : name
    }

    /// `include : file`, `error : text`, `warning : text`.
    static func keywordColon(_ text: String) -> (keyword: String, argument: String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let head = SubmitLexer.trim(String(text[..<colon]))
        let words = head.split(separator: " ")
        guard let first = words.first, ["include", "error", "warning"].contains(first.lowercased()) else { return nil }
        if let eq = text.firstIndex(of: "="), eq < colon { return nil }
        return (String(first), SubmitLexer.trim(String(text[text.index(after: colon)...])))
    }

    private mutating func include(_ arg: String, line: Int, source: String, depth: Int, macros: inout SubmitMacros,
                                  conditionals: inout SubmitConditionals, procs: inout [SubmitProc],
                                  state: inout QueueState) throws(SubmitError) {
        let target: String
        do { target = try macros.expand(arg) } catch { throw SubmitError(.syntax, file: source, line: line, error.message) }
        if target.hasSuffix("|") {
            throw SubmitError(.unsupported, file: source, line: line,
                "include of a command's output (\(target)) is not supported: include a file instead")
        }
        guard depth < Self.maxIncludeDepth else {
            throw SubmitError(.syntax, file: source, line: line, "includes nested more than \(Self.maxIncludeDepth) deep")
        }
        let path = target.hasPrefix("/") ? target : cwd + "/" + target
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SubmitError(.io, file: source, line: line, "Failed to open include file \(target)")
        }
        let text = try SubmitText.decode(data, file: target)
        try readLines(SubmitLexer.lines(text), source: target, depth: depth + 1, macros: &macros,
                      conditionals: &conditionals, procs: &procs, state: &state)
    }

    private mutating func queue(_ stmt: QueueStatement, source: String, macros: inout SubmitMacros,
                                procs: inout [SubmitProc], state: inout QueueState) throws(SubmitError) {
        // The count may be a macro or an expression (`queue $(N)`, `queue 1+1`).
        var count = 1
        let countText: String
        do { countText = SubmitLexer.trim(try macros.expand(stmt.countText)) } catch {
            throw SubmitError(.syntax, file: source, line: stmt.line, error.message)
        }
        if !countText.isEmpty {
            guard let expr = try? ClassAdParser.parseSubmitExpression(countText),
                  case .int(let n) = ClassAd().evaluate(expression: expr) else {
                throw SubmitError(.syntax, file: source, line: stmt.line, "Invalid Queue count expression")
            }
            guard n >= 0, n < 100_000_000 else {
                throw SubmitError(.syntax, file: source, line: stmt.line, "Queue count out of range")
            }
            count = Int(n)
        }

        var rows: [[String: String]?]
        switch stmt.source {
        case .none: rows = [nil]
        case .inList(let items): rows = items.map { [stmt.variables[0]: $0] }
        case .fromLines(let lines): rows = lines.map { QueueStatement.splitRow($0, into: stmt.variables) }
        case .fromFile(let name):
            let expanded = (try? macros.expand(name)) ?? name
            let path = expanded.hasPrefix("/") ? expanded : cwd + "/" + expanded
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SubmitError(.io, file: source, line: stmt.line, "Failed to open queue item file \(expanded)")
            }
            rows = try SubmitText.decode(data, file: expanded).split(separator: "\n").compactMap { raw in
                let t = SubmitLexer.trim(String(raw))
                return t.isEmpty || t.hasPrefix("#") ? nil : QueueStatement.splitRow(t, into: stmt.variables)
            }
        case .matching(let globs, let kind):
            rows = SubmitGlob.match(globs, in: cwd, kind: kind).map { [stmt.variables[0]: $0] }
        }

        let selected: [(Int, [String: String]?)] = stmt.slice.map { $0.apply(rows) } ?? Array(rows.enumerated())

        // A new executable after an earlier queue starts a new cluster (htcondor-jdl.rst).
        let exe = try? macros.param("executable")
        if let last = state.lastExecutable, let exe, exe != last, state.nextProc > 0 {
            state.cluster += 1
            state.nextProc = 0
        }
        if let exe { state.lastExecutable = exe }

        for (row, values) in selected {
            for step in 0..<count {
                var m = macros
                let proc = state.nextProc
                m.live["cluster"] = String(state.cluster)
                m.live["clusterid"] = String(state.cluster)
                m.live["process"] = String(proc)
                m.live["procid"] = String(proc)
                m.live["step"] = String(step)
                m.live["row"] = String(row)
                m.live["itemindex"] = String(row)
                for (k, v) in values ?? [:] { m.live[k.lowercased()] = v }
                procs.append(SubmitProc(cluster: state.cluster, proc: proc, macros: m, queueLine: stmt.line))
                state.nextProc += 1
            }
        }
    }
}

/// `queue ... matching`: file-name globs in the submit directory.
enum SubmitGlob {
    static func match(_ globs: [String], in dir: String, kind: QueueStatement.MatchKind) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        var out: [String] = []
        for g in globs {
            for n in names where !out.contains(n) && fnmatch(g, n) {
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: dir + "/" + n, isDirectory: &isDir)
                switch kind {
                case .files where isDir.boolValue: continue
                case .dirs where !isDir.boolValue: continue
                default: out.append(n)
                }
            }
        }
        return out
    }

    /// `*`, `?` and `[...]` globbing, without touching the file system.
    static func fnmatch(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern), s = Array(name)
        func m(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == s.count }
            switch p[i] {
            case "*":
                var k = j
                while true {
                    if m(i + 1, k) { return true }
                    if k == s.count { return false }
                    k += 1
                }
            case "?": return j < s.count && m(i + 1, j + 1)
            case "[":
                guard j < s.count, let close = p[(i + 1)...].firstIndex(of: "]") else { return j < s.count && p[i] == s[j] && m(i + 1, j + 1) }
                let set = p[(i + 1)..<close]
                var hit = false
                var k = set.startIndex
                while k < set.endIndex {
                    if k + 2 < set.endIndex, set[k + 1] == "-" {
                        if s[j] >= set[k] && s[j] <= set[k + 2] { hit = true }
                        k += 3
                    } else {
                        if s[j] == set[k] { hit = true }
                        k += 1
                    }
                }
                return hit && m(close + 1, j + 1)
            default: return j < s.count && p[i] == s[j] && m(i + 1, j + 1)
            }
        }
        return m(0, 0)
    }
}
