import WorkspaceBridge

/// GRAM job states, `globus_gram_protocol_job_state_t` (bit values).
public enum GRAMJobState: Int, Sendable, CaseIterable, Codable {
    case pending = 1
    case active = 2
    case failed = 4
    case done = 8
    case suspended = 16
    case unsubmitted = 32
    case stageIn = 64
    case stageOut = 128

    public var isTerminal: Bool { self == .done || self == .failed }

    /// The state a job manager shows for one of our jobs.
    ///
    /// - queued and starting are PENDING: the job waits for a workspace slot (or for its
    ///   workspace to boot);
    /// - held is SUSPENDED: it will not run until released, which is what PBS-style LRMs report
    ///   for held jobs too;
    /// - cancelled is FAILED, as after `qdel`.
    public init(_ state: JobState) {
        switch state {
        case .queued, .starting: self = .pending
        case .running: self = .active
        case .suspended, .held: self = .suspended
        case .done: self = .done
        case .failed, .cancelled: self = .failed
        }
    }

    /// Whether a job manager in state `self` accepts `next` (`globus_i_gram_job_manager_script_valid_state_change`).
    public func accepts(_ next: GRAMJobState) -> Bool {
        switch self {
        case .pending: next != .pending
        case .active: next != .pending && next != .active
        case .suspended: next != .pending && next != .suspended
        case .unsubmitted: next != .unsubmitted
        case .stageIn: next != .stageIn
        case .stageOut: next == .done || next == .failed
        case .done, .failed: false
        }
    }
}

/// GRAM job signals, `globus_gram_protocol_job_signal_t`. Only 1 to 4 reach an LRM module.
public enum GRAMSignal: Int, Sendable, CaseIterable, Codable {
    case cancel = 1
    case suspend = 2
    case resume = 3
    case priority = 4
    case commitRequest = 5
    case commitExtend = 6
    case stdioUpdate = 7
    case stdioSize = 8
    case stopManager = 9
    case commitEnd = 10
}
