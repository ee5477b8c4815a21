import Foundation

/// The built-in ClassAd functions (`src/classad/fnCall.cpp`), names case-insensitive.
/// Behaviour of the edge cases (rounding, string conversion, list folding) was checked against
/// HTCondor 24's own evaluator; see the expression corpus of the differential test.
enum ClassAdFunctions {
    typealias Impl = @Sendable ([ClassAdExpr], ClassAdEvaluator) -> ClassAdValue

    static func call(_ name: String, _ args: [ClassAdExpr], _ ev: ClassAdEvaluator) -> ClassAdValue {
        guard let f = table[name.lowercased()] else { return .error }
        return f(args, ev)
    }

    static func caseInsensitiveCompare(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8).map(asciiLower), y = Array(b.utf8).map(asciiLower)
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
    }

    static func asciiLower(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c + 32 : c }
    static func asciiUpper(_ c: UInt8) -> UInt8 { (c >= 97 && c <= 122) ? c - 32 : c }

    /// How `strcat` and `string()` turn a value into text: reals as `%1.15E`.
    static func stringValue(_ v: ClassAdValue) -> String? {
        switch v {
        case .string(let s): s
        case .int(let i): String(i)
        case .real(let r): String(format: "%1.15E", r)
        case .bool(let b): b ? "true" : "false"
        case .list, .record: ClassAdUnparser.unparse(v.asExpr, syntax: .new)
        default: nil
        }
    }

    /// Evaluates every argument; stops at the first `ERROR`/`UNDEFINED` for strict functions.
    private static func strict(_ args: [ClassAdExpr], _ ev: ClassAdEvaluator, count: ClosedRange<Int>,
                               _ body: ([ClassAdValue]) -> ClassAdValue) -> ClassAdValue {
        guard count.contains(args.count) else { return .error }
        let vals = args.map { ev.evaluate($0) }
        if vals.contains(where: \.isError) { return .error }
        if vals.contains(where: \.isUndefined) { return .undefined }
        return body(vals)
    }

    private static func listValues(_ v: ClassAdValue, _ ev: ClassAdEvaluator) -> [ClassAdValue]? {
        guard case .list(let items) = v else { return nil }
        return items.map { ev.evaluate($0) }
    }

    /// Items of an HTCondor string list: split at any delimiter character, blanks dropped.
    static func stringListItems(_ s: String, delimiters: String = " ,") -> [String] {
        let d = Set(delimiters.unicodeScalars)
        var items: [String] = []
        var cur = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            if d.contains(c) || (delimiters == " ," && (c == "\t" || c == "\n")) {
                if !cur.isEmpty { items.append(String(cur)); cur = .init() }
            } else {
                cur.append(c)
            }
        }
        if !cur.isEmpty { items.append(String(cur)) }
        return items
    }

    /// Parses the leading number of a string the way `strtoll`/`strtod` do.
    static func leadingNumber(_ s: String, real: Bool) -> ClassAdValue {
        let t = s.drop(while: { $0 == " " || $0 == "\t" })
        var prefix = ""
        var seenDigit = false
        var i = t.startIndex
        if i < t.endIndex, t[i] == "+" || t[i] == "-" { prefix.append(t[i]); i = t.index(after: i) }
        while i < t.endIndex, t[i].isASCII, t[i].isNumber { prefix.append(t[i]); seenDigit = true; i = t.index(after: i) }
        if real {
            if i < t.endIndex, t[i] == "." {
                prefix.append("."); i = t.index(after: i)
                while i < t.endIndex, t[i].isASCII, t[i].isNumber { prefix.append(t[i]); seenDigit = true; i = t.index(after: i) }
            }
            if seenDigit, i < t.endIndex, t[i] == "e" || t[i] == "E" {
                var exp = "e"
                var j = t.index(after: i)
                if j < t.endIndex, t[j] == "+" || t[j] == "-" { exp.append(t[j]); j = t.index(after: j) }
                var expDigits = false
                while j < t.endIndex, t[j].isASCII, t[j].isNumber { exp.append(t[j]); expDigits = true; j = t.index(after: j) }
                if expDigits { prefix += exp }
            }
            let lower = t.lowercased()
            if !seenDigit {
                if lower.hasPrefix("inf") || lower.hasPrefix("+inf") { return .real(.infinity) }
                if lower.hasPrefix("-inf") { return .real(-.infinity) }
                if lower.hasPrefix("nan") { return .real(.nan) }
                return .error
            }
            return .real(Double(prefix) ?? 0)
        }
        guard seenDigit else { return .error }
        return .int(Int64(prefix) ?? (prefix.hasPrefix("-") ? .min : .max))
    }

    private static func toInt(_ v: ClassAdValue) -> ClassAdValue {
        switch v {
        case .int: v
        case .real(let r):
            r.isNaN ? .error : .int(r >= 9.2e18 ? .max : (r <= -9.2e18 ? .min : Int64(r)))
        case .bool(let b): .int(b ? 1 : 0)
        case .string(let s): leadingNumber(s, real: false)
        case .undefined: .undefined
        default: .error
        }
    }

    private static func toReal(_ v: ClassAdValue) -> ClassAdValue {
        switch v {
        case .int(let i): .real(Double(i))
        case .real: v
        case .bool(let b): .real(b ? 1 : 0)
        case .string(let s): leadingNumber(s, real: true)
        case .undefined: .undefined
        default: .error
        }
    }

    /// `floor`, `ceiling`, `round`: integers pass through; reals become integers.
    private static func rounding(_ f: @escaping @Sendable (Double) -> Double) -> Impl {
        { args, ev in
            strict(args, ev, count: 1...1) { v in
                switch toReal(v[0]) {
                case .real(let r):
                    if case .int = v[0] { return v[0] }
                    let x = f(r)
                    if x.isNaN || x.isInfinite { return .real(x) }
                    return .int(x >= 9.2e18 ? .max : (x <= -9.2e18 ? .min : Int64(x)))
                case let other: return other
                }
            }
        }
    }

    private static func typeTest(_ test: @escaping @Sendable (ClassAdValue) -> Bool) -> Impl {
        { args, ev in args.count == 1 ? .bool(test(ev.evaluate(args[0]))) : .error }
    }

    /// `min`, `max`, `sum`, `avg` over a list: integers stay integers unless a real takes part.
    private static func fold(_ name: String) -> Impl {
        { args, ev in
            strict(args, ev, count: 1...1) { v in
                guard let items = listValues(v[0], ev) else { return .error }
                if items.isEmpty { return name == "sum" ? .int(0) : .undefined }
                if items.contains(where: \.isError) { return .error }
                let values = items.filter { !$0.isUndefined }
                if values.isEmpty { return .undefined }
                var allInt = true
                var nums: [Double] = []
                var ints: [Int64] = []
                for item in values {
                    switch item {
                    case .int(let i): nums.append(Double(i)); ints.append(i)
                    case .real(let r): nums.append(r); allInt = false
                    case .bool(let b): nums.append(b ? 1 : 0); ints.append(b ? 1 : 0)
                    default: return .error
                    }
                }
                switch name {
                case "sum": return allInt ? .int(ints.reduce(0, &+)) : .real(nums.reduce(0, +))
                case "avg": return .real(nums.reduce(0, +) / Double(nums.count))
                case "min": return allInt ? .int(ints.min()!) : .real(nums.min()!)
                default: return allInt ? .int(ints.max()!) : .real(nums.max()!)
                }
            }
        }
    }

    private static func stringListFold(_ name: String) -> Impl {
        { args, ev in
            strict(args, ev, count: 1...2) { v in
                guard case .string(let s) = v[0] else { return .error }
                var delims = " ,"
                if v.count == 2 { guard case .string(let d) = v[1] else { return .error }; delims = d }
                let items = stringListItems(s, delimiters: delims)
                if name == "size" { return .int(Int64(items.count)) }
                var nums: [Double] = []
                var allInt = true
                for it in items {
                    if let i = Int64(it) { nums.append(Double(i)) } else if let r = Double(it) { nums.append(r); allInt = false } else { return .error }
                }
                if nums.isEmpty { return name == "sum" ? .int(0) : .undefined }
                switch name {
                case "sum": return allInt ? .int(Int64(nums.reduce(0, +))) : .real(nums.reduce(0, +))
                // Integer lists average to an integer here (checked: stringListAvg("1,2,3,4") is 2).
                case "avg": return allInt ? .int(Int64(nums.reduce(0, +)) / Int64(nums.count)) : .real(nums.reduce(0, +) / Double(nums.count))
                case "min": return allInt ? .int(Int64(nums.min()!)) : .real(nums.min()!)
                default: return allInt ? .int(Int64(nums.max()!)) : .real(nums.max()!)
                }
            }
        }
    }

    private static func stringListMember(ignoreCase: Bool) -> Impl {
        { args, ev in
            strict(args, ev, count: 2...3) { v in
                guard case .string(let item) = v[0], case .string(let list) = v[1] else { return .error }
                var delims = " ,"
                if v.count == 3 { guard case .string(let d) = v[2] else { return .error }; delims = d }
                let items = stringListItems(list, delimiters: delims)
                return .bool(items.contains { ignoreCase ? caseInsensitiveCompare($0, item) == 0 : $0 == item })
            }
        }
    }

    private static func member(identical: Bool) -> Impl {
        { args, ev in
            guard args.count == 2 else { return .error }
            let x = ev.evaluate(args[0])
            let l = ev.evaluate(args[1])
            if x.isError || l.isError { return .error }
            guard let items = listValues(l, ev) else { return l.isUndefined ? .undefined : .error }
            if !identical && x.isUndefined { return .undefined }
            for item in items {
                if identical {
                    if ev.identical(x, item) { return .bool(true) }
                } else if case .bool(true) = ev.strictBinary(.equal, x, item) {
                    return .bool(true)
                }
            }
            return .bool(false)
        }
    }

    /// `regexp(pattern, target [, options])` with PCRE-style options `i`, `m`, `s`, `x`.
    static func regex(_ pattern: String, _ options: String) -> NSRegularExpression? {
        var opts: NSRegularExpression.Options = []
        for c in options.lowercased() {
            switch c {
            case "i": opts.insert(.caseInsensitive)
            case "m": opts.insert(.anchorsMatchLines)
            case "s": opts.insert(.dotMatchesLineSeparators)
            case "x": opts.insert(.allowCommentsAndWhitespace)
            default: break
            }
        }
        return try? NSRegularExpression(pattern: pattern, options: opts)
    }

    /// Whether `pattern` matches somewhere in `subject`, or nil when it cannot be told within the
    /// evaluation budget: the pattern does not compile, pattern or subject are too long, or the
    /// match backtracks past `maxRegexProgress` progress reports (ICU calls back periodically
    /// during a long match, and stopping there ends it).
    static func boundedMatch(_ pattern: String, _ subject: String, _ options: String) -> Bool? {
        typealias Budget = ClassAdEvaluationBudget
        guard pattern.utf8.count <= Budget.maxRegexPattern, subject.utf8.count <= Budget.maxRegexSubject,
              let re = regex(pattern, options) else { return nil }
        var found = false, progress = 0, gaveUp = false
        re.enumerateMatches(in: subject, options: [.reportProgress], range: NSRange(subject.startIndex..., in: subject)) { match, _, stop in
            if match != nil {
                found = true
                stop.pointee = true
                return
            }
            progress += 1
            if progress > Budget.maxRegexProgress {
                gaveUp = true
                stop.pointee = true
            }
        }
        return gaveUp ? nil : found
    }

    private static func compareOp(_ text: String) -> ClassAdBinaryOp? {
        switch text.lowercased() {
        case "is": .metaEqual
        case "isnt": .metaNotEqual
        default: ClassAdBinaryOp(rawValue: text)
        }
    }

    private static func quantified(all: Bool) -> Impl {
        { args, ev in
            guard args.count == 3 else { return .error }
            let v = args.map { ev.evaluate($0) }
            if v[0].isError || v[1].isError { return .error }
            if v[0].isUndefined || v[1].isUndefined { return .undefined }
            do {
                guard case .string(let opText) = v[0], let op = compareOp(opText),
                      let items = listValues(v[1], ev) else { return .error }
                for item in items {
                    let r: ClassAdValue
                    switch op {
                    case .metaEqual: r = .bool(ev.identical(item, v[2]))
                    case .metaNotEqual: r = .bool(!ev.identical(item, v[2]))
                    default: r = ev.strictBinary(op, item, v[2])
                    }
                    let hit = (r == .bool(true))
                    if all && !hit { return .bool(false) }
                    if !all && hit { return .bool(true) }
                }
                return .bool(all)
            }
        }
    }

    static let table: [String: Impl] = [
        "ifthenelse": { args, ev in
            guard args.count == 3 else { return .error }
            let c = ev.evaluate(args[0])
            switch ev.truth(c) {
            case .some(.some(true)): return ev.evaluate(args[1])
            case .some(.some(false)): return ev.evaluate(args[2])
            case .some(.none): return c.isError ? .error : .undefined
            case .none: return .error
            }
        },
        "isundefined": typeTest { $0.isUndefined },
        "iserror": typeTest { $0.isError },
        "isstring": typeTest { if case .string = $0 { true } else { false } },
        "isinteger": typeTest { if case .int = $0 { true } else { false } },
        "isreal": typeTest { if case .real = $0 { true } else { false } },
        "isboolean": typeTest { if case .bool = $0 { true } else { false } },
        "islist": typeTest { if case .list = $0 { true } else { false } },
        "isclassad": typeTest { if case .record = $0 { true } else { false } },
        "isabstime": typeTest { _ in false },
        "isreltime": typeTest { _ in false },
        "strcat": { args, ev in
            strict(args, ev, count: 0...Int.max) { v in
                var out = ""
                for x in v {
                    guard let s = stringValue(x), out.utf8.count + s.utf8.count <= ClassAdEvaluationBudget.maxStringBytes else { return .error }
                    out += s
                }
                return .string(out)
            }
        },
        "string": { args, ev in
            strict(args, ev, count: 1...1) { v in stringValue(v[0]).map { .string($0) } ?? .error }
        },
        "int": { args, ev in
            guard args.count == 1 else { return .error }
            let v = ev.evaluate(args[0])
            return v.isError ? .error : toInt(v)
        },
        "real": { args, ev in
            guard args.count == 1 else { return .error }
            let v = ev.evaluate(args[0])
            return v.isError ? .error : toReal(v)
        },
        "bool": { args, ev in
            strict(args, ev, count: 1...1) { v in
                switch v[0] {
                case .bool: return v[0]
                case .int(let i): return .bool(i != 0)
                case .real(let r): return .bool(r != 0)
                case .string(let s):
                    switch s.lowercased() {
                    case "true": return .bool(true)
                    case "false": return .bool(false)
                    default: return .undefined
                    }
                default: return .error
                }
            }
        },
        "floor": rounding { Foundation.floor($0) },
        "ceiling": rounding { Foundation.ceil($0) },
        "ceil": rounding { Foundation.ceil($0) },
        // HTCondor rounds with rint(): halves go to the even neighbour (round(2.5) is 2).
        "round": rounding { Foundation.rint($0) },
        "pow": { args, ev in
            strict(args, ev, count: 2...2) { v in
                if case .int(let b) = v[0], case .int(let e) = v[1], e >= 0 {
                    var r: Int64 = 1
                    for _ in 0..<min(e, 64) { r = r &* b }
                    return .int(r)
                }
                guard let b = toReal(v[0]).number, let e = toReal(v[1]).number else { return .error }
                return .real(Foundation.pow(b, e))
            }
        },
        "size": { args, ev in
            strict(args, ev, count: 1...1) { v in
                switch v[0] {
                case .string(let s): return .int(Int64(s.utf8.count))
                case .list(let items): return .int(Int64(items.count))
                case .record(let r): return .int(Int64(r.fields.count))
                default: return .error
                }
            }
        },
        "substr": { args, ev in
            strict(args, ev, count: 2...3) { v in
                guard case .string(let s) = v[0], case .int(var off) = toInt(v[1]) else { return .error }
                let bytes = Array(s.utf8)
                let n = Int64(bytes.count)
                if off < 0 { off = max(0, n + off) }
                if off > n { return .string("") }
                var len = n - off
                if v.count == 3 {
                    guard case .int(let l) = toInt(v[2]) else { return .error }
                    len = l < 0 ? max(0, n - off + l) : min(l, n - off)
                }
                return .string(String(decoding: bytes[Int(off)..<Int(off + len)], as: UTF8.self))
            }
        },
        "toupper": { args, ev in
            strict(args, ev, count: 1...1) { v in
                guard let s = stringValue(v[0]) else { return .error }
                return .string(String(decoding: s.utf8.map(asciiUpper), as: UTF8.self))
            }
        },
        "tolower": { args, ev in
            strict(args, ev, count: 1...1) { v in
                guard let s = stringValue(v[0]) else { return .error }
                return .string(String(decoding: s.utf8.map(asciiLower), as: UTF8.self))
            }
        },
        "strcmp": { args, ev in
            strict(args, ev, count: 2...2) { v in
                guard let a = stringValue(v[0]), let b = stringValue(v[1]) else { return .error }
                let x = Array(a.utf8), y = Array(b.utf8)
                return .int(x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1))
            }
        },
        "stricmp": { args, ev in
            strict(args, ev, count: 2...2) { v in
                guard let a = stringValue(v[0]), let b = stringValue(v[1]) else { return .error }
                return .int(Int64(caseInsensitiveCompare(a, b)))
            }
        },
        "join": { args, ev in
            strict(args, ev, count: 1...Int.max) { v in
                guard let sep = stringValue(v[0]) else { return .error }
                var parts = Array(v.dropFirst())
                if parts.count == 1, let items = listValues(parts[0], ev) { parts = items }
                var out: [String] = []
                var length = 0
                for p in parts where !p.isUndefined {
                    guard let s = stringValue(p) else { return .error }
                    length += s.utf8.count + sep.utf8.count
                    guard length <= ClassAdEvaluationBudget.maxStringBytes else { return .error }
                    out.append(s)
                }
                return .string(out.joined(separator: sep))
            }
        },
        "split": { args, ev in
            strict(args, ev, count: 1...2) { v in
                guard case .string(let s) = v[0] else { return .error }
                var delims = " ,"
                if v.count == 2 { guard case .string(let d) = v[1] else { return .error }; delims = d }
                return .list(stringListItems(s, delimiters: delims).map { .literal(.string($0)) })
            }
        },
        "regexp": { args, ev in
            strict(args, ev, count: 2...3) { v in
                guard case .string(let p) = v[0], case .string(let t) = v[1] else { return .error }
                var opts = ""
                if v.count == 3 { guard case .string(let o) = v[2] else { return .error }; opts = o }
                return boundedMatch(p, t, opts).map { .bool($0) } ?? .error
            }
        },
        "member": member(identical: false),
        "identicalmember": member(identical: true),
        "stringlistmember": stringListMember(ignoreCase: false),
        "stringlistimember": stringListMember(ignoreCase: true),
        "stringlistsize": stringListFold("size"),
        "stringlistsum": stringListFold("sum"),
        "stringlistavg": stringListFold("avg"),
        "stringlistmin": stringListFold("min"),
        "stringlistmax": stringListFold("max"),
        "sum": fold("sum"),
        "avg": fold("avg"),
        "min": fold("min"),
        "max": fold("max"),
        "anycompare": quantified(all: false),
        "allcompare": quantified(all: true),
        "time": { args, _ in
            args.isEmpty ? .int(Int64(Date().timeIntervalSince1970)) : .error
        },
        "unparse": { args, ev in
            guard args.count == 1 else { return .error }
            if case .attribute(let n) = args[0], let e = ev.my?[n] { return .string(ClassAdUnparser.unparse(e, syntax: .new)) }
            return .error
        },
    ]
}
