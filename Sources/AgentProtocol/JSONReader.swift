/// Reads one JSON text field by field, straight into the caller's values, for the messages sent
/// for every run (`DirectJSONReadable`). It takes only plain JSON: anything else (a number with
/// a fraction where an integer is wanted, a value out of range, a lone surrogate, bytes that are
/// not UTF-8) makes it give up, and the caller decodes the text with `JSONDecoder`, which then
/// accepts it or says what is wrong with it.
struct JSONReader {
    struct GiveUp: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Reads a whole text: one value, then nothing but white space.
    static func read<T>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout JSONReader) throws -> T) -> T? {
        var reader = JSONReader(bytes)
        guard let value = try? body(&reader) else { return nil }
        reader.skipSpace()
        return reader.i == bytes.count ? value : nil
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    private mutating func next() -> UInt8? {
        skipSpace()
        return i < bytes.count ? bytes[i] : nil
    }

    private mutating func expect(_ c: UInt8) throws {
        guard next() == c else { throw GiveUp() }
        i += 1
    }

    /// An object: `field` is called with each name and must read its value. A name seen twice
    /// gives up (readers differ on which one counts).
    mutating func object(_ field: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if next() == UInt8(ascii: "}") { i += 1; return }
        // The names so far: a list while it is short, a set once it is long.
        var names: [String] = [], many: Set<String> = []
        while true {
            let name = try string()
            if names.count < 16 {
                guard !names.contains(name) else { throw GiveUp() }
                names.append(name)
            } else {
                if many.isEmpty { many = Set(names) }
                guard many.insert(name).inserted else { throw GiveUp() }
            }
            try expect(UInt8(ascii: ":"))
            try field(&self, name)
            switch next() {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return
            default: throw GiveUp()
            }
        }
    }

    mutating func array(_ element: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if next() == UInt8(ascii: "]") { i += 1; return }
        while true {
            try element(&self)
            switch next() {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "]"): i += 1; return
            default: throw GiveUp()
            }
        }
    }

    /// Reads `null` if it comes next; an optional field holding it is absent.
    mutating func null() -> Bool { word("null") }

    mutating func bool() throws -> Bool {
        if word("true") { return true }
        if word("false") { return false }
        throw GiveUp()
    }

    private mutating func word(_ w: StaticString) -> Bool {
        skipSpace()
        return literal(w)
    }

    /// `w` if it comes next, white space included.
    private mutating func literal(_ w: StaticString) -> Bool {
        guard bytes.count - i >= w.utf8CodeUnitCount else { return false }
        for k in 0..<w.utf8CodeUnitCount where bytes[i + k] != w.utf8Start[k] { return false }
        i += w.utf8CodeUnitCount
        return true
    }

    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = i
        // Most strings hold no escape: they are their own bytes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        guard i < bytes.count, bytes[i] >= 0x20 else { throw GiveUp() }
        var text = Array(bytes[start..<i])
        while bytes[i] == UInt8(ascii: "\\") {
            i += 1
            guard i < bytes.count else { throw GiveUp() }
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(c)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard literal("\\u") else { throw GiveUp() }
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw GiveUp() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw GiveUp() }
                text += Array(String(Character(u)).utf8)
            default: throw GiveUp()
            }
            while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 {
                text.append(bytes[i])
                i += 1
            }
            guard i < bytes.count, bytes[i] >= 0x20 else { throw GiveUp() }
        }
        i += 1  // the closing quote
        guard let s = String(validating: text, as: UTF8.self) else { throw GiveUp() }
        return s
    }

    private mutating func hex4() throws -> UInt32 {
        guard bytes.count - i >= 4 else { throw GiveUp() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            i += 1
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw GiveUp()
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// An integer written without fraction or exponent that fits `T`.
    mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        let (start, end, plain) = try number()
        guard plain, let v = T(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)) else {
            throw GiveUp()
        }
        return v
    }

    mutating func double() throws -> Double {
        let (start, end, _) = try number()
        guard let v = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)),
              v.isFinite else { throw GiveUp() }
        return v
    }

    /// Where a number in JSON's grammar lies, and whether it is an integer (no fraction or exponent).
    private mutating func number() throws -> (start: Int, end: Int, plain: Bool) {
        _ = next()
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            return i - from
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let first = i
        let n = digits()
        guard n > 0, n == 1 || bytes[first] != UInt8(ascii: "0") else { throw GiveUp() }
        var plain = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw GiveUp() }
            plain = false
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw GiveUp() }
            plain = false
        }
        return (start, i, plain)
    }
}
