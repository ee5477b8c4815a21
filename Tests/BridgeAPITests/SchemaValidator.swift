import Foundation

/// Checks JSON values against the schemas of an OpenAPI 3.0 document: the subset the API's
/// document uses (`$ref`, `type`, `format` int32/int64, `properties`, `required`,
/// `additionalProperties`, `items`, `enum`, `minimum`/`maximum` with `exclusiveMinimum`,
/// `minItems`/`maxItems`, `minLength`/`maxLength`, `pattern`). A keyword it does not know is
/// reported, so the document cannot silently outgrow the check.
final class SchemaValidator {
    let document: JSONValue
    /// "Schema.property" for every property that some validated value held.
    private(set) var seen = Set<String>()
    static let known: Set<String> = ["$ref", "type", "format", "properties", "required", "additionalProperties", "items",
                                     "enum", "minimum", "maximum", "exclusiveMinimum", "minItems", "maxItems",
                                     "minLength", "maxLength", "pattern", "description", "default"]

    init(document: JSONValue) { self.document = document }

    func schema(named name: String) -> JSONValue? { document["components"]?["schemas"]?[name] }

    func resolve(_ ref: String) -> (name: String, schema: JSONValue)? {
        let prefix = "#/components/schemas/"
        guard ref.hasPrefix(prefix) else { return nil }
        let name = String(ref.dropFirst(prefix.count))
        return schema(named: name).map { (name, $0) }
    }

    /// The problems of `value` against the schema `name`; none when it conforms.
    func validate(_ value: JSONValue, against name: String) -> [String] {
        guard let s = schema(named: name) else { return ["no schema \(name)"] }
        return check(value, s, name: name, at: name)
    }

    func check(_ value: JSONValue, _ schema: JSONValue, name: String?, at path: String) -> [String] {
        guard let s = schema.object else { return ["\(path): the schema is not an object"] }
        if let unknown = s.keys.first(where: { !Self.known.contains($0) }) { return ["\(path): unknown keyword \(unknown)"] }
        if let ref = s["$ref"]?.string {
            guard let (n, target) = resolve(ref) else { return ["\(path): unresolved \(ref)"] }
            return check(value, target, name: n, at: path)
        }
        var problems: [String] = []
        if let allowed = s["enum"]?.array, !allowed.contains(value) { problems.append("\(path): \(value) is not one of the enum") }
        switch (s["type"]?.string, value) {
        case (nil, _): break
        case ("string", .string(let text)):
            let n = text.count
            if let min = s["minLength"]?.number, Double(n) < min { problems.append("\(path): shorter than \(min)") }
            if let max = s["maxLength"]?.number, Double(n) > max { problems.append("\(path): longer than \(max)") }
            if let p = s["pattern"]?.string, text.range(of: p, options: .regularExpression) == nil {
                problems.append("\(path): \"\(text)\" does not match \(p)")
            }
        case ("integer", .int(let i)):
            problems += range(Double(i), s, path)
            if s["format"]?.string == "int32", Int32(exactly: i) == nil { problems.append("\(path): \(i) is not an int32") }
        case ("number", .int), ("number", .real):
            problems += range(value.number!, s, path)
        case ("boolean", .bool): break
        case ("array", .array(let items)):
            if let min = s["minItems"]?.number, Double(items.count) < min { problems.append("\(path): fewer than \(min) items") }
            if let max = s["maxItems"]?.number, Double(items.count) > max { problems.append("\(path): more than \(max) items") }
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() { problems += check(item, itemSchema, name: nil, at: "\(path)[\(i)]") }
            }
        case ("object", .object(let fields)):
            for key in s["required"]?.array?.compactMap(\.string) ?? [] where fields[key] == nil {
                problems.append("\(path): missing \(key)")
            }
            let properties = s["properties"]?.object ?? [:]
            for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                if let p = properties[key] {
                    if let name { seen.insert("\(name).\(key)") }
                    problems += check(field, p, name: nil, at: "\(path).\(key)")
                } else {
                    switch s["additionalProperties"] {
                    case .bool(false)?: problems.append("\(path): property \(key) is not in the schema")
                    case .object(let extra)?: problems += check(field, .object(extra), name: nil, at: "\(path).\(key)")
                    default: break
                    }
                }
            }
        case (let type?, _):
            problems.append("\(path): \(value) is not of type \(type)")
        }
        return problems
    }

    private func range(_ x: Double, _ s: [String: JSONValue], _ path: String) -> [String] {
        var problems: [String] = []
        if let min = s["minimum"]?.number {
            let exclusive = s["exclusiveMinimum"] == .bool(true)
            if exclusive ? x <= min : x < min { problems.append("\(path): \(x) is below the minimum \(min)") }
        }
        if let max = s["maximum"]?.number, x > max { problems.append("\(path): \(x) is above the maximum \(max)") }
        return problems
    }

    /// Every "Schema.property" the document declares on its object schemas.
    var declaredProperties: Set<String> {
        var all = Set<String>()
        for (name, s) in document["components"]?["schemas"]?.object ?? [:] {
            for key in s["properties"]?.object?.keys ?? [:].keys { all.insert("\(name).\(key)") }
        }
        return all
    }
}
