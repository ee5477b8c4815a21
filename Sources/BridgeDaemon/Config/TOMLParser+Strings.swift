import Foundation

extension TOMLParser {
    mutating func basicString() throws(TOMLError) -> String {
        i += 1
        var out: [UInt8] = []
        while true {
            guard !atEnd, c != 10 else { throw error("unterminated string") }
            if c == 34 { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == 92 { try escape(&out) } else { out.append(c); i += 1 }
        }
    }

    mutating func multilineBasic() throws(TOMLError) -> String {
        i += 3
        if c == 10 { advance() } else if c == 13 && i + 1 < s.count && s[i + 1] == 10 { i += 1; advance() }
        var out: [UInt8] = []
        while true {
            guard !atEnd else { throw error("unterminated multi-line string") }
            if s[i...].starts(with: [34, 34, 34]) {
                var quotes = 3
                while i + quotes < s.count && s[i + quotes] == 34 && quotes < 5 { quotes += 1 }
                out.append(contentsOf: repeatElement(34, count: quotes - 3))
                i += quotes
                return String(decoding: out, as: UTF8.self)
            }
            if c == 92 {
                // A backslash at the end of a line trims the newline and leading whitespace.
                var j = i + 1
                while j < s.count && (s[j] == 32 || s[j] == 9) { j += 1 }
                if j < s.count && (s[j] == 10 || s[j] == 13) {
                    i = j
                    while !atEnd && (c == 32 || c == 9 || c == 10 || c == 13) { advance() }
                    continue
                }
                try escape(&out)
            } else {
                out.append(c)
                advance()
            }
        }
    }

    mutating func escape(_ out: inout [UInt8]) throws(TOMLError) {
        i += 1
        let e = c
        i += 1
        switch e {
        case 98: out.append(8)
        case 116: out.append(9)
        case 110: out.append(10)
        case 102: out.append(12)
        case 114: out.append(13)
        case 101: out.append(27)
        case 34: out.append(34)
        case 92: out.append(92)
        case 117, 85:
            let n = e == 117 ? 4 : 8
            guard i + n <= s.count, let v = UInt32(String(decoding: s[i..<i + n], as: UTF8.self), radix: 16),
                  let scalar = UnicodeScalar(v) else { throw error("invalid unicode escape") }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            i += n
        default:
            throw error("invalid escape \\\(Character(UnicodeScalar(e)))")
        }
    }

    mutating func literalString() throws(TOMLError) -> String {
        i += 1
        let start = i
        while !atEnd && c != 39 { guard c != 10 else { throw error("unterminated string") }; i += 1 }
        guard !atEnd else { throw error("unterminated string") }
        let v = String(decoding: s[start..<i], as: UTF8.self)
        i += 1
        return v
    }

    mutating func multilineLiteral() throws(TOMLError) -> String {
        i += 3
        if c == 10 { advance() } else if c == 13 && i + 1 < s.count && s[i + 1] == 10 { i += 1; advance() }
        let start = i
        while !atEnd && !s[i...].starts(with: [39, 39, 39]) { advance() }
        guard !atEnd else { throw error("unterminated multi-line string") }
        var end = i
        i += 3
        while c == 39 && i - end < 5 { i += 1; end += 1 }
        return String(decoding: s[start..<end], as: UTF8.self)
    }
}
