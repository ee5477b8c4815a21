import Foundation

public struct TOMLParser {
    var s: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0

    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var p = TOMLParser(s: Array(text.utf8))
        return try p.document()
    }

    func error(_ m: String) -> TOMLError { TOMLError(line: line, column: i - lineStart + 1, message: m) }
    var atEnd: Bool { i >= s.count }
    var c: UInt8 { i < s.count ? s[i] : 0 }

    mutating func advance() {
        if c == 10 { line += 1; lineStart = i + 1 }
        i += 1
    }

    mutating func skipSpaces() { while c == 32 || c == 9 { i += 1 } }

    mutating func skipComment() throws(TOMLError) {
        if c == 35 {
            while !atEnd && c != 10 {
                if c < 32 && c != 9 && c != 13 { throw error("control character in comment") }
                i += 1
            }
        }
    }

    /// Spaces, comments and newlines (inside arrays).
    mutating func skipAll() throws(TOMLError) {
        while true {
            skipSpaces()
            try skipComment()
            if c == 10 { advance() } else if c == 13 && i + 1 < s.count && s[i + 1] == 10 { i += 1; advance() } else { return }
        }
    }

    mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        try skipComment()
        if atEnd { return }
        if c == 13 && i + 1 < s.count && s[i + 1] == 10 { i += 1 }
        guard c == 10 else { throw error("expected the end of the line, found \"\(Character(UnicodeScalar(c)))\"") }
        advance()
    }

    mutating func document() throws(TOMLError) -> TOMLTable {
        var root = TOMLTable()
        root.explicit = true
        var current: [String] = []
        while true {
            try skipAll()
            if atEnd { return root }
            if c == 91 {  // [
                let headerLine = line
                i += 1
                let isArray = c == 91
                if isArray { i += 1 }
                skipSpaces()
                let path = try key()
                skipSpaces()
                guard c == 93 else { throw error("expected ] after the table name") }
                i += 1
                if isArray {
                    guard c == 93 else { throw error("expected ]] after the array-of-tables name") }
                    i += 1
                }
                try endOfLine()
                if isArray {
                    try appendTable(&root, path, line: headerLine)
                } else {
                    try defineTable(&root, path, line: headerLine)
                }
                current = path
            } else {
                let keyLine = line
                let path = try key()
                skipSpaces()
                guard c == 61 else { throw error("expected = after the key \(path.joined(separator: "."))") }
                i += 1
                skipSpaces()
                let v = try value()
                try endOfLine()
                try insert(&root, current, path, v, line: keyLine)
            }
        }
    }

    mutating func key() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            if c == 34 { parts.append(try basicString()) } else if c == 39 { parts.append(try literalString()) } else {
                let start = i
                while !atEnd, c.isBareKey { i += 1 }
                guard i > start else { throw error("expected a key") }
                parts.append(String(decoding: s[start..<i], as: UTF8.self))
            }
            skipSpaces()
            if c == 46 { i += 1 } else { return parts }
        }
    }

    // MARK: tables

    /// Walks to the table at `path`, creating implicit tables; the last element of an array of
    /// tables is entered.
    func walk(_ table: inout TOMLTable, _ path: ArraySlice<String>, line: Int,
              _ body: (inout TOMLTable) throws(TOMLError) -> Void) throws(TOMLError) {
        guard let first = path.first else { return try body(&table) }
        var child: TOMLValue = table.entries[first] ?? .table(TOMLTable())
        if table.entries[first] == nil { table.order.append(first); table.lines[first] = line }
        switch child {
        case .table(var t):
            try walk(&t, path.dropFirst(), line: line, body)
            child = .table(t)
        case .array(var items):
            guard case .table(var last)? = items.last else {
                throw TOMLError(line: line, column: 1, message: "\(first) is an array of values, not of tables")
            }
            try walk(&last, path.dropFirst(), line: line, body)
            items[items.count - 1] = .table(last)
            child = .array(items)
        default:
            throw TOMLError(line: line, column: 1, message: "\(first) is a \(child.typeName), not a table (defined on line \(table.lines[first] ?? 0))")
        }
        table.entries[first] = child
    }

    func defineTable(_ root: inout TOMLTable, _ path: [String], line: Int) throws(TOMLError) {
        try walk(&root, path.dropLast(), line: line) { (t: inout TOMLTable) throws(TOMLError) in
            let name = path.last!
            switch t.entries[name] {
            case nil:
                var new = TOMLTable()
                new.explicit = true
                t.entries[name] = .table(new)
                t.order.append(name)
                t.lines[name] = line
            case .table(var existing):
                if existing.explicit {
                    throw TOMLError(line: line, column: 1, message: "table [\(path.joined(separator: "."))] is defined twice (first on line \(t.lines[name] ?? 0))")
                }
                existing.explicit = true
                t.entries[name] = .table(existing)
            default:
                throw TOMLError(line: line, column: 1, message: "\(name) is already a value, not a table")
            }
        }
    }

    func appendTable(_ root: inout TOMLTable, _ path: [String], line: Int) throws(TOMLError) {
        try walk(&root, path.dropLast(), line: line) { (t: inout TOMLTable) throws(TOMLError) in
            let name = path.last!
            var new = TOMLTable()
            new.explicit = true
            switch t.entries[name] {
            case nil:
                t.entries[name] = .array([.table(new)])
                t.order.append(name)
                t.lines[name] = line
            case .array(var items) where items.allSatisfy({ if case .table = $0 { true } else { false } }):
                items.append(.table(new))
                t.entries[name] = .array(items)
            default:
                throw TOMLError(line: line, column: 1, message: "\(name) is already defined and is not an array of tables")
            }
        }
    }

    func insert(_ root: inout TOMLTable, _ current: [String], _ path: [String], _ v: TOMLValue, line: Int) throws(TOMLError) {
        try walk(&root, ArraySlice(current + path.dropLast()), line: line) { (t: inout TOMLTable) throws(TOMLError) in
            let name = path.last!
            if t.entries[name] != nil {
                throw TOMLError(line: line, column: 1, message: "key \(path.joined(separator: ".")) is defined twice (first on line \(t.lines[name] ?? 0))")
            }
            t.entries[name] = v
            t.order.append(name)
            t.lines[name] = line
        }
    }

    // MARK: values

    mutating func value() throws(TOMLError) -> TOMLValue {
        switch c {
        case 34:
            if s[i...].starts(with: [34, 34, 34]) { return .string(try multilineBasic()) }
            return .string(try basicString())
        case 39:
            if s[i...].starts(with: [39, 39, 39]) { return .string(try multilineLiteral()) }
            return .string(try literalString())
        case 91: return try array()
        case 123: return try inlineTable()
        case 116, 102:  // t f
            if s[i...].starts(with: Array("true".utf8)) { i += 4; return .boolean(true) }
            if s[i...].starts(with: Array("false".utf8)) { i += 5; return .boolean(false) }
            throw error("expected a value")
        default:
            return try number()
        }
    }

    mutating func number() throws(TOMLError) -> TOMLValue {
        let start = i
        while !atEnd, c.isValueChar || (c == 32 && isDateTimeSpace(start)) { i += 1 }
        let text = String(decoding: s[start..<i], as: UTF8.self)
        guard !text.isEmpty else { throw error("expected a value") }
        if text.count >= 8, text.dropFirst(4).first == "-" || text.dropFirst(2).first == ":" { return .datetime(text) }
        switch text {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if text.contains("__") || text.hasPrefix("_") || text.hasSuffix("_") { throw error("misplaced _ in number \(text)") }
        let clean = text.replacingOccurrences(of: "_", with: "")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where clean.hasPrefix(prefix) {
            guard let v = Int64(clean.dropFirst(2), radix: radix) else { throw error("invalid number \(text)") }
            return .integer(v)
        }
        if let v = Int64(clean) {
            let digits = clean.trimmingCharacters(in: ["+", "-"])
            if digits.count > 1 && digits.hasPrefix("0") { throw error("leading zeros are not allowed: \(text)") }
            return .integer(v)
        }
        if clean.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let v = Double(clean), !clean.hasSuffix("."),
           !clean.hasPrefix(".") {
            return .float(v)
        }
        throw error("invalid value \(text)")
    }

    /// A space inside a date-time (`1979-05-27 07:32:00`) belongs to the value.
    func isDateTimeSpace(_ start: Int) -> Bool {
        i - start == 10 && s[start + 4] == 45 && i + 1 < s.count && s[i + 1] >= 48 && s[i + 1] <= 57
    }

    mutating func array() throws(TOMLError) -> TOMLValue {
        i += 1
        var items: [TOMLValue] = []
        while true {
            try skipAll()
            if c == 93 { i += 1; return .array(items) }
            items.append(try value())
            try skipAll()
            if c == 44 { i += 1; continue }
            guard c == 93 else { throw error("expected , or ] in array") }
        }
    }

    mutating func inlineTable() throws(TOMLError) -> TOMLValue {
        i += 1
        var t = TOMLTable()
        t.explicit = true
        skipSpaces()
        if c == 125 { i += 1; return .table(t) }
        while true {
            skipSpaces()
            let path = try key()
            skipSpaces()
            guard c == 61 else { throw error("expected = in inline table") }
            i += 1
            skipSpaces()
            let v = try value()
            try insert(&t, [], path, v, line: line)
            skipSpaces()
            if c == 44 { i += 1; continue }
            guard c == 125 else { throw error("expected , or } in inline table") }
            i += 1
            return .table(t)
        }
    }
}

extension UInt8 {
    var isBareKey: Bool { (self >= 65 && self <= 90) || (self >= 97 && self <= 122) || (self >= 48 && self <= 57) || self == 45 || self == 95 }
    var isValueChar: Bool { isBareKey || self == 43 || self == 46 || self == 58 }
}
