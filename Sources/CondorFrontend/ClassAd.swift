import Foundation

/// A ClassAd: attribute name → expression, names case-insensitive, spelling and order kept.
///
/// Reads old-style text (one `Name = expression` per line, as `condor_q -l` and the job queue
/// log write it) and new-style `[ a = 1; b = 2 ]`, and writes old-style text back.
public struct ClassAd: Sendable, Equatable {
    private(set) public var names: [String] = []
    private var exprs: [String: ClassAdExpr] = [:]
    private var spelling: [String: String] = [:]

    public init() {}

    public init(_ pairs: [(String, ClassAdExpr)]) {
        for (n, e) in pairs { self[n] = e }
    }

    public subscript(name: String) -> ClassAdExpr? {
        get { exprs[name.lowercased()] }
        set {
            let key = name.lowercased()
            if let newValue {
                if exprs[key] == nil { names.append(name); spelling[key] = name }
                exprs[key] = newValue
            } else if exprs.removeValue(forKey: key) != nil {
                names.removeAll { $0.lowercased() == key }
                spelling[key] = nil
            }
        }
    }

    public var isEmpty: Bool { names.isEmpty }
    public var count: Int { names.count }

    /// Sets an attribute from expression text, as `+Name = text` in a submit file does.
    public mutating func insert(_ name: String, expression text: String) throws(ClassAdParseError) {
        self[name] = try ClassAdParser.parse(text)
    }

    public mutating func assign(_ name: String, _ value: ClassAdValue) { self[name] = value.asExpr }
    public mutating func assign(_ name: String, _ s: String) { self[name] = .literal(.string(s)) }
    public mutating func assign(_ name: String, _ i: Int) { self[name] = .literal(.int(Int64(i))) }
    public mutating func assign(_ name: String, _ b: Bool) { self[name] = .literal(.bool(b)) }

    /// The attribute's value as ClassAd text, `"\"a b\""` for a string.
    public func unparsed(_ name: String, syntax: ClassAdUnparser.Syntax = .old) -> String? {
        self[name].map { ClassAdUnparser.unparse($0, syntax: syntax) }
    }

    /// Every attribute with its unparsed text, keyed by the spelling it was set with.
    public var unparsedAttributes: [String: String] { unparsedAttributes(syntax: .old) }

    public func unparsedAttributes(syntax: ClassAdUnparser.Syntax) -> [String: String] {
        var out: [String: String] = [:]
        for n in names { out[n] = unparsed(n, syntax: syntax) }
        return out
    }

    /// Old-style text, one `Name = expression` line per attribute in insertion order.
    public var oldText: String {
        names.map { "\($0) = \(unparsed($0) ?? "undefined")\n" }.joined()
    }

    /// Evaluates an attribute of this ad, with `target` as the other side of a match.
    public func evaluate(_ name: String, target: ClassAd? = nil) -> ClassAdValue {
        ClassAdEvaluator(my: self, target: target).evaluate(.attribute(name))
    }

    /// Evaluates an expression with this ad as `MY` and `target` as `TARGET`.
    public func evaluate(expression e: ClassAdExpr, target: ClassAd? = nil) -> ClassAdValue {
        ClassAdEvaluator(my: self, target: target).evaluate(e)
    }

    /// Reads old-style ClassAd text: `Name = expression` per line; blank lines and `#` comments
    /// are skipped. A line that does not parse is an error naming the line.
    public static func parseOld(_ text: String) throws(ClassAdTextError) -> ClassAd {
        var ad = ClassAd()
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ClassAdTextError(line: i + 1, message: "expected 'Name = expression'")
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: eq)...])
            guard ClassAdUnparser.isPlainIdentifier(name) else {
                throw ClassAdTextError(line: i + 1, message: "'\(name)' is not an attribute name")
            }
            do {
                try ad.insert(name, expression: value)
            } catch {
                throw ClassAdTextError(line: i + 1, message: error.message)
            }
        }
        return ad
    }

    /// Reads a new-style ClassAd, `[ a = 1; b = "x" ]`.
    public static func parseNew(_ text: String) throws(ClassAdTextError) -> ClassAd {
        let expr: ClassAdExpr
        do { expr = try ClassAdParser.parse(text) } catch { throw ClassAdTextError(line: 1, message: error.message) }
        guard case .record(let r) = expr else { throw ClassAdTextError(line: 1, message: "not a ClassAd ([ ... ])") }
        var ad = ClassAd()
        for f in r.fields { ad[f.name] = f.expr }
        return ad
    }

    var asRecord: ClassAdRecord {
        ClassAdRecord(fields: names.compactMap { n in self[n].map { ClassAdField(name: n, expr: $0) } })
    }
}

/// A ClassAd text that could not be read, with the line at fault.
public struct ClassAdTextError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

