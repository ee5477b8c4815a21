import Foundation

/// The bytes of a submit file, an include file, a queue item file or a command's output, as text.
///
/// HTCondor carries every byte through unchanged, but the bridge carries jobs as Unicode text
/// (JSON over its socket, Swift strings in the job spec). Replacing a byte that is not valid
/// UTF-8 would silently change the job, so such a byte is refused, with where it is.
enum SubmitText {
    static func decode(_ data: Data, file: String) throws(SubmitError) -> String {
        let bytes = [UInt8](data)
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        // Find the first byte that does not start or continue a valid sequence.
        var line = 1, column = 1, i = 0
        while i < bytes.count {
            let len = validSequenceLength(bytes, at: i)
            guard len > 0 else {
                throw SubmitError(.invalidValue, file: file, line: line,
                    String(format: "column %d: byte 0x%02X is not valid UTF-8; ", column, bytes[i])
                        + "save the file as UTF-8 (the bridge carries job text as Unicode)")
            }
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
            i += len
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0.
    private static func validSequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < b.count && b[i + k] >= lo && b[i + k] <= hi
        }
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
