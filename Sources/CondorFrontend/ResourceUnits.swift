/// `parse_int64_bytes` (`src/condor_utils/submit_utils.cpp`): an integer with an optional
/// fraction (three digits used) and an optional `K|M|G|T` suffix, optionally followed by `B`,
/// converted to bytes and rounded up to `base` (1 MiB for `request_memory`, 1 KiB for
/// `request_disk`). A bare number is already in `base` units. `nil` means "not a size": the
/// value is then an expression.
public enum ResourceUnits {
    public static func parse(_ input: String, base: Int64) -> Int64? {
        let chars = Array(input.utf8)
        var i = 0
        func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
        while i < chars.count, isSpace(chars[i]) { i += 1 }
        let start = i
        var negative = false
        if i < chars.count, chars[i] == UInt8(ascii: "-") || chars[i] == UInt8(ascii: "+") {
            negative = chars[i] == UInt8(ascii: "-")
            i += 1
        }
        var value: Int64 = 0
        var digits = 0
        while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
            value = value &* 10 &+ Int64(chars[i] - 48)
            digits += 1
            i += 1
        }
        if digits == 0 { i = start }
        if negative { value = -value }
        var fraction = 0.0
        if i < chars.count, chars[i] == UInt8(ascii: "."), digits > 0 || true {
            i += 1
            var scale = 0.1
            var n = 0
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                if n < 3 { fraction += Double(chars[i] - 48) * scale; scale /= 10 }
                n += 1
                i += 1
            }
        }
        if i == start { return nil }
        while i < chars.count, isSpace(chars[i]) { i += 1 }
        var mult: Int64 = 1
        if i >= chars.count {
            mult = base
        } else {
            switch chars[i] | 0x20 {
            case UInt8(ascii: "k"): mult = 1024
            case UInt8(ascii: "m"): mult = 1024 * 1024
            case UInt8(ascii: "g"): mult = 1024 * 1024 * 1024
            case UInt8(ascii: "t"): mult = 1024 * 1024 * 1024 * 1024
            default: return nil
            }
        }
        let result = Int64((Double(value) + fraction) * Double(mult) + Double(base - 1)) / base
        if i >= chars.count || i + 1 >= chars.count { return result }
        var j = i + 1
        if chars[j] | 0x20 == UInt8(ascii: "b") { j += 1 }
        while j < chars.count, isSpace(chars[j]) { j += 1 }
        return j >= chars.count ? result : nil
    }
}
