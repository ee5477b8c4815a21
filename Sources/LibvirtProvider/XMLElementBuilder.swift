/// A minimal XML element tree that renders with correct escaping.
///
/// Domain XML is write-mostly and small; building it as a value lets the generator stay a pure
/// function that tests compare and validate, without a document object model.
public struct XMLTree: Sendable, Equatable {
    public var name: String
    public var attributes: [(String, String)]
    public var children: [XMLTree]
    public var text: String?

    public init(_ name: String, _ attributes: [(String, String)] = [], text: String? = nil,
                children: [XMLTree] = []) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    /// Convenience for a leaf element whose text is `value`.
    public static func leaf(_ name: String, _ value: CustomStringConvertible, _ attributes: [(String, String)] = []) -> XMLTree {
        XMLTree(name, attributes, text: value.description)
    }

    public static func == (a: XMLTree, b: XMLTree) -> Bool {
        a.name == b.name && a.text == b.text && a.children == b.children
            && a.attributes.map { $0.0 } == b.attributes.map { $0.0 }
            && a.attributes.map { $0.1 } == b.attributes.map { $0.1 }
    }

    /// Indented XML text (no XML declaration: libvirt does not want one).
    public func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        var s = pad + "<" + name
        for (k, v) in attributes { s += " \(k)='\(XMLTree.escape(v, attribute: true))'" }
        if children.isEmpty {
            if let text { return s + ">" + XMLTree.escape(text, attribute: false) + "</\(name)>\n" }
            return s + "/>\n"
        }
        s += ">\n"
        if let text { s += pad + "  " + XMLTree.escape(text, attribute: false) + "\n" }
        for c in children { s += c.rendered(indent: indent + 1) }
        return s + pad + "</\(name)>\n"
    }

    /// Escapes the five XML specials; control characters other than tab/newline, which XML 1.0
    /// cannot carry at all, become spaces.
    public static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'" where attribute: out += "&apos;"
            case "\"" where attribute: out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(ch)
            default:
                if ch.value < 0x20 || ch.value == 0xFFFE || ch.value == 0xFFFF { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
