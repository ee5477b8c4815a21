import Foundation

/// The submit file's macro table and `$(...)` expansion (`expand_macro` in
/// `src/condor_utils/config.cpp`, function macros from `submitting-a-job.rst`).
///
/// Names are case-insensitive. Lookup order: live queue variables (`Process`, `Item`, loop
/// variables ...), then the file's own definitions, then built-in defaults (`ARCH`, `OPSYS`,
/// `IsLinux` ...). An undefined macro expands to the empty string; `$(name:default)` supplies a
/// default; `$$(...)` is left for match time; `$(DOLLAR)` is a literal `$`.
struct SubmitMacros: Sendable {
    /// name (lowercased) → (spelling, raw value)
    private(set) var definitions: [String: (name: String, value: String)] = [:]
    private(set) var order: [String] = []
    var live: [String: String] = [:]
    var defaults: [String: String]
    var environment: [String: String]
    /// Directory that relative paths in `$F()` are taken from.
    var cwd: String

    /// The submit host's identity as HTCondor 24 reports it offline on Linux x86_64.
    static let platformDefaults: [String: String] = [
        "arch": "X86_64", "opsys": "LINUX", "islinux": "1", "iswindows": "0",
        "opsysandver": "", "opsysmajorver": "", "opsysver": "", "spool": "",
        "cluster": "1", "clusterid": "1", "process": "0", "procid": "0", "node": "",
        "step": "0", "row": "0", "itemindex": "0", "jobid": "$(ClusterId).$(ProcId)",
        "request_cpus": "$(RequestCPUs)", "request_memory": "$(RequestMemory)",
        "vm_memory": "$(Request_Memory)", "vm_vcpus": "$(Request_CPUs)",
    ]

    init(environment: [String: String], cwd: String, submitFile: String) {
        self.environment = environment
        self.cwd = cwd
        var d = Self.platformDefaults
        d["submit_file"] = submitFile
        let now = Date()
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .current
        let c = cal.dateComponents([.year, .month, .day], from: now)
        d["year"] = String(format: "%04d", c.year ?? 1970)
        d["month"] = String(format: "%02d", c.month ?? 1)
        d["day"] = String(format: "%02d", c.day ?? 1)
        d["submit_time"] = String(Int(now.timeIntervalSince1970))
        defaults = d
    }

    /// Defines `name`; a reference to `name` itself in `value` is replaced by its previous value
    /// at once, so `foo = snap $(foo)` builds on the old value instead of recursing forever.
    mutating func define(_ name: String, _ value: String) {
        let key = name.lowercased()
        var v = value
        if v.range(of: "$(", options: .literal) != nil {
            let old = rawValue(key) ?? ""
            v = Self.replaceSelfReference(v, name: key, with: old)
        }
        if definitions[key] == nil { order.append(key) }
        definitions[key] = (name, v)
    }

    func isDefined(_ name: String) -> Bool {
        let k = name.lowercased()
        return live[k] != nil || definitions[k] != nil || defaults[k] != nil
    }

    func rawValue(_ name: String) -> String? {
        let k = name.lowercased()
        return live[k] ?? definitions[k]?.value ?? defaults[k]
    }

    /// The file's own definitions in the order they were first made, with their spelling.
    var fileDefinitions: [(name: String, value: String)] {
        order.compactMap { definitions[$0] }
    }

    /// Looks a submit command up (with an alternate name) and expands it; an empty result is
    /// "not set", as in `SubmitHash::submit_param`.
    func param(_ names: String...) throws(MacroError) -> String? {
        for n in names {
            let k = n.lowercased()
            guard let raw = definitions[k]?.value ?? live[k] else { continue }
            let v = try expand(raw)
            return v.isEmpty ? nil : v
        }
        return nil
    }

    struct MacroError: Error { var message: String }

    /// Expands every `$(...)` and function macro until none is left.
    func expand(_ text: String) throws(MacroError) -> String {
        var s = text
        var rounds = 0
        while true {
            rounds += 1
            if rounds > 200 { throw MacroError(message: "Macro expansion is too deep (circular reference?) in: \(text)") }
            guard let (range, replacement) = try nextMacro(in: s) else { break }
            s.unicodeScalars.replaceSubrange(range, with: replacement.unicodeScalars)
            if s.utf8.count > 1_000_000 { throw MacroError(message: "Macro expansion is too large in: \(text)") }
        }
        return Self.replaceDollar(s)
    }

    /// `$(DOLLAR)` is skipped while expanding and becomes `$` only at the end, so that no other
    /// macro can read it as the start of a reference (`expand_macro`, config.cpp). Any byte may
    /// occur in a value, so there is no placeholder character to use instead.
    static func replaceDollar(_ text: String) -> String {
        guard text.contains("$") else { return text }
        // On bytes, so that no grapheme cluster hides a `)`; after a replacement the scan goes
        // on at the `$` it left, as upstream's does.
        let pattern = Array("$(DOLLAR)".utf8)
        var bytes = Array(text.utf8)
        var i = 0
        while i + pattern.count <= bytes.count {
            // `$$(...)` is for match time and is left alone, `$$(DOLLAR)` included.
            if bytes[i] == UInt8(ascii: "$"), bytes[i + 1] == UInt8(ascii: "$") {
                i += 2
                continue
            }
            var hit = true
            for k in 0..<pattern.count {
                let b = bytes[i + k]
                let lower = (b >= 0x41 && b <= 0x5A) ? b + 0x20 : b
                let want = (pattern[k] >= 0x41 && pattern[k] <= 0x5A) ? pattern[k] + 0x20 : pattern[k]
                if lower != want { hit = false; break }
            }
            if hit {
                bytes.replaceSubrange(i..<(i + pattern.count), with: [UInt8(ascii: "$")])
            } else {
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Finds the first expandable reference and what it expands to. `$$(...)` spans are skipped.
    /// Scans Unicode scalars, not `Character`s, as HTCondor scans bytes: a combining mark after
    /// `)` must not hide the end of a reference.
    private func nextMacro(in text: String) throws(MacroError) -> (Range<String.Index>, String)? {
        let s = text.unicodeScalars
        var i = s.startIndex
        while let d = s[i...].firstIndex(of: "$") {
            let afterDollar = s.index(after: d)
            guard afterDollar < s.endIndex else { return nil }
            if s[afterDollar] == "$" {
                // `$$(...)` is for match time: the `$$` is left alone, but the scan goes on
                // right after it, so a `$(x)` inside is still expanded now (next_config_macro).
                i = s.index(after: afterDollar)
                continue
            }
            // `$NAME(` function macros and plain `$(`.
            var j = afterDollar
            while j < s.endIndex, Self.isASCIILetter(s[j]) || s[j] == "_" { j = s.index(after: j) }
            guard j < s.endIndex, s[j] == "(", let close = matchingParen(s, from: j) else {
                i = afterDollar
                continue
            }
            let fname = String(s[afterDollar..<j])
            let body = String(s[s.index(after: j)..<close])
            if fname.isEmpty, body.lowercased() == "dollar" {
                i = s.index(after: close)
                continue
            }
            if let value = try evaluate(function: fname, body: body) {
                return (d..<s.index(after: close), value)
            }
            i = afterDollar
        }
        return nil
    }

    private static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    private func matchingParen(_ s: String.UnicodeScalarView, from open: String.Index) -> String.Index? {
        var depth = 0
        var k = open
        while k < s.endIndex {
            if s[k] == "(" { depth += 1 } else if s[k] == ")" {
                depth -= 1
                if depth == 0 { return k }
            }
            k = s.index(after: k)
        }
        return nil
    }

    /// Whether `$(body)` is a reference at all (`next_config_macro`, config.cpp): the name is
    /// made of `[A-Za-z0-9_./]`; after the first `:`, the default may also hold `$ ,\\:` and
    /// `(...)`. Anything else (a quote, a non-ASCII byte ...) leaves the text as it is.
    static func isMacroBody(_ body: String) -> Bool {
        let scalars = Array(body.unicodeScalars)
        var afterColon = false
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            i += 1
            if c == ":" && !afterColon { afterColon = true; continue }
            if afterColon {
                if c == "(" {
                    while i < scalars.count, scalars[i] != ")" { i += 1 }
                    i += 1
                    continue
                }
                if c == "$" || c == " " || c == "," || c == "\\" || c == ":" { continue }
            }
            let idChar = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "." || c == "/"
            if !idChar { return false }
        }
        return true
    }

    /// `nil` when the text is not a macro reference at all (left as is, like `$(+Foo)`).
    private func evaluate(function f: String, body: String) throws(MacroError) -> String? {
        switch f {
        case "":
            let (name, dflt) = split(body)
            guard Self.isMacroBody(body) else { return nil }
            if let v = rawValue(name) { return v }
            return dflt ?? ""
        case "ENV":
            let (name, dflt) = split(body)
            guard Self.isMacroBody(body) else { return nil }
            return environment[name] ?? dflt ?? ""
        case "INT", "REAL":
            let parts = body.split(separator: ",", maxSplits: 1).map { String($0) }
            let src = try expand(rawValue(SubmitLexer.trim(parts[0])) ?? SubmitLexer.trim(parts[0]))
            guard let expr = try? ClassAdParser.parseSubmitExpression(src) else {
                throw MacroError(message: "$\(f)() macro: \(src) does not evaluate to a number")
            }
            let v = ClassAd().evaluate(expression: expr)
            let fmt = parts.count > 1 ? SubmitLexer.trim(parts[1]) : nil
            if f == "INT" {
                let i: Int64
                switch v {
                case .int(let x): i = x
                case .real(let r) where r.isFinite: i = Int64(r)
                case .bool(let b): i = b ? 1 : 0
                default: throw MacroError(message: "$INT() macro: \(src) does not evaluate to an integer")
                }
                return String(format: fmt ?? "%lld", i)
            }
            guard let r = v.number ?? (v == .bool(true) ? 1 : (v == .bool(false) ? 0 : nil)) else {
                throw MacroError(message: "$REAL() macro: \(src) does not evaluate to a number")
            }
            return String(format: fmt ?? "%g", r)
        case "SUBSTR":
            let parts = body.split(separator: ",", omittingEmptySubsequences: false).map { SubmitLexer.trim(String($0)) }
            guard parts.count >= 2, let start = Int(parts[1]) else {
                throw MacroError(message: "$SUBSTR() macro: bad arguments \(body)")
            }
            let value = Array(try expand(rawValue(parts[0]) ?? ""))
            var s = start < 0 ? max(0, value.count + start) : min(start, value.count)
            var e = value.count
            if parts.count > 2, let len = Int(parts[2]) {
                e = len < 0 ? max(s, value.count + len) : min(value.count, s + len)
            }
            s = min(s, e)
            return String(value[s..<e])
        case "CHOICE":
            let parts = body.split(separator: ",", omittingEmptySubsequences: false).map { SubmitLexer.trim(String($0)) }
            guard let first = parts.first else { throw MacroError(message: "$CHOICE() macro: no index") }
            let idxText = try expand(rawValue(first) ?? first)
            guard let idx = Int(SubmitLexer.trim(idxText)) else {
                throw MacroError(message: "$CHOICE() macro: index \(idxText) is not an integer")
            }
            var items = Array(parts.dropFirst())
            if items.count == 1, let listValue = rawValue(items[0]) {
                items = try expand(listValue).split(separator: ",").map { SubmitLexer.trim(String($0)) }
            }
            guard idx >= 0, idx < items.count else {
                throw MacroError(message: "$CHOICE() macro: index \(idx) is out of range")
            }
            return items[idx]
        case "RANDOM_CHOICE":
            let items = body.split(separator: ",").map { SubmitLexer.trim(String($0)) }
            return items.randomElement() ?? ""
        case "RANDOM_INTEGER":
            let parts = body.split(separator: ",").compactMap { Int(SubmitLexer.trim(String($0))) }
            guard parts.count >= 2, parts[0] <= parts[1] else {
                throw MacroError(message: "$RANDOM_INTEGER() macro: bad arguments \(body)")
            }
            let step = parts.count > 2 ? max(1, parts[2]) : 1
            let n = (parts[1] - parts[0]) / step
            return String(parts[0] + Int.random(in: 0...n) * step)
        case "BASENAME", "DIRNAME":
            let v = try expand(rawValue(SubmitLexer.trim(body)) ?? "")
            return f == "BASENAME" ? PathParts(v).base : PathParts(v).directory
        default:
            if f.hasPrefix("F"), f.dropFirst().allSatisfy({ "pdnxbqauwPDNXBQAUW".contains($0) }) {
                let v = try expand(rawValue(SubmitLexer.trim(body)) ?? "")
                return PathParts(v).format(flags: String(f.dropFirst()).lowercased(), cwd: cwd)
            }
            return nil
        }
    }

    private func split(_ body: String) -> (String, String?) {
        guard let c = body.firstIndex(of: ":") else { return (body, nil) }
        return (String(body[..<c]), String(body[body.index(after: c)...]))
    }

    /// Replaces `$(name)` and `$(name:default)` references to `name` with `value`.
    static func replaceSelfReference(_ text: String, name: String, with value: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "$(") {
            // keep `$$(` untouched
            if r.lowerBound > rest.startIndex, rest[rest.index(before: r.lowerBound)] == "$" {
                out += rest[..<r.upperBound]
                rest = rest[r.upperBound...]
                continue
            }
            guard let close = rest[r.upperBound...].firstIndex(of: ")") else { break }
            let inner = rest[r.upperBound..<close]
            let refName = inner.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            out += rest[..<r.lowerBound]
            if refName.lowercased() == name {
                out += value
            } else {
                out += rest[r.lowerBound...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// The pieces of a path that `$F[pdnxq...]()` selects (submitting-a-job.rst "Function Macros").
struct PathParts {
    var directory: String
    var base: String
    init(_ path: String) {
        if let slash = path.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            directory = String(path[...slash])
            base = String(path[path.index(after: slash)...])
        } else {
            directory = ""
            base = path
        }
    }

    var name: String {
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { return String(base[..<dot]) }
        return base
    }

    var ext: String {
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { return String(base[dot...]) }
        return ""
    }

    /// `p` directory, `d` parent directory name, `n` name, `x` extension, `q` quote,
    /// `a` make absolute, `b`/`u`/`w` slash styles; no flags selects the whole path.
    func format(flags: String, cwd: String) -> String {
        var full = directory + base
        if flags.contains("a"), !full.hasPrefix("/") { full = cwd.hasSuffix("/") ? cwd + full : cwd + "/" + full }
        let parts = PathParts(full)
        var out = ""
        let wantsPieces = flags.contains(where: { "pdnx".contains($0) })
        if !wantsPieces {
            out = full
        } else {
            if flags.contains("p") { out += parts.directory }
            if flags.contains("d") {
                let trimmed = parts.directory.hasSuffix("/") ? String(parts.directory.dropLast()) : parts.directory
                out += PathParts(trimmed).base + (trimmed.isEmpty ? "" : "/")
            }
            if flags.contains("n") { out += parts.name }
            if flags.contains("x") { out += parts.ext }
        }
        if flags.contains("w") { out = out.replacingOccurrences(of: "/", with: "\\") }
        if flags.contains("u") { out = out.replacingOccurrences(of: "\\", with: "/") }
        if flags.contains("q") { out = "\"" + out + "\"" }
        return out
    }
}
