/// A job's number, unique in one store and stable across restarts.
public typealias JobID = Int64

/// How a run ended, as the agent saw it.
public enum ExitStatus: Codable, Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    enum CodingKeys: String, CodingKey { case exitCode, signal }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let code = try c.decodeIfPresent(Int32.self, forKey: .exitCode) {
            self = .exited(code)
        } else {
            self = .signaled(try c.decode(Int32.self, forKey: .signal))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .exited(let code): try c.encode(code, forKey: .exitCode)
        case .signaled(let sig): try c.encode(sig, forKey: .signal)
        }
    }

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signaled(let sig): "killed by signal \(sig)"
        }
    }
}

/// A job as the daemon records it.
public struct Job: Codable, Sendable, Equatable {
    public var id: JobID
    public var spec: JobSpec
    /// The submitter's uid, from the API socket's peer credentials.
    public var owner: UInt32
    public var state: JobState
    /// The workspace class chosen at submit.
    public var className: String
    public var submittedAt: Double
    /// Runs started (including those lost with their workspace).
    public var attempts: Int
    /// Failed runs that count against the job's retries.
    public var failures: Int
    public var workspaceID: String?
    public var exit: ExitStatus?
    /// Why the job is held, failed or waiting; shown by `status`.
    public var reason: String?
    /// A retried job waits until this time (backoff).
    public var notBefore: Double?
    public var startedAt: Double?
    public var endedAt: Double?
    /// A cancel or hold is in progress: the process is being stopped.
    public var stopping: JobState?

    public init(id: JobID, spec: JobSpec, owner: UInt32, state: JobState, className: String, submittedAt: Double,
                attempts: Int = 0, failures: Int = 0, workspaceID: String? = nil, exit: ExitStatus? = nil,
                reason: String? = nil, notBefore: Double? = nil, startedAt: Double? = nil,
                endedAt: Double? = nil, stopping: JobState? = nil) {
        self.id = id
        self.spec = spec
        self.owner = owner
        self.state = state
        self.className = className
        self.submittedAt = submittedAt
        self.attempts = attempts
        self.failures = failures
        self.workspaceID = workspaceID
        self.exit = exit
        self.reason = reason
        self.notBefore = notBefore
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.stopping = stopping
    }

    /// Moves the job, or throws if the state machine forbids the move.
    public mutating func move(to next: JobState, reason: String? = nil) throws(IllegalTransition) {
        guard state.canMove(to: next) else { throw IllegalTransition(job: id, from: state, to: next) }
        state = next
        self.reason = reason
    }
}
