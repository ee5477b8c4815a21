/// Where a workspace is in its life.
public enum WorkspaceState: String, Codable, Sendable {
    /// The provider is creating it; no job goes there yet.
    case creating
    /// Its agent answers; jobs may be placed in free slots.
    case ready
    /// Past its lease or being destroyed: takes no new job, goes when empty.
    case draining
    /// A warm workspace parked until a job needs it (`warm_mode`).
    case paused, saved
    /// Its agent or machine died; its jobs are requeued and it is cleaned up.
    case lost
    case destroyed
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

    public init(id: String, className: String, provider: String, state: WorkspaceState, pid: Int32?,
                endpoint: String, handle: String, createdAt: Double, leaseExpiresAt: Double,
                lastUsedAt: Double, enforcement: [Enforcement] = [], reason: String? = nil) {
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
    }
}
