/// The RSL grammar of `globus_rsl_parser.y` (GCT, gram/rsl/source), by recursive descent.
///
/// ```
/// specification := ('&' | '|' | '+') ('(' specification ')')+  |  relation
/// relation      := literal relop value+
/// value         := '(' value+ ')'  |  simple
/// simple        := primary ('#' primary)*          -- right-associative, as bison resolves it
/// primary       := literal  |  '$' '(' value+ ')'
/// ```
public enum RSLParser {
    /// Deeper nesting than this is refused: no real job nests more than a handful of levels, and
    /// the limit keeps recursion (here, in evaluation and in unparsing) within any thread's stack.
    public static let maximumDepth = 128

    /// Parses one RSL specification. The whole input must be used: trailing text is an error
    /// (the C library ignores some kinds of trailing text; see `RSLError.Kind.trailingInput`).
    public static func parse(_ text: String) throws(RSLError) -> RSLNode {
        if let nul = text.utf8.firstIndex(of: 0) {
            let offset = text.utf8.distance(from: text.utf8.startIndex, to: nul)
            throw RSLError(.invalidCharacter, "NUL characters are not allowed in RSL",
                           at: position(ofOffset: offset, in: text))
        }
        var parser = Parser(lexer: RSLLexer(text))
        let node = try parser.specification(depth: 0)
        let trailing = parser.peek()
        if case .invalid(let error) = trailing.kind {
            throw RSLError(.trailingInput, "text after the end of the specification: \(error.message)",
                           at: error.position)
        }
        guard trailing.kind == .end else {
            throw RSLError(.trailingInput, "unexpected \(trailing.display) after the end of the specification",
                           at: trailing.position)
        }
        return node
    }

    static func position(ofOffset offset: Int, in text: String) -> RSLPosition {
        var line = 1, column = 1
        for b in text.utf8.prefix(offset) {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return RSLPosition(line: line, column: column, offset: offset)
    }

    private struct Parser {
        var lexer: RSLLexer
        var lookahead: RSLToken?

        /// The next token; a scanner error becomes an `.invalid` token, so that the parser can
        /// tell an unreadable tail after a complete specification from one inside it.
        mutating func peek() -> RSLToken {
            if let t = lookahead { return t }
            let t: RSLToken
            do {
                t = try lexer.next()
            } catch {
                t = RSLToken(kind: .invalid(error), position: error.position ?? lexer.position)
            }
            lookahead = t
            return t
        }

        mutating func take() -> RSLToken {
            let t = peek()
            if case .invalid = t.kind { return t }
            lookahead = nil
            return t
        }

        /// The error for an unexpected token: the scanner's own error if it could not read one.
        func unexpected(_ t: RSLToken, _ message: String) -> RSLError {
            if case .invalid(let e) = t.kind { return e }
            return RSLError(.syntax, message, at: t.position)
        }

        mutating func expect(_ kind: RSLToken.Kind, _ what: String) throws(RSLError) {
            let t = take()
            guard t.kind == kind else {
                throw unexpected(t, "expected \(what) but found \(t.display)")
            }
        }

        func checkDepth(_ depth: Int, at position: RSLPosition) throws(RSLError) {
            if depth > RSLParser.maximumDepth {
                throw RSLError(.tooDeep, "parentheses are nested more than \(RSLParser.maximumDepth) levels deep",
                               at: position)
            }
        }

        mutating func specification(depth: Int) throws(RSLError) -> RSLNode {
            let t = peek()
            switch t.kind {
            case .boolean(let op):
                _ = take()
                var operands: [RSLNode] = []
                while case .leftParen = peek().kind {
                    let open = take()
                    try checkDepth(depth + 1, at: open.position)
                    operands.append(try specification(depth: depth + 1))
                    try expect(.rightParen, "\")\" to close the operand opened at \(open.position)")
                }
                if operands.isEmpty {
                    let after = peek()
                    throw unexpected(after, "\"\(op.rawValue)\" needs at least one \"(...)\" operand, found \(after.display)")
                }
                return .boolean(op, operands)
            case .string:
                return .relation(try relation(depth: depth))
            default:
                throw unexpected(t, "expected a relation (attribute = value) or one of \"&\", \"|\", \"+\" but found \(t.display)")
            }
        }

        mutating func relation(depth: Int) throws(RSLError) -> RSLRelation {
            let name = take()
            guard case .string(let attribute, _) = name.kind else {
                throw RSLError(.syntax, "expected an attribute name but found \(name.display)", at: name.position)
            }
            let opToken = take()
            guard case .relation(let op) = opToken.kind else {
                throw unexpected(opToken, "expected one of = != < <= > >= after attribute \"\(attribute)\" but found \(opToken.display)")
            }
            let values = try valueList(depth: depth, after: "\"\(op.rawValue)\" of attribute \"\(attribute)\"")
            return RSLRelation(attribute: attribute, op: op, values: values, position: name.position)
        }

        func startsValue(_ t: RSLToken) -> Bool {
            switch t.kind {
            case .string, .leftParen, .variableStart: true
            default: false
            }
        }

        /// One or more values.
        mutating func valueList(depth: Int, after context: String) throws(RSLError) -> [RSLValue] {
            var values: [RSLValue] = []
            while startsValue(peek()) {
                values.append(try value(depth: depth))
            }
            if values.isEmpty {
                let t = peek()
                throw unexpected(t, "expected a value after \(context) but found \(t.display)")
            }
            return values
        }

        mutating func value(depth: Int) throws(RSLError) -> RSLValue {
            if case .leftParen = peek().kind {
                let open = take()
                try checkDepth(depth + 1, at: open.position)
                let inner = try valueList(depth: depth + 1, after: "\"(\" at \(open.position)")
                try expect(.rightParen, "\")\" to close the sequence opened at \(open.position)")
                return .sequence(inner)
            }
            var parts = [try primary(depth: depth)]
            while case .concatenate = peek().kind {
                _ = take()
                parts.append(try primary(depth: depth))
            }
            // `a # b # c` is right-associative in the C grammar: a # (b # c).
            var result = parts.removeLast()
            while let left = parts.popLast() { result = .concatenation(left, result) }
            return result
        }

        mutating func primary(depth: Int) throws(RSLError) -> RSLValue {
            let t = take()
            switch t.kind {
            case .string(let s, _):
                return .literal(s)
            case .variableStart:
                let open = take()
                guard open.kind == .leftParen else {
                    throw unexpected(open, "expected \"(\" after \"$\" but found \(open.display)")
                }
                try checkDepth(depth + 1, at: open.position)
                let inner = try valueList(depth: depth + 1, after: "\"$(\" at \(t.position)")
                try expect(.rightParen, "\")\" to close the variable reference opened at \(t.position)")
                return .variable(inner)
            default:
                throw unexpected(t, "expected a literal or a $(...) variable reference but found \(t.display)")
            }
        }
    }
}
