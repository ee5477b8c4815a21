/// Reads `.rvf` files the way GCT's `globus_i_rvf_scanner.l` / `globus_i_rvf_parser.y` do.
///
/// - Records are separated by blank lines; `#` starts a comment that runs to the end of line.
/// - Each line of a record is `Name: value`, names case-insensitive: Attribute, Description,
///   Default, Values, RequiredWhen, DefaultWhen, ValidWhen, Publish. Any other line is an error.
/// - An unquoted value runs to the end of the line or to `#`. A value in double quotes may span
///   lines; `\"` inside stands for a quote.
/// - A When value is a whitespace-separated list of GLOBUS_GRAM_JOB_SUBMIT,
///   GLOBUS_GRAM_JOB_MANAGER_RESTART and GLOBUS_GRAM_JOB_MANAGER_STDIO_UPDATE; an empty value
///   means never. Publish is `true` or `false`.
///
/// Two upstream quirks are kept so that a file means here what it means to the job manager:
/// inside a *quoted* When list, GLOBUS_GRAM_JOB_MANAGER_RESTART reads as STDIO_UPDATE; and a
/// `Values:` line that is the last line of its record is dropped (the grammar's final-aspect rule
/// has no case for it). Two leniencies: trailing blanks of an unquoted value are trimmed, and the
/// last line may lack its newline.
public enum RVFParser {
    public static func parse(_ text: String, file: String = "string") throws(RVFError) -> [RVFRecord] {
        var scanner = Scanner(text: Array(text.utf8), file: file)
        return try scanner.records()
    }

    private enum Aspect: String, CaseIterable {
        case attribute, description, `default`, values, requiredwhen, defaultwhen, validwhen, publish
    }

    private enum Value {
        case empty
        case text(String)
        case when(RVFWhen)
        case bool(Bool)
    }

    private struct Scanner {
        let text: [UInt8]
        let file: String
        var i = 0
        var line = 1

        init(text: [UInt8], file: String) {
            self.text = text
            self.file = file
        }

        func error(_ message: String, line: Int? = nil) -> RVFError {
            RVFError(file: file, line: line ?? self.line, message: message)
        }

        func peek(_ k: Int = 0) -> UInt8? { i + k < text.count ? text[i + k] : nil }

        static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

        mutating func skipBlanks() { while let b = peek(), Scanner.isBlank(b) { i += 1 } }

        /// Consumes the rest of a line that may hold only blanks and a comment.
        mutating func endOfLine(_ what: String) throws(RVFError) {
            skipBlanks()
            if peek() == UInt8(ascii: "#") { while let b = peek(), b != 0x0A { i += 1 } }
            if let b = peek() {
                guard b == 0x0A else { throw error("unexpected text after \(what)") }
                i += 1
                line += 1
            }
        }

        mutating func records() throws(RVFError) -> [RVFRecord] {
            var result: [RVFRecord] = []
            var current: [(Aspect, Value, Int)] = []
            var lastWasComment = false
            while i < text.count {
                skipBlanks()
                guard let b = peek() else { break }
                if b == 0x0A {
                    i += 1
                    line += 1
                    if let record = try build(current, lastWasComment: lastWasComment) { result.append(record) }
                    current = []
                    lastWasComment = false
                    continue
                }
                if b == UInt8(ascii: "#") {
                    try endOfLine("a comment")
                    lastWasComment = true
                    continue
                }
                let startLine = line
                let (aspect, value) = try aspectLine()
                current.append((aspect, value, startLine))
                lastWasComment = false
            }
            if let record = try build(current, lastWasComment: lastWasComment) { result.append(record) }
            return result
        }

        mutating func aspectLine() throws(RVFError) -> (Aspect, Value) {
            let start = i
            while let b = peek(), (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) { i += 1 }
            let name = String(decoding: text[start..<i], as: UTF8.self)
            guard let aspect = Aspect(rawValue: name.lowercased()) else {
                throw error(name.isEmpty ? "expected a property name (Attribute, Default, ...)"
                                         : "unknown property \"\(name)\" (expected Attribute, Description, Default, Values, RequiredWhen, DefaultWhen, ValidWhen or Publish)")
            }
            skipBlanks()
            guard peek() == UInt8(ascii: ":") else { throw error("expected \":\" after \(name)") }
            i += 1
            skipBlanks()
            if peek() == UInt8(ascii: "\"") {
                i += 1
                var content: [UInt8] = []
                let openLine = line
                while true {
                    guard let b = peek() else { throw error("quoted value of \(name) is never closed", line: openLine) }
                    if b == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "\"") {
                        content.append(UInt8(ascii: "\""))
                        i += 2
                        continue
                    }
                    i += 1
                    if b == UInt8(ascii: "\"") { break }
                    if b == 0x0A { line += 1 }
                    content.append(b)
                }
                try endOfLine("the closing quote of \(name)")
                return (aspect, Scanner.classify(String(decoding: content, as: UTF8.self), quoted: true))
            }
            let from = i
            while let b = peek(), b != 0x0A, b != UInt8(ascii: "#") { i += 1 }
            var raw = Array(text[from..<i])
            while let last = raw.last, Scanner.isBlank(last) { raw.removeLast() }
            try endOfLine("the value of \(name)")
            return (aspect, Scanner.classify(String(decoding: raw, as: UTF8.self), quoted: false))
        }

        static func classify(_ s: String, quoted: Bool) -> Value {
            let words = s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map(String.init)
            if words.isEmpty { return .empty }
            if words.count == 1, words[0] == "true" || words[0] == "false" { return .bool(words[0] == "true") }
            var when: RVFWhen = []
            for w in words {
                guard var flag = RVFWhen.keywords.first(where: { $0.0 == w })?.1 else { return .text(s) }
                if quoted && flag == .restart { flag = .stdioUpdate }
                when.insert(flag)
            }
            return .when(when)
        }

        func build(_ aspects: [(Aspect, Value, Int)], lastWasComment: Bool) throws(RVFError) -> RVFRecord? {
            var record = RVFRecord(attribute: "")
            var hasAttribute = false
            for (index, (aspect, value, at)) in aspects.enumerated() {
                let isLast = index == aspects.count - 1 && !lastWasComment
                switch aspect {
                case .attribute, .description, .default, .values:
                    let text: String?
                    switch value {
                    case .text(let s): text = s
                    case .empty: text = nil
                    case .when, .bool: throw error("\(aspect.rawValue) needs a text value", line: at)
                    }
                    guard let text else { continue }
                    switch aspect {
                    case .attribute:
                        record.attribute = RSLAttributeName.canonical(text)
                        hasAttribute = true
                    case .description: record.description = text
                    case .default: record.defaultValue = text
                    default: if !isLast { record.values = text }
                    }
                case .requiredwhen, .defaultwhen, .validwhen:
                    let when: RVFWhen
                    switch value {
                    case .when(let w): when = w
                    case .empty: when = .never
                    case .text, .bool:
                        throw error("\(aspect.rawValue) needs a list of GLOBUS_GRAM_JOB_SUBMIT, GLOBUS_GRAM_JOB_MANAGER_RESTART, GLOBUS_GRAM_JOB_MANAGER_STDIO_UPDATE", line: at)
                    }
                    switch aspect {
                    case .requiredwhen: record.requiredWhen = when
                    case .defaultwhen: record.defaultWhen = when
                    default: record.validWhen = when
                    }
                case .publish:
                    guard case .bool(let b) = value else { throw error("Publish needs true or false", line: at) }
                    record.publish = b
                }
            }
            return hasAttribute ? record : nil
        }
    }
}
