/// A parsed ClassAd expression, shaped like the ClassAd library's tree (`src/classad/exprTree.cpp`)
/// so that it unparses the same way: explicit parentheses are kept as nodes, `MY.x` is a
/// selection of `x` from the reference `MY`, and function names keep the case they were written in.
public indirect enum ClassAdExpr: Sendable, Equatable {
    case literal(ClassAdValue)
    /// A bare attribute reference, `Memory`.
    case attribute(String)
    /// An absolute reference, `.Memory` (looked up from the outermost ad).
    case absoluteAttribute(String)
    /// `base.name`, as in `MY.RequestMemory` or `[a = 1].a`.
    case select(ClassAdExpr, String)
    case unary(ClassAdUnaryOp, ClassAdExpr)
    case binary(ClassAdBinaryOp, ClassAdExpr, ClassAdExpr)
    /// `c ? a : b`; a `nil` middle is the "elvis" form `c ?: b`.
    case conditional(ClassAdExpr, ClassAdExpr?, ClassAdExpr)
    case parenthesized(ClassAdExpr)
    case subscripted(ClassAdExpr, ClassAdExpr)
    case call(String, [ClassAdExpr])
    case list([ClassAdExpr])
    case record(ClassAdRecord)
}

public enum ClassAdUnaryOp: String, Sendable, Equatable {
    case plus = "+", minus = "-", not = "!", bitNot = "~"
}

/// Binary operators, with the text the unparser prints around them (`src/classad/sink.cpp`
/// `opString`; old-style ads print `is`/`isnt` as `=?=`/`=!=`).
public enum ClassAdBinaryOp: String, Sendable, Equatable, CaseIterable {
    case lessThan = "<", lessOrEqual = "<=", notEqual = "!=", equal = "=="
    case greaterOrEqual = ">=", greaterThan = ">", metaEqual = "=?=", metaNotEqual = "=!="
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulus = "%"
    case or = "||", and = "&&"
    case bitOr = "|", bitXor = "^", bitAnd = "&"
    case leftShift = "<<", rightShift = ">>", unsignedRightShift = ">>>"

    /// Higher binds tighter; mirrors the parser's grammar levels.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .bitOr: 3
        case .bitXor: 4
        case .bitAnd: 5
        case .equal, .notEqual, .metaEqual, .metaNotEqual: 6
        case .lessThan, .lessOrEqual, .greaterThan, .greaterOrEqual: 7
        case .leftShift, .rightShift, .unsignedRightShift: 8
        case .add, .subtract: 9
        case .multiply, .divide, .modulus: 10
        }
    }
}

extension ClassAdExpr {
    /// Wraps `self` in parentheses when it could not stand as an operand of `op` without them,
    /// the way HTCondor's `WrapExprTreeInParensForOp` does before it appends a clause
    /// (`src/condor_utils/compat_classad_util.cpp`).
    func wrappedForOperator(_ op: ClassAdBinaryOp) -> ClassAdExpr {
        switch self {
        case .binary(let inner, _, _) where inner.precedence < op.precedence: .parenthesized(self)
        case .conditional: .parenthesized(self)
        default: self
        }
    }

    /// Attribute names this expression refers to, split into references to the job's own
    /// ad (`MY.x`), the other ad (`TARGET.x`) and unqualified names.
    func references() -> (my: Set<String>, target: Set<String>, bare: Set<String>) {
        var my = Set<String>(), target = Set<String>(), bare = Set<String>()
        func walk(_ e: ClassAdExpr) {
            switch e {
            case .literal: break
            case .attribute(let n), .absoluteAttribute(let n): bare.insert(n.lowercased())
            case .select(let base, let n):
                if case .attribute(let scope) = base {
                    switch scope.lowercased() {
                    case "my": my.insert(n.lowercased())
                    case "target": target.insert(n.lowercased())
                    default: walk(base)
                    }
                } else {
                    walk(base)
                }
            case .unary(_, let a), .parenthesized(let a): walk(a)
            case .binary(_, let a, let b), .subscripted(let a, let b): walk(a); walk(b)
            case .conditional(let a, let b, let c): walk(a); if let b { walk(b) }; walk(c)
            case .call(_, let args), .list(let args): args.forEach(walk)
            case .record(let r): r.fields.forEach { walk($0.expr) }
            }
        }
        walk(self)
        return (my, target, bare)
    }
}
