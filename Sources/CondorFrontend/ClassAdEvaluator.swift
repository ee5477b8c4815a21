import Foundation

/// Evaluates expressions with the ClassAd three-valued logic (`src/classad/operators.cpp`):
/// `UNDEFINED` for missing attributes, `ERROR` for type errors, non-strict `&&`, `||` and `?:`.
///
/// An unqualified name is looked up in the enclosing nested ads, then in `MY`, then in `TARGET`
/// (how HTCondor's matchmaking resolves `Memory` in a job's `Requirements`). An attribute found
/// in `TARGET` is evaluated from the target's point of view, so its own `MY` is the target.
public struct ClassAdEvaluator: Sendable {
    public var my: ClassAd?
    public var target: ClassAd?
    /// Nested ads being evaluated (`[a = 1; b = a].b`), innermost last.
    var scopes: [ClassAdRecord] = []
    var depth = 0
    /// Deep or circular references give `ERROR` instead of running away.
    static let maxDepth = 200
    /// Shared by the nested evaluations of one top-level `evaluate`: bounds its total work.
    var budget = ClassAdEvaluationBudget()

    public init(my: ClassAd?, target: ClassAd? = nil) {
        self.my = my
        self.target = target
    }

    public func evaluate(_ e: ClassAdExpr) -> ClassAdValue {
        guard depth < Self.maxDepth else { return .error }
        var inner = self
        if depth == 0 { inner.budget = ClassAdEvaluationBudget() }
        inner.depth += 1
        guard inner.budget.step() else { return .error }
        return inner.budget.admit(inner.eval(e))
    }

    private func eval(_ e: ClassAdExpr) -> ClassAdValue {
        switch e {
        case .literal(let v): return v
        case .list(let items): return .list(items)
        case .record(let r): return .record(r)
        case .parenthesized(let a): return evaluate(a)
        case .attribute(let name): return lookup(name)
        case .absoluteAttribute(let name): return lookupInAd(name, side: .my)
        case .select(let base, let name): return select(base, name)
        case .unary(let op, let a): return unary(op, evaluate(a))
        case .binary(let op, let a, let b): return binary(op, a, b)
        case .conditional(let c, let a, let b):
            let cv = evaluate(c)
            if a == nil {
                return cv.isUndefined ? evaluate(b) : cv
            }
            switch truth(cv) {
            case .some(.some(true)): return evaluate(a!)
            case .some(.some(false)): return evaluate(b)
            case .some(.none): return cv.isError ? .error : .undefined
            case .none: return .error
            }
        case .subscripted(let a, let i): return subscriptValue(evaluate(a), evaluate(i))
        case .call(let name, let args): return ClassAdFunctions.call(name, args, self)
        }
    }

    // MARK: attribute lookup

    enum Side { case my, target }

    private func lookup(_ name: String) -> ClassAdValue {
        for (i, scope) in scopes.enumerated().reversed() {
            if let e = scope.lookup(name) {
                var inner = self
                inner.scopes = Array(scopes[...i])
                return inner.evaluate(e)
            }
        }
        let key = name.lowercased()
        if my?[name] != nil { return lookupInAd(name, side: .my) }
        if target?[name] != nil { return lookupInAd(name, side: .target) }
        if key == "my", let my { return .record(my.asRecord) }
        if key == "target", let target { return .record(target.asRecord) }
        return .undefined
    }

    private func lookupInAd(_ name: String, side: Side) -> ClassAdValue {
        switch side {
        case .my:
            guard let e = my?[name] else { return .undefined }
            var inner = self
            inner.scopes = []
            return inner.evaluate(e)
        case .target:
            guard let e = target?[name] else { return .undefined }
            var inner = self
            inner.scopes = []
            swap(&inner.my, &inner.target)
            return inner.evaluate(e)
        }
    }

    private func select(_ base: ClassAdExpr, _ name: String) -> ClassAdValue {
        if case .attribute(let scope) = base {
            switch scope.lowercased() {
            case "my" where scopes.allSatisfy({ $0.lookup(scope) == nil }) && my?[scope] == nil:
                return lookupInAd(name, side: .my)
            case "target" where scopes.allSatisfy({ $0.lookup(scope) == nil }) && my?[scope] == nil:
                return lookupInAd(name, side: .target)
            default: break
            }
        }
        switch evaluate(base) {
        case .record(let r):
            guard let e = r.lookup(name) else { return .undefined }
            var inner = self
            inner.scopes = scopes + [r]
            return inner.evaluate(e)
        case .undefined: return .undefined
        case .list(let items):
            // Selecting from a list of ads gives the list of selections (ClassAd semantics).
            return .list(items.map { .select($0, name) })
        default: return .error
        }
    }

    private func subscriptValue(_ base: ClassAdValue, _ index: ClassAdValue) -> ClassAdValue {
        if base.isError || index.isError { return .error }
        if base.isUndefined || index.isUndefined { return .undefined }
        switch (base, index) {
        case (.list(let items), .int(let i)):
            guard i >= 0, i < items.count else { return .error }
            return evaluate(items[Int(i)])
        case (.record(let r), .string(let s)):
            guard let e = r.lookup(s) else { return .undefined }
            var inner = self
            inner.scopes = scopes + [r]
            return inner.evaluate(e)
        default: return .error
        }
    }

    // MARK: operators

    /// `nil`: not a boolean at all (an error); `.some(nil)`: undefined or error; else the truth.
    func truth(_ v: ClassAdValue) -> Bool?? {
        switch v {
        case .bool(let b): return .some(b)
        case .int(let i): return .some(i != 0)
        case .real(let r): return .some(r != 0)
        case .undefined, .error: return .some(nil)
        default: return nil
        }
    }

    private func unary(_ op: ClassAdUnaryOp, _ v: ClassAdValue) -> ClassAdValue {
        if v.isError { return .error }
        if v.isUndefined { return .undefined }
        switch op {
        case .not:
            switch truth(v) {
            case .some(.some(let b)): return .bool(!b)
            default: return .error
            }
        case .minus:
            switch v {
            case .int(let i): return .int(0 &- i)
            case .real(let r): return .real(-r)
            default: return .error
            }
        case .plus:
            switch v {
            case .int, .real: return v
            default: return .error
            }
        case .bitNot:
            if case .int(let i) = v { return .int(~i) }
            return .error
        }
    }

    private func binary(_ op: ClassAdBinaryOp, _ ea: ClassAdExpr, _ eb: ClassAdExpr) -> ClassAdValue {
        switch op {
        case .and:
            let a = evaluate(ea)
            guard let ta = truth(a) else { return .error }
            if ta == .some(false) { return .bool(false) }
            if a.isError { return .error }
            let b = evaluate(eb)
            guard let tb = truth(b) else { return .error }
            if b.isError { return .error }
            if tb == .some(false) { return .bool(false) }
            if a.isUndefined || b.isUndefined { return .undefined }
            return .bool(true)
        case .or:
            let a = evaluate(ea)
            guard let ta = truth(a) else { return .error }
            if ta == .some(true) { return .bool(true) }
            if a.isError { return .error }
            let b = evaluate(eb)
            guard let tb = truth(b) else { return .error }
            if b.isError { return .error }
            if tb == .some(true) { return .bool(true) }
            if a.isUndefined || b.isUndefined { return .undefined }
            return .bool(false)
        case .metaEqual: return .bool(identical(evaluate(ea), evaluate(eb)))
        case .metaNotEqual: return .bool(!identical(evaluate(ea), evaluate(eb)))
        default:
            return strictBinary(op, evaluate(ea), evaluate(eb))
        }
    }

    /// `=?=`: same type and same value, strings compared case-sensitively.
    func identical(_ a: ClassAdValue, _ b: ClassAdValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.error, .error): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.real(let x), .real(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { identical(evaluate($0), evaluate($1)) }
        case (.record(let x), .record(let y)): return x == y
        default: return false
        }
    }

    /// Booleans take part in arithmetic as 0 and 1 (checked: `true + 1` is 2).
    private func arithmeticOperand(_ v: ClassAdValue) -> ClassAdValue {
        if case .bool(let b) = v { return .int(b ? 1 : 0) }
        return v
    }

    func strictBinary(_ op: ClassAdBinaryOp, _ a0: ClassAdValue, _ b0: ClassAdValue) -> ClassAdValue {
        if a0.isError || b0.isError { return .error }
        if a0.isUndefined || b0.isUndefined { return .undefined }
        switch op {
        case .equal, .notEqual, .lessThan, .lessOrEqual, .greaterThan, .greaterOrEqual:
            return compare(op, a0, b0)
        default: break
        }
        let a = arithmeticOperand(a0), b = arithmeticOperand(b0)
        switch op {
        case .add, .subtract, .multiply, .divide, .modulus:
            if case .int(let x) = a, case .int(let y) = b {
                switch op {
                case .add: return .int(x &+ y)
                case .subtract: return .int(x &- y)
                case .multiply: return .int(x &* y)
                case .divide:
                    if y == 0 { return .error }
                    if x == .min && y == -1 { return .int(.min) }
                    return .int(x / y)
                default:
                    if y == 0 { return .error }
                    if y == -1 { return .int(0) }
                    return .int(x % y)
                }
            }
            guard let x = a.number, let y = b.number else { return .error }
            let r: Double
            switch op {
            case .add: r = x + y
            case .subtract: r = x - y
            case .multiply: r = x * y
            case .divide: r = x / y
            default: r = y == 0 ? .nan : fmod(x, y)
            }
            // A positive infinite result is an error (`1e300 * 1e300`, `1.0 / 0`), while negative
            // infinity and NaN are kept (`-1e300 * 1e300`, `0 / 0.0`): HTCondor 24's behaviour.
            return r == .infinity ? .error : .real(r)
        case .bitAnd, .bitOr, .bitXor, .leftShift, .rightShift, .unsignedRightShift:
            // Bitwise operators take integers only (`true & false` is an error).
            guard case .int(let x) = a0, case .int(let y) = b0 else { return .error }
            // Shift counts wrap at 64 as the x86 shift instructions do (`1 << 70` is 64).
            let s = Int(UInt64(bitPattern: y) & 63)
            switch op {
            case .bitAnd: return .int(x & y)
            case .bitOr: return .int(x | y)
            case .bitXor: return .int(x ^ y)
            case .leftShift: return .int(x << s)
            case .rightShift: return .int(x >> s)
            default: return .int(Int64(bitPattern: UInt64(bitPattern: x) >> UInt64(s)))
            }
        default: return .error
        }
    }

    /// Relational operators: numbers numerically (booleans as 0/1), strings case-insensitively;
    /// anything else, or a string against a number, is an error.
    private func compare(_ op: ClassAdBinaryOp, _ a: ClassAdValue, _ b: ClassAdValue) -> ClassAdValue {
        let order: Int
        switch (arithmeticOperand(a), arithmeticOperand(b)) {
        case (.int(let x), .int(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)):
            order = ClassAdFunctions.caseInsensitiveCompare(x, y)
        case (let x, let y):
            guard let p = x.number, let q = y.number else { return .error }
            if p.isNaN || q.isNaN { return .bool(op == .notEqual) }
            order = p < q ? -1 : (p == q ? 0 : 1)
        }
        switch op {
        case .equal: return .bool(order == 0)
        case .notEqual: return .bool(order != 0)
        case .lessThan: return .bool(order < 0)
        case .lessOrEqual: return .bool(order <= 0)
        case .greaterThan: return .bool(order > 0)
        default: return .bool(order >= 0)
        }
    }
}
