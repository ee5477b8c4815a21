/// Where something is in an RSL text: 1-based line and column (in characters) and the 0-based
/// byte offset into the UTF-8 text.
public struct RSLPosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public var description: String { "line \(line), column \(column)" }
}

/// The three boolean compositions of RSL: `&` (all of), `|` (one of) and `+` (multi-request).
public enum RSLBooleanOperator: String, Sendable, Equatable, CaseIterable {
    case and = "&"
    case or = "|"
    case multiRequest = "+"
}

/// The six relation operators. GRAM accepts only `=` at job level, but the parser reads all.
public enum RSLRelationOperator: String, Sendable, Equatable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
}

/// One value of a relation, as `globus_rsl.h` models it.
public indirect enum RSLValue: Sendable, Equatable {
    /// A string, whichever way it was quoted in the source.
    case literal(String)
    /// `( v1 v2 ... )`; never empty when it comes from the parser.
    case sequence([RSLValue])
    /// `$( NAME [DEFAULT ...] )`: the sequence inside the parentheses, name first.
    case variable([RSLValue])
    /// `left # right`, explicit or implied by adjacency (`$(HOME)/bin`).
    case concatenation(RSLValue, RSLValue)

    /// The string of a literal, `nil` for anything else.
    public var literalString: String? {
        if case .literal(let s) = self { return s }
        return nil
    }
}

/// `attribute op value value ...`. The position points at the attribute; it is not part of
/// equality, so trees built by hand compare equal to parsed ones.
public struct RSLRelation: Sendable, Equatable {
    public var attribute: String
    public var op: RSLRelationOperator
    /// One or more values (the relation's value sequence).
    public var values: [RSLValue]
    public var position: RSLPosition?

    public init(attribute: String, op: RSLRelationOperator = .equal, values: [RSLValue],
                position: RSLPosition? = nil) {
        self.attribute = attribute
        self.op = op
        self.values = values
        self.position = position
    }

    public static func == (a: RSLRelation, b: RSLRelation) -> Bool {
        a.attribute == b.attribute && a.op == b.op && a.values == b.values
    }

    /// The single literal of a relation like `(count = 4)`, `nil` if the value is anything else.
    public var singleLiteral: String? {
        values.count == 1 ? values[0].literalString : nil
    }
}

/// An RSL specification: a relation or a boolean composition of specifications.
public indirect enum RSLNode: Sendable, Equatable {
    case boolean(RSLBooleanOperator, [RSLNode])
    case relation(RSLRelation)

    /// The relations directly under a boolean, or the node itself if it is a relation.
    public var relations: [RSLRelation] {
        switch self {
        case .relation(let r): [r]
        case .boolean(_, let operands): operands.compactMap { if case .relation(let r) = $0 { r } else { nil } }
        }
    }

    /// The first relation (depth first, like `globus_rsl_param_get_values`) with this attribute,
    /// compared case-insensitively as the library does.
    public func relation(named name: String) -> RSLRelation? {
        switch self {
        case .relation(let r):
            return r.attribute.lowercased() == name.lowercased() ? r : nil
        case .boolean(_, let operands):
            for operand in operands {
                if let r = operand.relation(named: name) { return r }
            }
            return nil
        }
    }
}

/// Attribute names as the job manager compares them (`globus_rsl_assist_string_canonicalize`):
/// ASCII letters lowered, every underscore removed, so `Max_Wall_Time` is `maxwalltime`.
public enum RSLAttributeName {
    public static func canonical(_ name: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for b in name.utf8 where b != UInt8(ascii: "_") {
            bytes.append(b >= 65 && b <= 90 ? b + 32 : b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension RSLNode {
    /// Canonicalises every relation's attribute name, in nested booleans too
    /// (`globus_rsl_assist_attributes_canonicalize`).
    public func canonicalizingAttributes() -> RSLNode {
        switch self {
        case .relation(var r):
            r.attribute = RSLAttributeName.canonical(r.attribute)
            return .relation(r)
        case .boolean(let op, let operands):
            return .boolean(op, operands.map { $0.canonicalizingAttributes() })
        }
    }
}
