import Foundation

/// Prints expressions the way HTCondor prints job ads (`condor_q -l`, `printOld`, the job queue
/// log): `src/classad/sink.cpp` in old-ClassAd mode, checked against HTCondor 24.
///
/// Binary operators get one space on each side, unary ones a leading space (`a ||  !b`), `is`
/// and `isnt` print as `=?=` and `=!=`, lists as `{ a,b }`, nested ads as `[ a = 1; b = 2 ]`,
/// reals with up to 16 significant digits and always a `.` or exponent.
public enum ClassAdUnparser {
    public static func unparse(_ e: ClassAdExpr) -> String {
        var out = ""
        write(e, into: &out)
        return out
    }

    static func write(_ e: ClassAdExpr, into out: inout String) {
        switch e {
        case .literal(let v): writeValue(v, into: &out)
        case .attribute(let n): out += identifier(n)
        case .absoluteAttribute(let n): out += "." + identifier(n)
        case .select(let base, let n):
            write(base, into: &out)
            out += "." + n
        case .unary(let op, let a):
            out += " " + op.rawValue
            write(a, into: &out)
        case .binary(let op, let a, let b):
            write(a, into: &out)
            out += " " + op.rawValue + " "
            write(b, into: &out)
        case .conditional(let c, let a, let b):
            write(c, into: &out)
            if let a {
                out += " ? "
                write(a, into: &out)
                out += " : "
            } else {
                out += " ?: "
            }
            write(b, into: &out)
        case .parenthesized(let a):
            out += "("
            write(a, into: &out)
            out += ")"
        case .subscripted(let a, let i):
            write(a, into: &out)
            out += "["
            write(i, into: &out)
            out += "]"
        case .call(let name, let args):
            out += name + "("
            for (i, a) in args.enumerated() {
                if i > 0 { out += "," }
                write(a, into: &out)
            }
            out += ")"
        case .list(let items):
            out += "{ "
            for (i, a) in items.enumerated() {
                if i > 0 { out += "," }
                write(a, into: &out)
            }
            out += " }"
        case .record(let r):
            out += "[ "
            for (i, f) in r.fields.enumerated() {
                if i > 0 { out += "; " }
                out += identifier(f.name) + " = "
                write(f.expr, into: &out)
            }
            out += " ]"
        }
    }

    static func writeValue(_ v: ClassAdValue, into out: inout String) {
        switch v {
        case .undefined: out += "undefined"
        case .error: out += "error"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .real(let r): out += real(r)
        case .string(let s): out += quote(s)
        case .list(let items): write(.list(items), into: &out)
        case .record(let r): write(.record(r), into: &out)
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

    /// A string literal as HTCondor prints job ads: only the delimiter is escaped (`\"`); tabs,
    /// newlines, backslashes and UTF-8 pass through unchanged (checked against HTCondor 24).
    public static func quote(_ s: String, delimiter: UInt8 = UInt8(ascii: "\"")) -> String {
        var out = [UInt8]()
        out.append(delimiter)
        for b in s.utf8 {
            if b == delimiter { out += [UInt8(ascii: "\\"), b] } else { out.append(b) }
        }
        out.append(delimiter)
        return String(decoding: out, as: UTF8.self)
    }

    /// An attribute name, quoted with `'` when it is not a plain identifier.
    static func identifier(_ name: String) -> String {
        if isPlainIdentifier(name) { return name }
        return quote(name, delimiter: UInt8(ascii: "'"))
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
        }
    }
}
