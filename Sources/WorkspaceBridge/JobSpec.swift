/// What a job asks for, independent of the front door it came through.
///
/// Every front door (the CLI, GRAM's RSL, an HTCondor submit file, a BLAH ClassAd) maps its own
/// description to one `JobSpec`; the daemon never looks at the original language again, except
/// for the origin-specific extras it carries along for the events it writes back.
public struct JobSpec: Codable, Sendable, Equatable {
    /// Path of the program; relative paths are resolved against `directory`, bare names on `PATH`.
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    /// Working directory; defaults to the owner's home directory.
    public var directory: String?
    public var stdin: String?
    public var stdout: String?
    public var stderr: String?
    /// Number of processes; the daemon records one job per process (GRAM sub-jobs).
    public var count: Int
    public var resources: ResourceRequest
    public var workspace: WorkspaceSelector
    /// Retries after a failed run; `nil` takes the site's `[retry] max_retries`.
    public var maxRetries: Int?
    /// Submit held: the job waits until it is released.
    public var hold: Bool
    /// Why it is submitted held (shown by `status`), e.g. no workspace class matches.
    public var holdReason: String?
    /// Higher runs first among one owner's queued jobs.
    public var priority: Int
    public var origin: JobOrigin
    /// Files that cross into a workspace that does not see the host's files, and back.
    public var transfer: FileTransfer?
    /// The job is a virtual machine of the user's own (HTCondor `universe = vm`): it gets a
    /// workspace of its own, made from these disks; `executable` is only a label.
    public var vm: VMDescription?

    public init(
        executable: String, arguments: [String] = [], environment: [String: String] = [:],
        directory: String? = nil, stdin: String? = nil, stdout: String? = nil, stderr: String? = nil,
        count: Int = 1, resources: ResourceRequest = .init(), workspace: WorkspaceSelector = .any,
        maxRetries: Int? = nil, hold: Bool = false, priority: Int = 0, origin: JobOrigin = .cli,
        transfer: FileTransfer? = nil, vm: VMDescription? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.count = count
        self.resources = resources
        self.workspace = workspace
        self.maxRetries = maxRetries
        self.hold = hold
        self.priority = priority
        self.origin = origin
        self.transfer = transfer
        self.vm = vm
    }

    enum CodingKeys: String, CodingKey {
        case executable, arguments, environment, directory, stdin, stdout, stderr, count
        case resources, workspace, maxRetries, hold, holdReason, priority, origin, transfer, vm
    }

    /// Decodes leniently: only `executable` is required, so hand-written JSON stays short.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        executable = try c.decode(String.self, forKey: .executable)
        arguments = try c.decodeIfPresent([String].self, forKey: .arguments) ?? []
        environment = try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:]
        directory = try c.decodeIfPresent(String.self, forKey: .directory)
        stdin = try c.decodeIfPresent(String.self, forKey: .stdin)
        stdout = try c.decodeIfPresent(String.self, forKey: .stdout)
        stderr = try c.decodeIfPresent(String.self, forKey: .stderr)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 1
        resources = try c.decodeIfPresent(ResourceRequest.self, forKey: .resources) ?? .init()
        workspace = try c.decodeIfPresent(WorkspaceSelector.self, forKey: .workspace) ?? .any
        maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries)
        hold = try c.decodeIfPresent(Bool.self, forKey: .hold) ?? false
        holdReason = try c.decodeIfPresent(String.self, forKey: .holdReason)
        priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? 0
        origin = try c.decodeIfPresent(JobOrigin.self, forKey: .origin) ?? .cli
        transfer = try c.decodeIfPresent(FileTransfer.self, forKey: .transfer)
        vm = try c.decodeIfPresent(VMDescription.self, forKey: .vm)
    }

    /// Checks what can be checked without touching the file system.
    public func validate() throws(JobSpecError) {
        if executable.isEmpty { throw .missingExecutable }
        if executable.contains("\0") || arguments.contains(where: { $0.contains("\0") }) {
            throw .invalid("executable and arguments must not contain NUL bytes")
        }
        if count < 1 { throw .invalidCount(count) }
        try SpecBounds.check("count", count, in: SpecBounds.count)
        try SpecBounds.check("priority", priority, in: SpecBounds.priority)
        try SpecBounds.check("maxRetries", maxRetries, in: SpecBounds.maxRetries)
        for key in environment.keys where key.isEmpty || key.contains("=") || key.contains("\0") {
            throw .invalid("environment variable name \"\(key)\" is not valid")
        }
        try resources.validate()
        if case .gram(let g) = origin, let dn = g.userDN, dn.unicodeScalars.count > 1024
            || dn.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            throw .invalid("origin.gram.userDN must be one line of at most 1024 characters")
        }
        try transfer?.validate()
        try vm?.validate()
    }
}

/// Resource requests that choose and size a workspace and limit the job inside it.
public struct ResourceRequest: Codable, Sendable, Equatable {
    public var cpus: Int?
    /// Upper bound of the job's memory (GRAM `max_memory`, HTCondor `request_memory`).
    public var memoryMB: Int?
    /// Memory the workspace must at least have (GRAM `min_memory`).
    public var minMemoryMB: Int?
    public var diskMB: Int?
    public var wallTimeSeconds: Int?
    public var cpuTimeSeconds: Int?

    public init(cpus: Int? = nil, memoryMB: Int? = nil, minMemoryMB: Int? = nil, diskMB: Int? = nil,
                wallTimeSeconds: Int? = nil, cpuTimeSeconds: Int? = nil) {
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.minMemoryMB = minMemoryMB
        self.diskMB = diskMB
        self.wallTimeSeconds = wallTimeSeconds
        self.cpuTimeSeconds = cpuTimeSeconds
    }

    func validate() throws(JobSpecError) {
        let named: [(String, Int?, ClosedRange<Int>)] = [
            ("cpus", cpus, SpecBounds.cpus), ("memoryMB", memoryMB, SpecBounds.memoryMB),
            ("minMemoryMB", minMemoryMB, SpecBounds.memoryMB), ("diskMB", diskMB, SpecBounds.diskMB),
            ("wallTimeSeconds", wallTimeSeconds, SpecBounds.seconds), ("cpuTimeSeconds", cpuTimeSeconds, SpecBounds.seconds),
        ]
        for (name, value, range) in named { try SpecBounds.check(name, value, in: range) }
    }
}

/// How a job chooses its workspace class.
public enum WorkspaceSelector: Codable, Sendable, Equatable {
    /// The site's default class (the first one configured), or the first class that fits.
    case any
    /// A class by name; the submit is refused if no such class exists.
    case named(String)
    /// A ClassAd expression evaluated against each class's attributes (HTCondor `requirements`);
    /// `rank` orders the classes that match.
    case requirements(String, rank: String?)

    enum CodingKeys: String, CodingKey { case `class`, requirements, rank }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let name = try c.decodeIfPresent(String.self, forKey: .class) {
            self = .named(name)
        } else if let expr = try c.decodeIfPresent(String.self, forKey: .requirements) {
            self = .requirements(expr, rank: try c.decodeIfPresent(String.self, forKey: .rank))
        } else {
            self = .any
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .any: break
        case .named(let name): try c.encode(name, forKey: .class)
        case .requirements(let expr, let rank):
            try c.encode(expr, forKey: .requirements)
            try c.encodeIfPresent(rank, forKey: .rank)
        }
    }
}

/// Which front door a job came through, with what that front door needs to report back.
public enum JobOrigin: Codable, Sendable, Equatable {
    case cli
    case gram(GRAMOrigin)
    case condor(CondorOrigin)

    enum CodingKeys: String, CodingKey { case kind, gram, condor }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decodeIfPresent(String.self, forKey: .kind) ?? "cli" {
        case "gram": self = .gram(try c.decodeIfPresent(GRAMOrigin.self, forKey: .gram) ?? .init())
        case "condor": self = .condor(try c.decodeIfPresent(CondorOrigin.self, forKey: .condor) ?? .init())
        case "cli": self = .cli
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                debugDescription: "unknown origin kind \"\(other)\" (expected cli, gram or condor)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .cli: try c.encode("cli", forKey: .kind)
        case .gram(let g): try c.encode("gram", forKey: .kind); try c.encode(g, forKey: .gram)
        case .condor(let o): try c.encode("condor", forKey: .kind); try c.encode(o, forKey: .condor)
        }
    }

    public var name: String {
        switch self {
        case .cli: "cli"
        case .gram: "gram"
        case .condor: "condor"
        }
    }
}

/// GRAM-specific parts of a job: what the job manager passed and wants back.
public struct GRAMOrigin: Codable, Sendable, Equatable {
    public var jobType: String?
    public var queue: String?
    public var project: String?
    /// The job manager's own job id or contact, when the adapter knows it.
    public var contact: String?
    /// The submitter's grid identity (X.509 DN), when the adapter knows it (for accounting).
    public var userDN: String?
    public init(jobType: String? = nil, queue: String? = nil, project: String? = nil, contact: String? = nil) {
        self.jobType = jobType
        self.queue = queue
        self.project = project
        self.contact = contact
    }
}

/// HTCondor-specific parts of a job: its cluster and proc, its ClassAd and user log.
public struct CondorOrigin: Codable, Sendable, Equatable {
    public var cluster: Int?
    public var proc: Int?
    /// Attribute name → ClassAd expression text, as the submit file produced them.
    public var ad: [String: String]
    /// The user event log (`log = FILE`).
    public var userLog: String?
    public init(cluster: Int? = nil, proc: Int? = nil, ad: [String: String] = [:], userLog: String? = nil) {
        self.cluster = cluster
        self.proc = proc
        self.ad = ad
        self.userLog = userLog
    }
}

public enum JobSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingExecutable
    case invalidCount(Int)
    case outOfRange(field: String, value: Int, range: ClosedRange<Int>)
    case invalid(String)

    public var description: String {
        switch self {
        case .missingExecutable: "the job names no executable"
        case .invalidCount(let n): "count must be 1 or more, not \(n)"
        case .outOfRange(let field, let value, let range):
            "\(field) must be between \(range.lowerBound) and \(range.upperBound), not \(value)"
        case .invalid(let why): why
        }
    }
}
