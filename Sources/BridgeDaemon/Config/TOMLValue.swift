import Foundation

/// A TOML value. Dates and times are kept as their text: the config has no use for them.
public indirect enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case datetime(String)
    case array([TOMLValue])
    case table(TOMLTable)

    var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .datetime: "date-time"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A table that remembers where each key was defined, for error messages.
public struct TOMLTable: Equatable, Sendable {
    public var entries: [String: TOMLValue] = [:]
    public var order: [String] = []
    public var lines: [String: Int] = [:]
    /// Defined by a `[header]` or as a value (not only implied by a dotted key or sub-table).
    var explicit = false

    public subscript(key: String) -> TOMLValue? { entries[key] }
}

/// A TOML syntax error at a line and column.
public struct TOMLError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A TOML 1.0 parser: tables, arrays of tables, dotted and quoted keys, the four string forms,
/// integers in all bases, floats, booleans, dates as text, arrays and inline tables.
