/// RSL evaluation as `globus_rsl_eval` does it (GCT `gram/rsl/source/globus_rsl.c`).
///
/// - Booleans open a scope; their operands are evaluated in order, so an `rsl_substitution`
///   is visible to the relations after it and to nested booleans.
/// - `rsl_substitution` (also `rslsubstitution`, any case) takes `(NAME VALUE)` pairs, each
///   evaluated in turn: `(a b) ($(a) foo)` binds `a=b`, then `b=foo`.
/// - `$(NAME)` is replaced by its binding; an unbound name or a default (`$(NAME default)`)
///   is an error, as in the library.
/// - Concatenations of two strings fold into one literal; concatenating a sequence fails.
///
/// The result holds only literals and sequences.
public enum RSLEvaluator {
    public static func evaluate(_ node: RSLNode, symbols: inout RSLSymbolTable) throws(RSLError) -> RSLNode {
        switch node {
        case .boolean(let op, let operands):
            symbols.pushScope()
            defer { symbols.popScope() }
            var evaluated: [RSLNode] = []
            evaluated.reserveCapacity(operands.count)
            for operand in operands {
                evaluated.append(try evaluate(operand, symbols: &symbols))
            }
            return .boolean(op, evaluated)
        case .relation(var relation):
            relation.values = try evaluate(relation, symbols: &symbols)
            return .relation(relation)
        }
    }

    /// Evaluates with a fresh symbol table holding `bindings`.
    public static func evaluate(_ node: RSLNode, bindings: [String: String]) throws(RSLError) -> RSLNode {
        var table = RSLSymbolTable(bindings)
        return try evaluate(node, symbols: &table)
    }

    static func isSubstitution(_ attribute: String) -> Bool {
        let lower = attribute.lowercased()
        return lower == "rsl_substitution" || lower == "rslsubstitution"
    }

    private static func evaluate(_ relation: RSLRelation, symbols: inout RSLSymbolTable) throws(RSLError) -> [RSLValue] {
        let at = relation.position
        if isSubstitution(relation.attribute) {
            var out: [RSLValue] = []
            for value in relation.values {
                guard case .sequence(let pair) = value else {
                    throw RSLError(.evaluation, "\(relation.attribute) takes (NAME VALUE) pairs, not a single value", at: at)
                }
                guard pair.count == 2 else {
                    throw RSLError(.evaluation, "\(relation.attribute) takes (NAME VALUE) pairs, found a sequence of \(pair.count)", at: at)
                }
                let name = try string(of: pair[0], symbols: symbols, at: at, what: "a substitution name")
                let bound = try string(of: pair[1], symbols: symbols, at: at, what: "the value of substitution \"\(name)\"")
                symbols.insert(name, bound)
                out.append(.sequence([.literal(name), .literal(bound)]))
            }
            return out
        }
        var out: [RSLValue] = []
        out.reserveCapacity(relation.values.count)
        for value in relation.values {
            out.append(try evaluate(value, symbols: symbols, at: at))
        }
        return out
    }

    /// A value in an ordinary relation: sequences keep their shape, everything else folds to a
    /// literal.
    private static func evaluate(_ value: RSLValue, symbols: RSLSymbolTable, at: RSLPosition?) throws(RSLError) -> RSLValue {
        if case .sequence(let items) = value {
            var out: [RSLValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try evaluate(item, symbols: symbols, at: at)) }
            return .sequence(out)
        }
        return .literal(try string(of: value, symbols: symbols, at: at, what: "a value"))
    }

    /// The string a literal, variable or concatenation stands for.
    static func string(of value: RSLValue, symbols: RSLSymbolTable, at: RSLPosition?, what: String) throws(RSLError) -> String {
        switch value {
        case .literal(let s):
            return s
        case .sequence:
            throw RSLError(.evaluation, "\(what) must be a single string, not a (...) sequence", at: at)
        case .variable(let parts):
            guard let name = parts.first?.literalString else {
                throw RSLError(.evaluation, "a variable name must be a literal string", at: at)
            }
            guard parts.count == 1 else {
                throw RSLError(.evaluation, "$(\(name) ...) has a default value; RSL evaluation does not support defaults", at: at)
            }
            guard let bound = symbols.lookup(name) else {
                throw RSLError(.evaluation, "variable $(\(name)) is not defined (define it with rsl_substitution)", at: at)
            }
            return bound
        case .concatenation:
            // Walk the right spine in a loop: long `a#b#c#...` chains nest to the right.
            var result = ""
            var rest = value
            while case .concatenation(let left, let right) = rest {
                result += try string(of: left, symbols: symbols, at: at, what: "each side of \"#\"")
                rest = right
            }
            result += try string(of: rest, symbols: symbols, at: at, what: "each side of \"#\"")
            return result
        }
    }
}
