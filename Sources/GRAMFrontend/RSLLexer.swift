/// One token of RSL text.
struct RSLToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case string(String, quoted: Bool)
        case boolean(RSLBooleanOperator)
        case relation(RSLRelationOperator)
        /// `#`, written or implied (`$(A)/b`, `a/$(B)`).
        case concatenate(implicit: Bool)
        case leftParen
        case rightParen
        case variableStart
        case end
        /// Text the scanner cannot read. The C scanner treats it as the end of the input, so it
        /// ends a specification quietly if one is complete; here it becomes an error either way.
        case invalid(RSLError)
    }

    var kind: Kind
    var position: RSLPosition

    /// How an error message names this token.
    var display: String {
        switch kind {
        case .string(let s, let quoted): quoted ? "quoted literal \"\(s)\"" : "literal \"\(s)\""
        case .boolean(let op): "\"\(op.rawValue)\""
        case .relation(let op): "\"\(op.rawValue)\""
        case .concatenate(let implicit): implicit ? "an implied \"#\"" : "\"#\""
        case .leftParen: "\"(\""
        case .rightParen: "\")\""
        case .variableStart: "\"$\""
        case .end: "the end of the input"
        case .invalid(let e): e.message
        }
    }
}

/// The RSL scanner, a hand-written equivalent of `globus_rsl_scanner.l` (GCT, gram/rsl/source).
///
/// It works on UTF-8 bytes, as flex does, and keeps the scanner's one piece of context: a stack
/// of parenthesis counts, one per open `$(` variable reference. That stack decides where the
/// scanner implies a `#` between a closing variable parenthesis and what directly follows.
struct RSLLexer {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    /// Open parentheses inside each open variable reference, innermost last.
    private var variableParens: [Int] = []
    /// An implied concatenation to hand out before scanning on.
    private var pendingConcatenation: RSLPosition?

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    var position: RSLPosition { RSLPosition(line: line, column: column, offset: index) }

    /// Whitespace is only space, tab and newline: a carriage return is an ordinary literal
    /// character, exactly as in the C scanner.
    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A }

    /// Characters that may start an unquoted literal (`UNQUOTED_LITERAL_CHAR`).
    static func isLiteralStart(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, 0x0A, 0x00: false
        case UInt8(ascii: "+"), UInt8(ascii: "&"), UInt8(ascii: "|"): false
        default: isLiteralContinuation(b)
        }
    }

    /// Characters that may follow inside an unquoted literal: `+ & |` are allowed there.
    static func isLiteralContinuation(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, 0x0A, 0x00,
             UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\""), UInt8(ascii: "'"),
             UInt8(ascii: "^"), UInt8(ascii: "*"), UInt8(ascii: "$"), UInt8(ascii: "#"),
             UInt8(ascii: "?"), UInt8(ascii: "~"):
            false
        default:
            true
        }
    }

    private func peekByte(_ ahead: Int = 0) -> UInt8? {
        let i = index + ahead
        return i < bytes.count ? bytes[i] : nil
    }

    private mutating func advance() {
        let b = bytes[index]
        index += 1
        if b == 0x0A {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func advance(_ n: Int) {
        for _ in 0..<n { advance() }
    }

    /// Skips whitespace and `(* ... *)` comments.
    private mutating func skipTrivia() throws(RSLError) {
        while let b = peekByte() {
            if RSLLexer.isWhitespace(b) {
                advance()
            } else if b == UInt8(ascii: "("), peekByte(1) == UInt8(ascii: "*") {
                let start = position
                advance(2)
                while true {
                    guard let c = peekByte() else {
                        throw RSLError(.unterminatedComment, "comment \"(*\" is never closed with \"*)\"", at: start)
                    }
                    if c == UInt8(ascii: "*"), peekByte(1) == UInt8(ascii: ")") {
                        advance(2)
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    /// The next token; `.end` at the end of the input (and again on every later call).
    mutating func next() throws(RSLError) -> RSLToken {
        if let p = pendingConcatenation {
            pendingConcatenation = nil
            return RSLToken(kind: .concatenate(implicit: true), position: p)
        }
        try skipTrivia()
        let start = position
        guard let b = peekByte() else { return RSLToken(kind: .end, position: start) }
        func token(_ kind: RSLToken.Kind, length: Int) -> RSLToken {
            advance(length)
            return RSLToken(kind: kind, position: start)
        }
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            advance()
            return try quoted(delimiter: [b], start: start)
        case UInt8(ascii: "^"):
            guard let d = peekByte(1) else {
                throw RSLError(.invalidCharacter, "\"^\" at the end of the input names no closing delimiter", at: start)
            }
            // The C scanner takes one byte; for a non-ASCII delimiter we take the whole
            // character so that the literal stays valid text.
            let length = RSLLexer.scalarLength(lead: d)
            guard index + 1 + length <= bytes.count else {
                throw RSLError(.invalidCharacter, "\"^\" is followed by an incomplete character", at: start)
            }
            let delimiter = Array(bytes[(index + 1)..<(index + 1 + length)])
            advance(1 + length)
            return try quoted(delimiter: delimiter, start: start)
        case UInt8(ascii: "$"):
            variableParens.append(0)
            return token(.variableStart, length: 1)
        case UInt8(ascii: "("):
            if !variableParens.isEmpty { variableParens[variableParens.count - 1] += 1 }
            return token(.leftParen, length: 1)
        case UInt8(ascii: ")"):
            let t = token(.rightParen, length: 1)
            if !variableParens.isEmpty {
                variableParens[variableParens.count - 1] -= 1
                if variableParens[variableParens.count - 1] == 0 {
                    variableParens.removeLast()
                    // A variable reference directly followed by a literal or another variable
                    // is concatenated with it: `$(HOME)/bin`, `$(A)$(B)`. Quotes do not join.
                    if let n = peekByte(), RSLLexer.isLiteralStart(n) || n == UInt8(ascii: "$") {
                        pendingConcatenation = position
                    }
                }
            }
            return t
        case UInt8(ascii: "="): return token(.relation(.equal), length: 1)
        case UInt8(ascii: "!"):
            guard peekByte(1) == UInt8(ascii: "=") else {
                throw RSLError(.invalidCharacter, "\"!\" must be followed by \"=\"", at: start)
            }
            return token(.relation(.notEqual), length: 2)
        case UInt8(ascii: "<"):
            return peekByte(1) == UInt8(ascii: "=") ? token(.relation(.lessOrEqual), length: 2)
                                                     : token(.relation(.less), length: 1)
        case UInt8(ascii: ">"):
            return peekByte(1) == UInt8(ascii: "=") ? token(.relation(.greaterOrEqual), length: 2)
                                                     : token(.relation(.greater), length: 1)
        case UInt8(ascii: "&"): return token(.boolean(.and), length: 1)
        case UInt8(ascii: "|"): return token(.boolean(.or), length: 1)
        case UInt8(ascii: "+"): return token(.boolean(.multiRequest), length: 1)
        case UInt8(ascii: "#"): return token(.concatenate(implicit: false), length: 1)
        default:
            guard RSLLexer.isLiteralStart(b) else {
                throw RSLError(.invalidCharacter, "character \(RSLLexer.describe(byte: b)) cannot start a token"
                               + " (quote it to use it in a value)", at: start)
            }
            let from = index
            while let c = peekByte(), RSLLexer.isLiteralContinuation(c) { advance() }
            let text = String(decoding: bytes[from..<index], as: UTF8.self)
            if peekByte() == UInt8(ascii: "$") { pendingConcatenation = position }
            return RSLToken(kind: .string(text, quoted: false), position: start)
        }
    }

    /// The body of a quoted literal; the opening delimiter is already consumed. A doubled
    /// delimiter stands for one delimiter character.
    private mutating func quoted(delimiter: [UInt8], start: RSLPosition) throws(RSLError) -> RSLToken {
        var content: [UInt8] = []
        while true {
            guard index < bytes.count else {
                let shown = String(decoding: delimiter, as: UTF8.self)
                throw RSLError(.unterminatedQuote, "quoted literal is never closed with \(shown)", at: start)
            }
            if startsWith(delimiter, at: index) {
                advance(delimiter.count)
                if startsWith(delimiter, at: index) {
                    content.append(contentsOf: delimiter)
                    advance(delimiter.count)
                    continue
                }
                return RSLToken(kind: .string(String(decoding: content, as: UTF8.self), quoted: true), position: start)
            }
            content.append(bytes[index])
            advance()
        }
    }

    private func startsWith(_ pattern: [UInt8], at i: Int) -> Bool {
        guard i + pattern.count <= bytes.count else { return false }
        for k in 0..<pattern.count where bytes[i + k] != pattern[k] { return false }
        return true
    }

    static func scalarLength(lead b: UInt8) -> Int {
        if b < 0x80 { return 1 }
        if b >> 5 == 0b110 { return 2 }
        if b >> 4 == 0b1110 { return 3 }
        if b >> 3 == 0b11110 { return 4 }
        return 1
    }

    static func describe(byte b: UInt8) -> String {
        switch b {
        case 0x00: "NUL"
        case 0x20...0x7E: "\"\(Character(Unicode.Scalar(b)))\""
        default: "0x" + String(b, radix: 16, uppercase: true)
        }
    }
}
