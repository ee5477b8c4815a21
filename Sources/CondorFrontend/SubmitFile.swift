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
    /// How many `queue` statements were read (an empty one queues no job but still counts).
    private(set) var queueStatements = 0
    /// Include nesting limit, as HTCondor bounds it.
    static let maxIncludeDepth = 10
    /// How long a command of `include : CMD |` or `queue from CMD |` may run, in seconds.
    var commandTimeout = SubmitCommand.defaultTimeout

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

    mutating func readLines(_ lines: [SubmitLine], source: String, depth: Int, macros: inout SubmitMacros,
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
                // The whole queue line is macro-expanded before it is parsed (`parse_q_args`).
                let args: String
                do { args = try macros.expand(rest) } catch { throw SubmitError(.syntax, file: source, line: l.line, error.message) }
                let stmt = try QueueStatement.parse(args, line: l.line, file: source) {
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
                    try include(arg, options: colon.options, line: l.line, source: source, depth: depth, macros: &macros,
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
            let scalars = l.text.unicodeScalars
            guard let eq = scalars.firstIndex(of: "=") else {
                throw SubmitError(.syntax, file: source, line: l.line,
                    "Malformed line: '\(l.text)' is neither a command (name = value) nor a queue statement")
            }
            let name = SubmitLexer.trim(String(scalars[..<eq]))
            let value = SubmitLexer.trim(String(scalars[scalars.index(after: eq)...]))
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

    /// `include [options] : file`, `error : text`, `warning : text`; `options` are the words
    /// between the keyword and the colon.
    static func keywordColon(_ text: String) -> (keyword: String, options: [String], argument: String)? {
        let scalars = text.unicodeScalars
        guard let colon = scalars.firstIndex(of: ":") else { return nil }
        let head = SubmitLexer.trim(String(scalars[..<colon]))
        let words = head.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first, ["include", "error", "warning"].contains(first.lowercased()) else { return nil }
        if let eq = scalars.firstIndex(of: "="), eq < colon { return nil }
        return (String(first), words.dropFirst().map(String.init), SubmitLexer.trim(String(scalars[scalars.index(after: colon)...])))
    }

    private mutating func queue(_ stmt: QueueStatement, source: String, macros: inout SubmitMacros,
                                procs: inout [SubmitProc], state: inout QueueState) throws(SubmitError) {
        queueStatements += 1
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
            let expanded = name
            let data: Data
            let command: SubmitCommand?
            do { command = try SubmitCommand.parse(expanded) } catch {
                throw SubmitError(.syntax, file: source, line: stmt.line, "queue from \(expanded): \(error)")
            }
            if let command {
                data = try run(command, line: stmt.line, source: source)
            } else {
                guard let contents = FileManager.default.contents(atPath: absolute(expanded)) else {
                    throw SubmitError(.io, file: source, line: stmt.line, "Failed to open queue item file \(expanded)")
                }
                data = contents
            }
            rows = QueueStatement.itemLines(try SubmitText.decode(data, file: command.map { $0.text + " |" } ?? expanded))
                .map { QueueStatement.splitRow($0, into: stmt.variables) }
        case .matching(let globs, let kind):
            rows = try matching(globs, kind: kind, stmt: stmt, source: source, macros: macros).map { [stmt.variables[0]: $0] }
        }

        let selected: [(Int, [String: String]?)] = stmt.slice.map { $0.apply(rows) } ?? Array(rows.enumerated())

        // A new executable after an earlier queue starts a new cluster (htcondor-jdl.rst).
        let exe = try? macros.param("executable")
        if let last = state.lastExecutable, let exe, exe != last, state.nextProc > 0 {
            state.cluster += 1
            state.nextProc = 0
        }
        if let exe { state.lastExecutable = exe }

        var current: [String: String] = [:]
        for (row, values) in selected {
            current.merge(values ?? [:]) { $1 }
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
                for (k, v) in current { m.live[k.lowercased()] = v }
                procs.append(SubmitProc(cluster: state.cluster, proc: proc, macros: m, queueLine: stmt.line))
                state.nextProc += 1
            }
        }
    }
}
