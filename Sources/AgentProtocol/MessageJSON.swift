import WorkspaceBridge

/// The JSON of the messages sent for every run (`run` on the host's files, `started`, `exited`,
/// `ack`), written directly:
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
            w.exit("exit", exit)
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
        var w = JSONObjectWriter()
        switch self {
        case .ack(let key):
            w.string("type", "ack")
            w.key(key)
        case .run(let r):
            // A run on the host's files (a local sandbox); staged runs and VM runs carry more.
            guard r.staging == nil, r.vm == nil else { return nil }
            w.string("type", "run")
            var run = JSONObjectWriter()
            run.key(r.key)
            run.string("executable", r.executable)
            run.strings("arguments", r.arguments)
            var env = JSONObjectWriter()
            for (name, value) in r.environment { env.string(name, value) }
            run.raw("environment", env.finish())
            run.string("directory", r.directory)
            if let v = r.stdin { run.string("stdin", v) }
            if let v = r.stdout { run.string("stdout", v) }
            if let v = r.stderr { run.string("stderr", v) }
            run.number("uid", Int64(r.uid))
            run.number("gid", Int64(r.gid))
            run.raw("groups", Array("[\(r.groups.map(String.init).joined(separator: ","))]".utf8))
            var limits = JSONObjectWriter()
            if let v = r.limits.memoryMB { limits.number("memoryMB", Int64(v)) }
            if let v = r.limits.cpuTimeSeconds { limits.number("cpuTimeSeconds", Int64(v)) }
            if let v = r.limits.wallTimeSeconds { limits.number("wallTimeSeconds", Int64(v)) }
            if let v = r.limits.maxProcesses { limits.number("maxProcesses", Int64(v)) }
            run.raw("limits", limits.finish())
            run.bool("appendOutput", r.appendOutput)
            if let paths = r.writablePaths { run.strings("writablePaths", paths) }
            w.raw("run", run.finish())
        default:
            return nil
        }
        return w.finish()
    }
}

extension AgentRunRecord {
    /// The record as one JSON object, as its encoder writes it; nil for a staged run's record
    /// (it carries more) and for a time that is not finite: those go through `JSONEncoder`.
    public var directJSON: [UInt8]? {
        guard staged == nil, [startedAt, endedAt].allSatisfy({ $0?.isFinite ?? true }) else { return nil }
        var w = JSONObjectWriter()
        w.key(key)
        w.string("phase", phase.rawValue)
        if let pid { w.number("pid", Int64(pid)) }
        if let startedAt { w.double("startedAt", startedAt) }
        if let endedAt { w.double("endedAt", endedAt) }
        if let exit { w.exit("exit", exit) }
        if let reason { w.string("reason", reason) }
        w.bool("suspended", suspended)
        if let scratch { w.string("scratch", scratch) }
        if let startTicks { w.raw("startTicks", String(startTicks)) }
        if let lost { w.bool("lost", lost) }
        if let transient { w.bool("transient", transient) }
        if let cgroup { w.string("cgroup", cgroup) }
        return w.finish()
    }
}

/// Writes one flat JSON object, field by field.
struct JSONObjectWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    mutating func raw(_ name: String, _ json: String) { raw(name, Array(json.utf8)) }

    mutating func raw(_ name: String, _ json: [UInt8]) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        Self.append(string: name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        bytes += json
    }

    mutating func string(_ name: String, _ value: String) {
        var quoted: [UInt8] = []
        Self.append(string: value, to: &quoted)
        raw(name, quoted)
    }

    mutating func strings(_ name: String, _ values: [String]) {
        var list: [UInt8] = [UInt8(ascii: "[")]
        for (i, v) in values.enumerated() {
            if i > 0 { list.append(UInt8(ascii: ",")) }
            Self.append(string: v, to: &list)
        }
        list.append(UInt8(ascii: "]"))
        raw(name, list)
    }

    mutating func number(_ name: String, _ value: Int64) { raw(name, String(value)) }

    mutating func bool(_ name: String, _ value: Bool) { raw(name, value ? "true" : "false") }

    mutating func exit(_ name: String, _ exit: ExitStatus) {
        switch exit {
        case .exited(let code): raw(name, "{\"exitCode\":\(code)}")
        case .signaled(let signal): raw(name, "{\"signal\":\(signal)}")
        }
    }

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
