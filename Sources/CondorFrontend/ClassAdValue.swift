/// The value of an evaluated ClassAd expression.
///
/// Lists keep their element expressions unevaluated, exactly as the ClassAd library does
/// (`src/classad/value.cpp`): `{1 + 1, 2}` evaluates to a list whose first element is still the
/// expression `1 + 1`, and it unparses that way. Elements are evaluated when a function needs them.
public enum ClassAdValue: Sendable, Equatable {
    case undefined
    case error
    case bool(Bool)
    case int(Int64)
    case real(Double)
    case string(String)
    case list([ClassAdExpr])
    case record(ClassAdRecord)

    public var isUndefined: Bool { if case .undefined = self { true } else { false } }
    public var isError: Bool { if case .error = self { true } else { false } }

    /// A number as a double (booleans are not numbers here; callers convert them when the
    /// ClassAd rules say so).
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .real(let r): r
        default: nil
        }
    }

    var isNumber: Bool { number != nil }

    /// The value as an expression literal, so that it can be unparsed or stored back in an ad.
    public var asExpr: ClassAdExpr {
        switch self {
        case .list(let items): .list(items)
        case .record(let r): .record(r)
        default: .literal(self)
        }
    }

    /// The value unparsed as HTCondor prints it in old-style ClassAds.
    public var unparsed: String { ClassAdUnparser.unparse(asExpr) }
}

/// A nested ClassAd written inline, `[a = 1; b = a + 1]`: attribute names keep their spelling
/// and their order.
public struct ClassAdRecord: Sendable, Equatable {
    public var fields: [ClassAdField]
    public init(fields: [ClassAdField]) { self.fields = fields }

    /// Case-insensitive lookup, as in every ClassAd.
    public func lookup(_ name: String) -> ClassAdExpr? {
        let key = name.lowercased()
        return fields.last(where: { $0.name.lowercased() == key })?.expr
    }
}

public struct ClassAdField: Sendable, Equatable {
    public var name: String
    public var expr: ClassAdExpr
    public init(name: String, expr: ClassAdExpr) {
        self.name = name
        self.expr = expr
    }
}
