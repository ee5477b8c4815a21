/// The canonical text of an RSL tree, byte for byte as `globus_rsl_unparse` writes it
/// (GCT `gram/rsl/source/globus_rsl.c`):
///
/// - every literal is double-quoted, with `"` doubled;
/// - a relation is `"attr" OP v1 v2 ... ` with one space after each value, so it ends in a space;
/// - a boolean is its operator followed by `(operand)` for each operand, with no spaces;
/// - a sequence is `(v1 v2 )`; a concatenation `left # right`;
/// - a variable is `$("NAME")`, or `$("NAME" "DEFAULT")` when its second part is a literal.
///   Parts after the second, and a second part that is not a literal, are not written: this is
///   what the library does, and the job manager logs and state files hold exactly this text.
public enum RSLUnparser {
    public static func unparse(_ node: RSLNode) throws(RSLError) -> String {
        var out = ""
        try write(node, to: &out)
        return out
    }

    public static func unparse(_ value: RSLValue) throws(RSLError) -> String {
        var out = ""
        try write(value, to: &out)
        return out
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            if ch == "\"" { out += "\"\"" } else { out.unicodeScalars.append(ch) }
        }
        out += "\""
        return out
    }

    private static func write(_ node: RSLNode, to out: inout String) throws(RSLError) {
        switch node {
        case .relation(let r):
            out += quote(r.attribute)
            out += " " + r.op.rawValue + " "
            for v in r.values {
                try write(v, to: &out)
                out += " "
            }
        case .boolean(let op, let operands):
            out += op.rawValue
            for operand in operands {
                out += "("
                try write(operand, to: &out)
                out += ")"
            }
        }
    }

    private static func write(_ value: RSLValue, to out: inout String) throws(RSLError) {
        switch value {
        case .literal(let s):
            out += quote(s)
        case .sequence(let items):
            out += "("
            for item in items {
                try write(item, to: &out)
                out += " "
            }
            out += ")"
        case .variable(let parts):
            guard let name = parts.first?.literalString else {
                throw RSLError(.unparse, "cannot write a variable reference whose name is not a literal string")
            }
            out += "$(" + quote(name)
            if parts.count > 1, let fallback = parts[1].literalString {
                out += " " + quote(fallback)
            }
            out += ")"
        case .concatenation:
            var rest = value
            while case .concatenation(let left, let right) = rest {
                try write(left, to: &out)
                out += " # "
                rest = right
            }
            try write(rest, to: &out)
        }
    }
}
