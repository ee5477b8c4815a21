import Foundation

/// One value of a job description: a string or a list (nested lists for `environment`).
public indirect enum GRAMValue: Sendable, Equatable {
    case string(String)
    case list([GRAMValue])

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// A job description as attribute → values, the shape of the job manager's
/// `$description = { 'attr' => [values], ... }` hash (names canonical: lower case, no `_`).
public struct GRAMDescription: Sendable, Equatable {
    public private(set) var attributes: [String: [GRAMValue]] = [:]

    public init(_ attributes: [String: [GRAMValue]] = [:]) {
        for (k, v) in attributes { self.attributes[RSLAttributeName.canonical(k)] = v }
    }

    public subscript(_ name: String) -> [GRAMValue]? {
        attributes[RSLAttributeName.canonical(name)]
    }

    public func has(_ name: String) -> Bool { self[name] != nil }

    /// From an evaluated RSL `&` request: literals become strings, sequences lists. Of two
    /// relations for one attribute the first counts, as `globus_rsl_param_get` finds it first.
    public init(evaluated rsl: RSLNode) throws(GRAMError) {
        for relation in rsl.relations {
            let name = RSLAttributeName.canonical(relation.attribute)
            if attributes[name] != nil { continue }
            var values: [GRAMValue] = []
            for v in relation.values { values.append(try GRAMDescription.convert(v, attribute: name)) }
            attributes[name] = values
        }
    }

    private static func convert(_ value: RSLValue, attribute: String) throws(GRAMError) -> GRAMValue {
        switch value {
        case .literal(let s): return .string(s)
        case .sequence(let items):
            var out: [GRAMValue] = []
            for item in items { out.append(try convert(item, attribute: attribute)) }
            return .list(out)
        case .variable, .concatenation:
            throw GRAMError(.badRSL, "attribute \"\(attribute)\" still holds a variable or concatenation after evaluation")
        }
    }

    /// From the JSON object the adapter sends: `{"executable":["/bin/echo"], "environment":
    /// [["A","1"]], "streamingdisabled":[0], ...}`. Numbers become their decimal text, booleans
    /// 1 or 0; keys starting with `_` (JobDescription's private fields) and null values are
    /// skipped; a value that is not an array counts as a one-element array.
    public init(json data: Data) throws(GRAMError) {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw GRAMError(.badScriptArgFile, "the job description is not valid JSON: \(error)")
        }
        guard case .object(let object) = root else {
            throw GRAMError(.badScriptArgFile, "the job description must be a JSON object of attribute arrays")
        }
        for (key, raw) in object where !key.hasPrefix("_") {
            let name = RSLAttributeName.canonical(key)
            if case .array(let array) = raw {
                attributes[name] = array.compactMap(\.gramValue)
            } else if let single = raw.gramValue {
                attributes[name] = [single]
            }
        }
    }
}

/// A JSON value, decoded strictly so that `0` and `false` stay apart.
enum JSONValue: Decodable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var gramValue: GRAMValue? {
        switch self {
        case .string(let s): .string(s)
        case .integer(let i): .string(String(i))
        case .number(let d): .string(d.rounded() == d && abs(d) < 9e15 ? String(Int64(d)) : String(d))
        case .bool(let b): .string(b ? "1" : "0")
        case .array(let a): .list(a.compactMap(\.gramValue))
        case .object, .null: nil
        }
    }
}
