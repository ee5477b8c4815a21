/// The life of a job. Allowed moves are listed once, in `canMove(to:)`; the daemon refuses any
/// other move, so a record can never claim, say, to be running after it was cancelled.
public enum JobState: String, Codable, Sendable, CaseIterable, Comparable {
    case queued, starting, running, suspended, held, done, failed, cancelled

    public var isTerminal: Bool { self == .done || self == .failed || self == .cancelled }
    /// The job occupies a slot in a workspace.
    public var isActive: Bool { self == .starting || self == .running || self == .suspended }

    public func canMove(to next: JobState) -> Bool {
        switch (self, next) {
        case (.queued, .starting), (.queued, .held), (.queued, .cancelled):
            true
        case (.starting, .running), (.starting, .queued), (.starting, .failed), (.starting, .done),
             (.starting, .held), (.starting, .cancelled):
            true
        case (.running, .done), (.running, .failed), (.running, .queued), (.running, .suspended),
             (.running, .held), (.running, .cancelled):
            true
        case (.suspended, .running), (.suspended, .done), (.suspended, .failed), (.suspended, .queued),
             (.suspended, .held), (.suspended, .cancelled):
            true
        case (.held, .queued), (.held, .cancelled):
            true
        default:
            false
        }
    }

    public static func < (a: JobState, b: JobState) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One move of a job's state, with when and why.
public struct JobTransition: Codable, Sendable, Equatable {
    public var from: JobState?
    public var to: JobState
    public var at: Double
    public var reason: String?
    public init(from: JobState?, to: JobState, at: Double, reason: String? = nil) {
        self.from = from
        self.to = to
        self.at = at
        self.reason = reason
    }
}

public struct IllegalTransition: Error, Sendable, CustomStringConvertible {
    public let job: JobID
    public let from: JobState
    public let to: JobState
    public init(job: JobID, from: JobState, to: JobState) {
        self.job = job
        self.from = from
        self.to = to
    }
    public var description: String { "job \(job) cannot go from \(from.rawValue) to \(to.rawValue)" }
}
