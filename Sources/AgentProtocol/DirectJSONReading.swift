import WorkspaceBridge

/// The messages sent for every run (`run` on the host's files, `ack`, `started`, `exited`), read
/// without `JSONDecoder`, whose generic machinery costs more than the rest of receiving them.
/// They are read into the same values the `Codable` conformances make; any other message, and
/// any text the reader does not take (see `JSONReader`), is left to `JSONDecoder` (nil here).
public protocol DirectJSONReadable {
    static func read(directJSON: UnsafeBufferPointer<UInt8>) -> Self?
}

extension DirectJSONReadable {
    public static func read(directJSON bytes: [UInt8]) -> Self? {
        bytes.withUnsafeBufferPointer { read(directJSON: $0) }
    }
}

extension DaemonMessage: DirectJSONReadable {
    public static func read(directJSON bytes: UnsafeBufferPointer<UInt8>) -> DaemonMessage? {
        JSONReader.read(bytes) { r in
            var type: String?, key: RunKey?, run: RunRequest?
            try r.object { r, name in
                switch name {
                case "type": type = try r.string()
                case "key": key = try r.runKey()
                case "run": run = try r.runRequest()
                default: throw JSONReader.GiveUp()
                }
            }
            switch type {
            case "run": if let run { return .run(run) }
            case "ack": if let key { return .ack(key) }
            case "hello": return .hello
            case "shutdown": return .shutdown
            default: break
            }
            throw JSONReader.GiveUp()
        }
    }
}

extension AgentMessage: DirectJSONReadable {
    public static func read(directJSON bytes: UnsafeBufferPointer<UInt8>) -> AgentMessage? {
        JSONReader.read(bytes) { r in
            var type: String?, key: RunKey?, pid: Int32?, at: Double?, exit: ExitStatus?, reason: String?
            try r.object { r, name in
                switch name {
                case "type": type = try r.string()
                case "key": key = try r.runKey()
                case "pid": pid = try r.integer()
                case "at": at = try r.double()
                case "exit": exit = try r.exitStatus()
                case "reason": reason = r.null() ? nil : try r.string()
                default: throw JSONReader.GiveUp()
                }
            }
            switch (type, key, at) {
            case ("started", let key?, let at?): if let pid { return .started(key, pid: pid, at: at) }
            case ("exited", let key?, let at?): if let exit { return .exited(key, exit, at: at, reason: reason) }
            default: break
            }
            throw JSONReader.GiveUp()
        }
    }
}

extension JSONReader {
    mutating func runKey() throws -> RunKey {
        var job: JobID?, attempt: Int?
        try object { r, name in
            switch name {
            case "job": job = try r.integer()
            case "attempt": attempt = try r.integer()
            default: throw GiveUp()
            }
        }
        guard let job, let attempt else { throw GiveUp() }
        return RunKey(job: job, attempt: attempt)
    }

    /// As `ExitStatus`'s decoder: the exit code if there is one, else the signal.
    mutating func exitStatus() throws -> ExitStatus {
        var code: Int32?, signal: Int32?
        try object { r, name in
            switch name {
            case "exitCode": code = r.null() ? nil : try r.integer()
            case "signal": signal = try r.integer()
            default: throw GiveUp()
            }
        }
        if let code { return .exited(code) }
        guard let signal else { throw GiveUp() }
        return .signaled(signal)
    }

    /// A run on the host's files; a staged run or a VM run (more fields) gives up.
    mutating func runRequest() throws -> RunRequest {
        var key: RunKey?, executable: String?, arguments: [String]?, environment: [String: String]?, directory: String?
        var stdin: String?, stdout: String?, stderr: String?, uid: UInt32?, gid: UInt32?, groups: [UInt32]?
        var limits: RunLimits?, appendOutput: Bool?, writablePaths: [String]?
        func optionalString(_ r: inout JSONReader) throws -> String? { r.null() ? nil : try r.string() }
        try object { r, name in
            switch name {
            case "key": key = try r.runKey()
            case "executable": executable = try r.string()
            case "arguments": arguments = try r.strings()
            case "environment":
                var env: [String: String] = [:]
                try r.object { r, name in env[name] = try r.string() }
                environment = env
            case "directory": directory = try r.string()
            case "stdin": stdin = try optionalString(&r)
            case "stdout": stdout = try optionalString(&r)
            case "stderr": stderr = try optionalString(&r)
            case "uid": uid = try r.integer()
            case "gid": gid = try r.integer()
            case "groups":
                var list: [UInt32] = []
                try r.array { r in list.append(try r.integer()) }
                groups = list
            case "limits": limits = try r.runLimits()
            case "appendOutput": appendOutput = try r.bool()
            case "writablePaths": writablePaths = r.null() ? nil : try r.strings()
            case "staging", "vm": guard r.null() else { throw GiveUp() }
            default: throw GiveUp()
            }
        }
        guard let key, let executable, let arguments, let environment, let directory, let uid, let gid, let groups,
              let limits, let appendOutput else { throw GiveUp() }
        var run = RunRequest(key: key, executable: executable, arguments: arguments, environment: environment,
                             directory: directory, stdin: stdin, stdout: stdout, stderr: stderr,
                             uid: uid, gid: gid, groups: groups, limits: limits)
        run.appendOutput = appendOutput
        run.writablePaths = writablePaths
        return run
    }

    mutating func runLimits() throws -> RunLimits {
        var limits = RunLimits()
        func optional(_ r: inout JSONReader) throws -> Int? { r.null() ? nil : try r.integer() }
        try object { r, name in
            switch name {
            case "memoryMB": limits.memoryMB = try optional(&r)
            case "cpuTimeSeconds": limits.cpuTimeSeconds = try optional(&r)
            case "wallTimeSeconds": limits.wallTimeSeconds = try optional(&r)
            case "maxProcesses": limits.maxProcesses = try optional(&r)
            default: throw GiveUp()
            }
        }
        return limits
    }

    mutating func strings() throws -> [String] {
        var list: [String] = []
        try array { r in list.append(try r.string()) }
        return list
    }
}
