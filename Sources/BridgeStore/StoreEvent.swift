import WorkspaceBridge

/// One line of the daemon's event stream: a job's state change, or something that happened to a
/// workspace. The sequence number orders all of them and lets `wsbridge events --follow` resume.
public struct StoreEvent: Codable, Sendable, Equatable {
    public var seq: Int64
    public var at: Double
    public var jobID: JobID?
    public var workspaceID: String?
    /// `state` for job transitions; `workspace-created`, `workspace-lost`, `workspace-destroyed` ...
    public var kind: String
    public var from: JobState?
    public var to: JobState?
    public var message: String?

    public init(seq: Int64 = 0, at: Double, jobID: JobID? = nil, workspaceID: String? = nil, kind: String,
                from: JobState? = nil, to: JobState? = nil, message: String? = nil) {
        self.seq = seq
        self.at = at
        self.jobID = jobID
        self.workspaceID = workspaceID
        self.kind = kind
        self.from = from
        self.to = to
        self.message = message
    }

    /// A job's state change as an event.
    public static func transition(_ job: Job, from: JobState?, at: Double) -> StoreEvent {
        StoreEvent(at: at, jobID: job.id, workspaceID: job.workspaceID, kind: "state", from: from, to: job.state,
                   message: job.reason)
    }
}
