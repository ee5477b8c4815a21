/// Tokens of the ClassAd expression language (`src/classad/lexer.cpp`).
enum ClassAdToken: Equatable {
    case integer(Int64)
    case real(Double)
    case string(String)
    case identifier(String)
    /// `'a name'`: an attribute name that needs quoting.
    case quotedIdentifier(String)
    case punct(String)
    case end
}

/// Where and why an expression could not be read.
public struct ClassAdParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "ClassAd parse error at offset \(offset): \(message)" }
}

/// Splits expression text into tokens. Works on Unicode scalars so that any input, including
/// invalid or binary text, is consumed without trapping.
struct ClassAdLexer {
    private let chars: [Unicode.Scalar]
    private var pos = 0
    /// Old ClassAd syntax, as HTCondor parses job attributes from submit files
    /// (`ParseClassAdRvalExpr`): inside strings only `\"` is an escape, every other backslash
    /// is an ordinary character (`"a\nb"` is four characters there).
    private let oldSyntax: Bool

    init(_ text: String, oldSyntax: Bool = false) {
        chars = Array(text.unicodeScalars)
        self.oldSyntax = oldSyntax
    }

    /// Three-character operators first, so that `>>>` and `=?=` win over their prefixes.
    private static let punctuators = [
        ">>>", "=?=", "=!=",
        "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
        "<", ">", "+", "-", "*", "/", "%", "!", "~", "&", "|", "^", "?", ":", ".", ",", ";",
        "(", ")", "[", "]", "{", "}", "=",
    ].map { Array($0.unicodeScalars) }

    mutating func tokenize() throws(ClassAdParseError) -> [(ClassAdToken, Int)] {
        var out: [(ClassAdToken, Int)] = []
        while true {
            skipSpaceAndComments()
            let start = pos
            guard pos < chars.count else { out.append((.end, pos)); return out }
            let c = chars[pos]
            if c == "\"" {
                out.append((.string(try readQuoted(delimiter: "\"")), start))
            } else if c == "'" {
                out.append((.quotedIdentifier(try readQuoted(delimiter: "'")), start))
            } else if isDigit(c) || (c == "." && pos + 1 < chars.count && isDigit(chars[pos + 1])) {
                out.append((try readNumber(), start))
            } else if isIdentStart(c) {
                var s = String.UnicodeScalarView()
                while pos < chars.count, isIdentPart(chars[pos]) { s.append(chars[pos]); pos += 1 }
                out.append((.identifier(String(s)), start))
            } else if let p = Self.punctuators.first(where: { matches($0) }) {
                pos += p.count
                var s = String.UnicodeScalarView()
                s.append(contentsOf: p)
                out.append((.punct(String(s)), start))
            } else {
                throw ClassAdParseError(offset: pos, message: "unexpected character '\(Character(c))'")
            }
        }
    }

    private func matches(_ p: [Unicode.Scalar]) -> Bool {
        guard pos + p.count <= chars.count else { return false }
        for (i, s) in p.enumerated() where chars[pos + i] != s { return false }
        return true
    }

    private mutating func skipSpaceAndComments() {
        while pos < chars.count {
            let c = chars[pos]
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" {
                pos += 1
            } else if c == "/", pos + 1 < chars.count, chars[pos + 1] == "/" {
                while pos < chars.count, chars[pos] != "\n" { pos += 1 }
            } else if c == "/", pos + 1 < chars.count, chars[pos + 1] == "*" {
                pos += 2
                while pos + 1 < chars.count, !(chars[pos] == "*" && chars[pos + 1] == "/") { pos += 1 }
                pos = min(chars.count, pos + 2)
            } else {
                return
            }
        }
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }
    private func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }

    /// A quoted string or quoted attribute name with C escapes (`\n`, `\t`, `\\`, `\"`, octal).
    private mutating func readQuoted(delimiter: Unicode.Scalar) throws(ClassAdParseError) -> String {
        let start = pos
        pos += 1
        var s = String.UnicodeScalarView()
        while pos < chars.count {
            let c = chars[pos]
            if c == delimiter { pos += 1; return String(s) }
            // Old syntax (`Lexer::tokenizeStringOld`, src/classad/lexer.cpp): a backslash before
            // the delimiter makes it literal, unless nothing (or a newline) follows the
            // delimiter: then the string simply ends with a backslash (`"C:\dir\"`).
            if oldSyntax, c == "\\", pos + 1 < chars.count, chars[pos + 1] == delimiter,
               pos + 2 < chars.count, chars[pos + 2] != "\n" {
                s.append(delimiter)
                pos += 2
                continue
            }
            if !oldSyntax, c == "\\", pos + 1 < chars.count {
                pos += 1
                let e = chars[pos]
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "r": s.append("\r")
                case "a": s.append("\u{07}")
                case "b": s.append("\u{08}")
                case "f": s.append("\u{0C}")
                case "v": s.append("\u{0B}")
                case "0"..."7":
                    var value: UInt32 = 0
                    var n = 0
                    while n < 3, pos < chars.count, chars[pos] >= "0", chars[pos] <= "7" {
                        value = value * 8 + (chars[pos].value - 48)
                        pos += 1
                        n += 1
                    }
                    pos -= 1
                    s.append(Unicode.Scalar(value) ?? "?")
                default: s.append(e)
                }
                pos += 1
                continue
            }
            s.append(c)
            pos += 1
        }
        throw ClassAdParseError(offset: start, message: "unterminated quoted text")
    }

    private mutating func readNumber() throws(ClassAdParseError) -> ClassAdToken {
        var text = ""
        var isReal = false
        while pos < chars.count, isDigit(chars[pos]) { text.unicodeScalars.append(chars[pos]); pos += 1 }
        if pos < chars.count, chars[pos] == "." {
            isReal = true
            text += "."
            pos += 1
            while pos < chars.count, isDigit(chars[pos]) { text.unicodeScalars.append(chars[pos]); pos += 1 }
        }
        if pos < chars.count, chars[pos] == "e" || chars[pos] == "E" {
            var look = pos + 1
            if look < chars.count, chars[look] == "+" || chars[look] == "-" { look += 1 }
            if look < chars.count, isDigit(chars[look]) {
                isReal = true
                text += "e"
                pos += 1
                if chars[pos] == "+" || chars[pos] == "-" { text.unicodeScalars.append(chars[pos]); pos += 1 }
                while pos < chars.count, isDigit(chars[pos]) { text.unicodeScalars.append(chars[pos]); pos += 1 }
            }
        }
        // A number glued to letters (`10K`, `0x10`) is not a ClassAd token; HTCondor refuses it.
        if pos < chars.count, isIdentStart(chars[pos]) {
            throw ClassAdParseError(offset: pos, message: "malformed number")
        }
        if isReal {
            if text.hasPrefix(".") { text = "0" + text }
            if text.hasSuffix(".") { text += "0" }
            return .real(Double(text) ?? 0)
        }
        // The ClassAd lexer turns an out-of-range integer into 0 (checked against HTCondor 24).
        return .integer(Int64(text) ?? 0)
    }
}
