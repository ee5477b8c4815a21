/// A recursive-descent parser for ClassAd expressions, with the grammar levels of
/// `src/classad/source.cpp`: conditional, `||`, `&&`, `|`, `^`, `&`, equality, relational,
/// shift, additive, multiplicative, unary, postfix (`.name`, `[i]`), primary.
public struct ClassAdParser {
    private var tokens: [(ClassAdToken, Int)]
    private var index = 0
    /// Deep nesting is refused rather than allowed to exhaust the stack.
    private var depth = 0
    private static let maxDepth = 400

    /// Parses one complete expression; trailing text is an error.
    /// - Parameter oldSyntax: read string literals the old-ClassAd way, as submit files are
    ///   read (backslashes are literal except before a `"`).
    public static func parse(_ text: String, oldSyntax: Bool = false) throws(ClassAdParseError) -> ClassAdExpr {
        var lexer = ClassAdLexer(text, oldSyntax: oldSyntax)
        var p = ClassAdParser(tokens: try lexer.tokenize())
        let e = try p.parseExpression()
        guard case .end = p.peek else {
            throw ClassAdParseError(offset: p.offset, message: "unexpected text after the expression")
        }
        return e
    }

    private init(tokens: [(ClassAdToken, Int)]) { self.tokens = tokens }

    private var peek: ClassAdToken { tokens[index].0 }
    private var offset: Int { tokens[index].1 }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private mutating func accept(_ p: String) -> Bool {
        if case .punct(let s) = peek, s == p { advance(); return true }
        return false
    }

    private mutating func expect(_ p: String) throws(ClassAdParseError) {
        guard accept(p) else { throw ClassAdParseError(offset: offset, message: "expected '\(p)'") }
    }

    private func isKeyword(_ word: String) -> Bool {
        if case .identifier(let s) = peek, s.lowercased() == word { return true }
        return false
    }

    mutating func parseExpression() throws(ClassAdParseError) -> ClassAdExpr {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw ClassAdParseError(offset: offset, message: "expression nested too deeply") }
        let cond = try parseBinary(level: 1)
        if accept("?") {
            if accept(":") {
                return .conditional(cond, nil, try parseExpression())
            }
            let a = try parseExpression()
            try expect(":")
            return .conditional(cond, a, try parseExpression())
        }
        return cond
    }

    /// The binary operator at the head of the input, if any, by its text.
    private func peekBinary() -> ClassAdBinaryOp? {
        switch peek {
        case .punct(let s): return ClassAdBinaryOp(rawValue: s)
        case .identifier(let s):
            switch s.lowercased() {
            case "is": return .metaEqual
            case "isnt": return .metaNotEqual
            default: return nil
            }
        default: return nil
        }
    }

    private mutating func parseBinary(level: Int) throws(ClassAdParseError) -> ClassAdExpr {
        if level > 10 { return try parseUnary() }
        var lhs = try parseBinary(level: level + 1)
        while let op = peekBinary(), op.precedence == level {
            advance()
            let rhs = try parseBinary(level: level + 1)
            lhs = .binary(op, lhs, rhs)
        }
        return lhs
    }

    private mutating func parseUnary() throws(ClassAdParseError) -> ClassAdExpr {
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw ClassAdParseError(offset: offset, message: "expression nested too deeply") }
        if case .punct(let s) = peek, let op = ClassAdUnaryOp(rawValue: s) {
            advance()
            let operand = try parseUnary()
            // The ClassAd parser folds a minus sign into a numeric literal (`-3` is a literal).
            if op == .minus, case .literal(let v) = operand {
                if case .int(let i) = v { return .literal(.int(0 &- i)) }
                if case .real(let r) = v { return .literal(.real(-r)) }
            }
            return .unary(op, operand)
        }
        return try parsePostfix()
    }

    private mutating func parsePostfix() throws(ClassAdParseError) -> ClassAdExpr {
        var e = try parsePrimary()
        while true {
            if accept(".") {
                e = .select(e, try attributeName())
            } else if accept("[") {
                let i = try parseExpression()
                try expect("]")
                e = .subscripted(e, i)
            } else {
                return e
            }
        }
    }

    private mutating func attributeName() throws(ClassAdParseError) -> String {
        switch peek {
        case .identifier(let s), .quotedIdentifier(let s): advance(); return s
        default: throw ClassAdParseError(offset: offset, message: "expected an attribute name")
        }
    }

    private mutating func parsePrimary() throws(ClassAdParseError) -> ClassAdExpr {
        let at = offset
        switch peek {
        case .integer(let i): advance(); return .literal(.int(i))
        case .real(let r): advance(); return .literal(.real(r))
        case .string(let s): advance(); return .literal(.string(s))
        case .quotedIdentifier(let s): advance(); return .attribute(s)
        case .identifier(let s):
            advance()
            switch s.lowercased() {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "undefined": return .literal(.undefined)
            case "error": return .literal(.error)
            case "is", "isnt": throw ClassAdParseError(offset: at, message: "unexpected '\(s)'")
            default: break
            }
            if accept("(") {
                var args: [ClassAdExpr] = []
                if !accept(")") {
                    repeat { args.append(try parseExpression()) } while accept(",")
                    try expect(")")
                }
                return .call(s, args)
            }
            return .attribute(s)
        case .punct("("):
            advance()
            let e = try parseExpression()
            try expect(")")
            return .parenthesized(e)
        case .punct("{"):
            advance()
            var items: [ClassAdExpr] = []
            if !accept("}") {
                repeat { items.append(try parseExpression()) } while accept(",")
                try expect("}")
            }
            return .list(items)
        case .punct("["):
            advance()
            var fields: [ClassAdField] = []
            while !accept("]") {
                let name = try attributeName()
                try expect("=")
                fields.append(ClassAdField(name: name, expr: try parseExpression()))
                if !accept(";") {
                    try expect("]")
                    break
                }
            }
            return .record(ClassAdRecord(fields: fields))
        case .punct("."):
            advance()
            return .absoluteAttribute(try attributeName())
        case .end:
            throw ClassAdParseError(offset: at, message: "unexpected end of expression")
        default:
            throw ClassAdParseError(offset: at, message: "unexpected token")
        }
    }
}

extension ClassAdParser {
    /// Parses an expression as HTCondor reads job attributes from a submit file (old syntax).
    static func parseSubmitExpression(_ text: String) throws(ClassAdParseError) -> ClassAdExpr {
        try parse(text, oldSyntax: true)
    }
}
