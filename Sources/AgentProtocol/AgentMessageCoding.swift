import WorkspaceBridge

// Each message is one JSON object with a "type" field; the wire form is kept flat and stable so
// that an agent of another version, or a guest's agent, can still be read.

private enum Field: String, CodingKey {
    case type, run, key, signal, info, runs, pid, at, exit, reason, message, suspended, chunk, note, transient, usage
}

extension DaemonMessage: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Field.self)
        switch try c.decode(String.self, forKey: .type) {
        case "hello": self = .hello
        case "run": self = .run(try c.decode(RunRequest.self, forKey: .run))
        case "signal": self = .signal(try c.decode(RunKey.self, forKey: .key), try c.decode(RunSignal.self, forKey: .signal))
        case "ack": self = .ack(try c.decode(RunKey.self, forKey: .key))
        case "fetch-output": self = .fetchOutput(try c.decode(RunKey.self, forKey: .key))
        case "shutdown": self = .shutdown
        case "stage": self = .stage(try c.decode(FileChunk.self, forKey: .chunk))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown message type \(other)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Field.self)
        switch self {
        case .hello: try c.encode("hello", forKey: .type)
        case .run(let r): try c.encode("run", forKey: .type); try c.encode(r, forKey: .run)
        case .signal(let k, let s):
            try c.encode("signal", forKey: .type); try c.encode(k, forKey: .key); try c.encode(s, forKey: .signal)
        case .ack(let k): try c.encode("ack", forKey: .type); try c.encode(k, forKey: .key)
        case .fetchOutput(let k): try c.encode("fetch-output", forKey: .type); try c.encode(k, forKey: .key)
        case .shutdown: try c.encode("shutdown", forKey: .type)
        case .stage(let chunk): try c.encode("stage", forKey: .type); try c.encode(chunk, forKey: .chunk)
        }
    }
}

extension AgentMessage: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Field.self)
        switch try c.decode(String.self, forKey: .type) {
        case "state":
            self = .state(try c.decode(AgentInfo.self, forKey: .info), try c.decode([AgentRunRecord].self, forKey: .runs))
        case "started":
            self = .started(try c.decode(RunKey.self, forKey: .key), pid: try c.decode(Int32.self, forKey: .pid),
                            at: try c.decode(Double.self, forKey: .at))
        case "exited":
            self = .exited(try c.decode(RunKey.self, forKey: .key), try c.decode(ExitStatus.self, forKey: .exit),
                           at: try c.decode(Double.self, forKey: .at), reason: try c.decodeIfPresent(String.self, forKey: .reason),
                           // Figures that cannot be read are left out; the exit itself still counts.
                           usage: ((try? c.decodeIfPresent(RunUsage.self, forKey: .usage)) ?? nil).flatMap { $0.isEmpty ? nil : $0 })
        case "rejected":
            self = .rejected(try c.decode(RunKey.self, forKey: .key), reason: try c.decode(String.self, forKey: .reason),
                             transient: try c.decodeIfPresent(Bool.self, forKey: .transient) ?? false)
        case "suspended":
            self = .suspended(try c.decode(RunKey.self, forKey: .key), try c.decode(Bool.self, forKey: .suspended))
        case "output": self = .output(try c.decode(OutputChunk.self, forKey: .chunk))
        case "output-end":
            self = .outputEnd(try c.decode(RunKey.self, forKey: .key), note: try c.decodeIfPresent(String.self, forKey: .note))
        case "error": self = .error(try c.decode(String.self, forKey: .message))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown message type \(other)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Field.self)
        switch self {
        case .state(let info, let runs):
            try c.encode("state", forKey: .type); try c.encode(info, forKey: .info); try c.encode(runs, forKey: .runs)
        case .started(let k, let pid, let at):
            try c.encode("started", forKey: .type); try c.encode(k, forKey: .key)
            try c.encode(pid, forKey: .pid); try c.encode(at, forKey: .at)
        case .exited(let k, let exit, let at, let reason, let usage):
            try c.encode("exited", forKey: .type); try c.encode(k, forKey: .key); try c.encode(exit, forKey: .exit)
            try c.encode(at, forKey: .at); try c.encodeIfPresent(reason, forKey: .reason); try c.encodeIfPresent(usage, forKey: .usage)
        case .rejected(let k, let reason, let transient):
            try c.encode("rejected", forKey: .type); try c.encode(k, forKey: .key); try c.encode(reason, forKey: .reason)
            // Left out when false: the message reads as it did before the field existed.
            if transient { try c.encode(true, forKey: .transient) }
        case .suspended(let k, let s):
            try c.encode("suspended", forKey: .type); try c.encode(k, forKey: .key); try c.encode(s, forKey: .suspended)
        case .output(let chunk): try c.encode("output", forKey: .type); try c.encode(chunk, forKey: .chunk)
        case .outputEnd(let k, let note):
            try c.encode("output-end", forKey: .type); try c.encode(k, forKey: .key); try c.encodeIfPresent(note, forKey: .note)
        case .error(let m): try c.encode("error", forKey: .type); try c.encode(m, forKey: .message)
        }
    }
}
