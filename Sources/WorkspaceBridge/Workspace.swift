/// Where a workspace is in its life. Allowed moves are listed once, in `canMove(to:)`, and the
/// daemon makes no other: what used to be flags beside the state (attached, destroying, parked)
/// are states here, so that, say, a workspace being destroyed can never also take a job.
public enum WorkspaceState: String, Codable, Sendable, CaseIterable {
    /// The provider is creating it.
    case creating
    /// It exists; its agent is being reached, or was reached and has not yet reported its runs.
    case booting
    /// Its agent has reported; it has free slots and no run.
    case ready
    /// Its agent has reported; runs occupy slots (free ones may remain).
    case busy
    /// Being paused or saved (warm, idle); done, it is `paused` or `saved`.
    case parking
    /// A warm workspace parked until a job needs it (`warm_mode`).
    case paused, saved
    /// Being resumed or restored for a job; then it boots (its agent is reached again).
    case restoring
    /// Past its lease: takes no new job, goes when its runs are over.
    case draining
    /// Being destroyed on purpose.
    case destroying
    /// Its agent or machine died; its jobs are requeued and what is left is removed.
    case lost
    case destroyed

    /// Jobs may be placed in its free slots.
    public var takesJobs: Bool { self == .ready || self == .busy }
    /// It is, or is about to be, there for jobs: counted against `max_workspaces` and toward
    /// `warm_workspaces`.
    public var isUsable: Bool {
        switch self {
        case .creating, .booting, .ready, .busy, .parking, .paused, .saved, .restoring: true
        case .draining, .destroying, .lost, .destroyed: false
        }
    }
    /// Slots that will be available soon, without a new workspace: as good as one being created.
    public var isComing: Bool { self == .creating || self == .booting || self == .parking || self == .restoring }
    public var isParked: Bool { self == .paused || self == .saved }
    public var isGone: Bool { self == .lost || self == .destroyed }

    public func canMove(to next: WorkspaceState) -> Bool {
        if next == self { return false }
        switch (self, next) {
        // Anything that exists can die or be destroyed; only what was lost or destroyed is gone.
        case (_, .lost), (_, .destroying): return !isGone
        case (.lost, .destroyed), (.destroying, .destroyed): return true
        case (.creating, .booting): return true
        case (.booting, .ready), (.booting, .busy), (.booting, .draining): return true
        case (.ready, .busy), (.ready, .parking), (.ready, .draining), (.ready, .booting): return true
        case (.busy, .ready), (.busy, .draining), (.busy, .booting): return true
        // A park stopped half way (a job came during a save) goes back through its agent's hello.
        case (.parking, .paused), (.parking, .saved), (.parking, .ready), (.parking, .booting): return true
        case (.paused, .restoring), (.saved, .restoring): return true
        case (.restoring, .booting): return true
        case (.draining, .booting): return true
        default: return false
        }
    }
}

/// A move the workspace state machine does not allow.
public struct IllegalWorkspaceTransition: Error, Sendable, CustomStringConvertible {
    public let workspace: String
    public let from: WorkspaceState
    public let to: WorkspaceState
    public var description: String { "workspace \(workspace) cannot go from \(from.rawValue) to \(to.rawValue)" }
}

/// One resource control and whether it took effect on this host.
public struct Enforcement: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `memory`, `cpu`, `pids`, `namespaces`, `rlimits` ...
    public var control: String
    /// How: `cgroup-v1`, `cgroup-v2`, `bwrap`, `setrlimit`, `none`.
    public var mechanism: String
    public var effective: Bool
    /// The value applied, or why nothing was.
    public var detail: String

    public init(control: String, mechanism: String, effective: Bool, detail: String) {
        self.control = control
        self.mechanism = mechanism
        self.effective = effective
        self.detail = detail
    }

    public var description: String {
        "\(control): \(effective ? "" : "NOT ENFORCED ")\(mechanism) \(detail)"
    }
}

/// A deployed workspace: one local sandbox or one guest.
public struct Workspace: Codable, Sendable, Equatable {
    public var id: String
    public var className: String
    public var provider: String
    public var state: WorkspaceState
    /// The host process that embodies it (the sandbox or QEMU); lets the reconciler check liveness.
    public var pid: Int32?
    /// Where its agent listens (a Unix socket path).
    public var endpoint: String
    /// Provider's private handle (a directory, a libvirt domain name ...).
    public var handle: String
    public var createdAt: Double
    public var leaseExpiresAt: Double
    public var lastUsedAt: Double
    public var enforcement: [Enforcement]
    public var reason: String?
    /// What it has been given; it differs from its class's after a retune (`nil`: a record of an
    /// older version, made with its class's allocation of that time).
    public var allocation: ResourceAllocation?
    /// What the last retune or config reload did to it, and why.
    public var allocationNote: String?
    /// The content digest (SHA-256, hex) of the image it was made from, as its provider computed
    /// it from what it actually used (`WorkspaceProvider.imageDigest`); `nil` for a workspace
    /// recorded before digests were kept, which is never taken for outdated.
    public var imageDigest: String?

    /// Moves the workspace, or throws if the state machine forbids the move.
    public mutating func move(to next: WorkspaceState) throws(IllegalWorkspaceTransition) {
        guard state.canMove(to: next) else { throw IllegalWorkspaceTransition(workspace: id, from: state, to: next) }
        state = next
    }

    public init(id: String, className: String, provider: String, state: WorkspaceState, pid: Int32?,
                endpoint: String, handle: String, createdAt: Double, leaseExpiresAt: Double,
                lastUsedAt: Double, enforcement: [Enforcement] = [], reason: String? = nil,
                allocation: ResourceAllocation? = nil, allocationNote: String? = nil, imageDigest: String? = nil) {
        self.id = id
        self.className = className
        self.provider = provider
        self.state = state
        self.pid = pid
        self.endpoint = endpoint
        self.handle = handle
        self.createdAt = createdAt
        self.leaseExpiresAt = leaseExpiresAt
        self.lastUsedAt = lastUsedAt
        self.enforcement = enforcement
        self.reason = reason
        self.allocation = allocation
        self.allocationNote = allocationNote
        self.imageDigest = imageDigest
    }
}

public extension Array where Element == Enforcement {
    /// The list with `control`'s detail replaced (after a retune changed its value); an entry
    /// with no mechanism keeps its detail, which says why there is none.
    func replacingDetail(of control: String, with detail: String) -> [Enforcement] {
        map { e in
            guard e.control == control, e.mechanism != "none" else { return e }
            var changed = e
            changed.detail = detail
            return changed
        }
    }
}
