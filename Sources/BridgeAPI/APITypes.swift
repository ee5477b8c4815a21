import WorkspaceBridge

/// `POST /v1/jobs`: submit one or more jobs; a spec with `count` N becomes N jobs.
public struct SubmitRequest: Codable, Sendable {
    public var specs: [JobSpec]
    /// Makes a submit safe to repeat: a second submit of the same owner with the same key returns
    /// the first one's job ids and records nothing (a client that lost the reply retries with it).
    /// At most 256 characters; the CLI sends a fresh one per invocation, the GRAM adapter the job
    /// manager's job contact, the blahp its job id.
    public var idempotencyKey: String?
    public init(specs: [JobSpec], idempotencyKey: String? = nil) {
        self.specs = specs
        self.idempotencyKey = idempotencyKey
    }
}

public struct SubmitReply: Codable, Sendable {
    /// Per spec, the ids of the jobs it became (several when `count` > 1).
    public var jobs: [[JobID]]
    /// The store that recorded them (also `GET /v1/store`): ids are unique only within it.
    public var store: StoreIdentity?
    public init(jobs: [[JobID]], store: StoreIdentity? = nil) {
        self.jobs = jobs
        self.store = store
    }
}

/// `GET /v1/jobs`, `GET /v1/jobs/ID`: jobs with, on request, their history.
public struct JobStatus: Codable, Sendable {
    public var job: Job
    public var history: [JobTransition]?
    /// For a queued job: which limit holds it.
    public var waiting: String?
    /// The owner's user name (`job.owner` is the uid), when the password database has one.
    public var ownerName: String?
    public init(job: Job, history: [JobTransition]? = nil, waiting: String? = nil, ownerName: String? = nil) {
        self.job = job
        self.history = history
        self.waiting = waiting
        self.ownerName = ownerName
    }
}

/// `POST /v1/jobs/ID/{cancel,hold,release,suspend,resume}`.
public struct JobActionReply: Codable, Sendable {
    public var job: JobID
    public var state: JobState
    public init(job: JobID, state: JobState) {
        self.job = job
        self.state = state
    }
}

/// `GET /v1/workspaces`.
public struct WorkspaceStatus: Codable, Sendable {
    public var workspace: Workspace
    public var slots: Int
    public var jobs: [JobID]
    /// The machine it runs on: the daemon's own host name, or a remote libvirt host's. Absent
    /// from daemons that predate it.
    public var host: String?
    /// Made from another image than its class's current one (it is being replaced); absent
    /// while either digest is unknown.
    public var outdated: Bool?
    public init(workspace: Workspace, slots: Int, jobs: [JobID], host: String? = nil, outdated: Bool? = nil) {
        self.workspace = workspace
        self.slots = slots
        self.jobs = jobs
        self.host = host
        self.outdated = outdated
    }
}

/// `GET /v1/policy`, `POST /v1/policy/reload`.
public struct PolicyReply: Codable, Sendable {
    public var config: BridgeConfig
    /// The file it was read from; none for the built-in defaults.
    public var source: String?
    public var loadedAt: Double
    /// What the last load did to existing workspaces whose class changed: retuned in place, or
    /// draining (and why). Absent from daemons that predate it.
    public var workspaceChanges: [String]?
    public init(config: BridgeConfig, source: String?, loadedAt: Double, workspaceChanges: [String]? = nil) {
        self.config = config
        self.source = source
        self.loadedAt = loadedAt
        self.workspaceChanges = workspaceChanges
    }
}

/// `POST /v1/workspaces/{id}/retune`: what changed (every step was live; a refusal is an error).
public struct RetuneReply: Codable, Sendable {
    public var workspace: String
    public var plan: RetunePlan
    public var allocation: ResourceAllocation
    public init(workspace: String, plan: RetunePlan, allocation: ResourceAllocation) {
        self.workspace = workspace
        self.plan = plan
        self.allocation = allocation
    }
}

/// `GET /v1/jobs/ID/explain`.
public struct ExplainReply: Codable, Sendable {
    public var job: JobID
    public var state: JobState
    public var explanation: String
    public init(job: JobID, state: JobState, explanation: String) {
        self.job = job
        self.state = state
        self.explanation = explanation
    }
}

/// `GET /v1/events?after=SEQ&wait=SECONDS`.
public struct EventsReply: Codable, Sendable {
    public var events: [EventView]
    public var last: Int64
    public init(events: [EventView], last: Int64) {
        self.events = events
        self.last = last
    }
}

public struct EventView: Codable, Sendable {
    public var seq: Int64
    public var at: Double
    public var job: JobID?
    public var workspace: String?
    public var kind: String
    public var from: JobState?
    public var to: JobState?
    public var message: String?
    public init(seq: Int64, at: Double, job: JobID?, workspace: String?, kind: String, from: JobState?, to: JobState?,
                message: String?) {
        self.seq = seq
        self.at = at
        self.job = job
        self.workspace = workspace
        self.kind = kind
        self.from = from
        self.to = to
        self.message = message
    }
}

/// Every error reply: one line a user can act on, and a stable code for programs.
public struct APIErrorBody: Codable, Sendable, Error, CustomStringConvertible {
    public var error: String
    /// `bad-request`, `not-found`, `forbidden`, `invalid-job`, `unknown-class`, `over-limit`, `conflict`, `internal`.
    public var code: String
    public init(error: String, code: String) {
        self.error = error
        self.code = code
    }
    public var description: String { error }
}

/// `GET /v1/hosts`: a host the libvirt classes place guests on, as it answers now.
public struct HostStatus: Codable, Sendable {
    public var uri: String
    public var provider: String
    /// The classes that name it.
    public var classes: [String]
    /// Drained since then (`hosts drain`): it takes no new workspace; absent if not drained.
    public var drainedSince: Double?
    /// Why it did not answer; absent if it did.
    public var unreachable: String?
    /// Our workspaces there, with their state and jobs.
    public var workspaces: [HostWorkspace]
    /// Domains there that are not ours.
    public var foreign: Int
    public init(uri: String, provider: String, classes: [String], drainedSince: Double?, unreachable: String?,
                workspaces: [HostWorkspace], foreign: Int) {
        self.uri = uri
        self.provider = provider
        self.classes = classes
        self.drainedSince = drainedSince
        self.unreachable = unreachable
        self.workspaces = workspaces
        self.foreign = foreign
    }
}

public struct HostWorkspace: Codable, Sendable {
    public var id: String
    /// Its state as the daemon tracks it (`unknown`: found on the host, not in the store).
    public var state: String
    public var jobs: [JobID]
    public init(id: String, state: String, jobs: [JobID]) {
        self.id = id
        self.state = state
        self.jobs = jobs
    }
}

/// `POST /v1/hosts/drain` and `/v1/hosts/undrain`: the host, by its URI as `GET /v1/hosts` names it.
public struct HostRequest: Codable, Sendable {
    public var uri: String
    public init(uri: String) { self.uri = uri }
}

/// `POST /v1/hosts/drain`: what became of the workspaces that were there.
public struct DrainReply: Codable, Sendable {
    public struct Moved: Codable, Sendable {
        public var workspace: String
        public var to: String
        /// The live migration's time, from its start to the guest running there.
        public var seconds: Double
        public var jobs: [JobID]
        public init(workspace: String, to: String, seconds: Double, jobs: [JobID]) {
            self.workspace = workspace
            self.to = to
            self.seconds = seconds
            self.jobs = jobs
        }
    }
    public struct NotMoved: Codable, Sendable {
        public var workspace: String
        public var reason: String
        public init(workspace: String, reason: String) {
            self.workspace = workspace
            self.reason = reason
        }
    }
    public var host: String
    public var drainedSince: Double
    /// Guests running jobs, moved live to another host of their class.
    public var moved: [Moved] = []
    /// Workspaces without jobs (idle, parked), destroyed instead.
    public var destroyed: [String] = []
    /// Workspaces that could not move: they run where they were, take no new job, and go once
    /// their jobs are done.
    public var notMoved: [NotMoved] = []
    public init(host: String, drainedSince: Double) {
        self.host = host
        self.drainedSince = drainedSince
    }
}
