import Foundation

/// Prints expressions the way HTCondor's `ClassAdUnParser` does (`src/classad/sink.cpp`).
///
/// Two syntaxes, as upstream: `.old` is what HTCondor prints job ads with (`condor_q -l`,
/// `condor_submit -dump`, the job queue log, the bindings' `printOld`); `.new` is the ClassAd
/// language proper (`condor_q -long:new`, `str(ExprTree)`, the `unparse()` and `string()`
/// functions, and the BLAH protocol, whose ads are read by the new-syntax parser).
///
/// Binary operators get one space on each side, unary ones a leading space (`a ||  !b`), lists
/// print as `{ a,b }`, nested ads as `[ a = 1; b = 2 ]`. In old syntax `is` and `isnt` print as
/// `=?=` and `=!=`, reals as `%.16G` (with `.0` added when that reads as an integer); in new
/// syntax as `is`/`isnt` and `%1.15E`. String escapes: see `quote(_:delimiter:syntax:)`.
public enum ClassAdUnparser {
    public enum Syntax: Sendable { case old, new }

    public static func unparse(_ e: ClassAdExpr, syntax: Syntax = .old) -> String {
        var out = ""
        write(e, syntax: syntax, into: &out)
        return out
    }

    static func write(_ e: ClassAdExpr, syntax: Syntax, into out: inout String) {
        switch e {
        case .literal(let v): writeValue(v, syntax: syntax, into: &out)
        case .attribute(let n): out += identifier(n, syntax: syntax)
        case .absoluteAttribute(let n): out += "." + identifier(n, syntax: syntax)
        case .select(let base, let n):
            write(base, syntax: syntax, into: &out)
            out += "." + n
        case .unary(let op, let a):
            out += " " + op.rawValue
            write(a, syntax: syntax, into: &out)
        case .binary(let op, let a, let b):
            write(a, syntax: syntax, into: &out)
            out += " " + operatorText(op, syntax: syntax) + " "
            write(b, syntax: syntax, into: &out)
        case .conditional(let c, let a, let b):
            write(c, syntax: syntax, into: &out)
            if let a {
                out += " ? "
                write(a, syntax: syntax, into: &out)
                out += " : "
            } else {
                out += " ?: "
            }
            write(b, syntax: syntax, into: &out)
        case .parenthesized(let a):
            out += "("
            write(a, syntax: syntax, into: &out)
            out += ")"
        case .subscripted(let a, let i):
            write(a, syntax: syntax, into: &out)
            out += "["
            write(i, syntax: syntax, into: &out)
            out += "]"
        case .call(let name, let args):
            out += name + "("
            for (i, a) in args.enumerated() {
                if i > 0 { out += "," }
                write(a, syntax: syntax, into: &out)
            }
            out += ")"
        case .list(let items):
            out += "{ "
            for (i, a) in items.enumerated() {
                if i > 0 { out += "," }
                write(a, syntax: syntax, into: &out)
            }
            out += " }"
        case .record(let r):
            out += "[ "
            for (i, f) in r.fields.enumerated() {
                if i > 0 { out += "; " }
                out += identifier(f.name, syntax: syntax) + " = "
                write(f.expr, syntax: syntax, into: &out)
            }
            out += " ]"
        }
    }

    /// `=?=`/`=!=` are the old spellings of `is`/`isnt` (sink.cpp, "back compatibility only").
    static func operatorText(_ op: ClassAdBinaryOp, syntax: Syntax) -> String {
        guard syntax == .new else { return op.rawValue }
        switch op {
        case .metaEqual: return "is"
        case .metaNotEqual: return "isnt"
        default: return op.rawValue
        }
    }

    static func writeValue(_ v: ClassAdValue, syntax: Syntax, into out: inout String) {
        switch v {
        case .undefined: out += "undefined"
        case .error: out += "error"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .real(let r): out += syntax == .old ? real(r) : newReal(r)
        case .string(let s): out += quote(s, syntax: syntax)
        case .list(let items): write(.list(items), syntax: syntax, into: &out)
        case .record(let r): write(.record(r), syntax: syntax, into: &out)
        }
    }

    /// `%.16G`, with `.0` appended when the result would read as an integer.
    public static func real(_ r: Double) -> String {
        if r == 0 { return r.sign == .minus ? "-0.0" : "0.0" }
        if r.isNaN { return "real(\"NaN\")" }
        if r.isInfinite { return r > 0 ? "real(\"INF\")" : "real(\"-INF\")" }
        var s = String(format: "%.16G", r)
        if !s.contains(".") && !s.contains("E") && !s.contains("e") { s += ".0" }
        return s
    }

    /// New syntax: `%1.15E`; zero, NaN and infinities as in old syntax.
    static func newReal(_ r: Double) -> String {
        if r == 0 || r.isNaN || r.isInfinite { return real(r) }
        return String(format: "%1.15E", r)
    }

    /// A string literal, byte for byte as `ClassAdUnParser::UnparseString` writes it.
    ///
    /// Both syntaxes escape the delimiter with a backslash (`\"` in strings, `\'` in quoted
    /// attribute names). Old syntax escapes nothing else: backslashes, tabs, newlines and every
    /// other byte pass through (old-ClassAd readers take a backslash literally unless it
    /// precedes a quote). New syntax writes `\a \b \f \n \r \t \v` and `\\`, and every other
    /// byte that C's `isprint` rejects in the C locale (controls, DEL, and each byte of a
    /// non-ASCII UTF-8 sequence) as a three-digit octal escape (`é` is `\303\251`).
    public static func quote(_ s: String, delimiter: UInt8 = UInt8(ascii: "\""), syntax: Syntax = .old) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count + 2)
        out.append(delimiter)
        appendEscaped(s, delimiter: delimiter, syntax: syntax, into: &out)
        out.append(delimiter)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendEscaped(_ s: String, delimiter: UInt8, syntax: Syntax, into out: inout [UInt8]) {
        let backslash = UInt8(ascii: "\\")
        for b in s.utf8 {
            if b == delimiter {
                out += [backslash, b]
                continue
            }
            guard syntax == .new else { out.append(b); continue }
            switch b {
            case 0x07: out += [backslash, UInt8(ascii: "a")]
            case 0x08: out += [backslash, UInt8(ascii: "b")]
            case 0x0C: out += [backslash, UInt8(ascii: "f")]
            case 0x0A: out += [backslash, UInt8(ascii: "n")]
            case 0x0D: out += [backslash, UInt8(ascii: "r")]
            case 0x09: out += [backslash, UInt8(ascii: "t")]
            case 0x0B: out += [backslash, UInt8(ascii: "v")]
            case backslash: out += [backslash, backslash]
            case 0x20...0x7E: out.append(b)
            default:
                out += [backslash, 0x30 + (b >> 6), 0x30 + ((b >> 3) & 7), 0x30 + (b & 7)]
            }
        }
    }

    /// An attribute name, quoted with `'` when it is not a plain identifier or is a reserved
    /// word (`UnparseAux` and `identifierNeedsQuoting` in sink.cpp).
    static func identifier(_ name: String, syntax: Syntax = .old) -> String {
        var escaped = [UInt8]()
        appendEscaped(name, delimiter: UInt8(ascii: "'"), syntax: syntax, into: &escaped)
        let text = String(decoding: escaped, as: UTF8.self)
        if isPlainIdentifier(text) && !reservedWords.contains(text.lowercased()) { return text }
        return "'" + text + "'"
    }

    static let reservedWords: Set<String> = ["error", "false", "is", "isnt", "parent", "true", "undefined"]
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
        }
    }
}
