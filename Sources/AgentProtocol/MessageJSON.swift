import WorkspaceBridge

/// The JSON of the messages sent for every run (`started`, `exited`, `ack`), written directly:
/// the general encoder costs more than the rest of sending them. The text is the same JSON the
/// `Codable` conformances write (the same fields and values; numbers and escapes may be spelt
/// differently, as JSON allows), so any reader decodes either; other messages, and any value
/// this writer does not take (a time that is not finite), go through `JSONEncoder`.
public protocol DirectJSON {
    /// The message as one JSON object, or nil to use `JSONEncoder`.
    var directJSON: [UInt8]? { get }
}

extension AgentMessage: DirectJSON {
    public var directJSON: [UInt8]? {
        var w = JSONObjectWriter()
        switch self {
        case .started(let key, let pid, let at):
            guard at.isFinite else { return nil }
            w.string("type", "started")
            w.key(key)
            w.number("pid", Int64(pid))
            w.double("at", at)
        case .exited(let key, let exit, let at, let reason):
            guard at.isFinite else { return nil }
            w.string("type", "exited")
            w.key(key)
            switch exit {
            case .exited(let code): w.raw("exit", "{\"exitCode\":\(code)}")
            case .signaled(let signal): w.raw("exit", "{\"signal\":\(signal)}")
            }
            w.double("at", at)
            if let reason { w.string("reason", reason) }
        default:
            return nil
        }
        return w.finish()
    }
}

extension DaemonMessage: DirectJSON {
    public var directJSON: [UInt8]? {
        guard case .ack(let key) = self else { return nil }
        var w = JSONObjectWriter()
        w.string("type", "ack")
        w.key(key)
        return w.finish()
    }
}

/// Writes one flat JSON object, field by field.
struct JSONObjectWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    mutating func raw(_ name: String, _ json: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        Self.append(string: name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        bytes += json.utf8
    }

    mutating func string(_ name: String, _ value: String) {
        var quoted: [UInt8] = []
        Self.append(string: value, to: &quoted)
        raw(name, String(decoding: quoted, as: UTF8.self))
    }

    mutating func number(_ name: String, _ value: Int64) { raw(name, String(value)) }

    /// A finite double, in Swift's shortest form that reads back exactly (valid JSON).
    mutating func double(_ name: String, _ value: Double) { raw(name, "\(value)") }

    mutating func key(_ key: RunKey) { raw("key", "{\"job\":\(key.job),\"attempt\":\(key.attempt)}") }

    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func append(string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in string.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
