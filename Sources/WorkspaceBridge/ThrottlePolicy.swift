/// What the scheduler knows when it decides about one queued job.
public struct SchedulerSnapshot: Sendable {
    public var now: Double
    public var running: Int
    public var runningByOwner: [UInt32: Int]
    /// Per class: ready workspaces with their free slots, in the order to fill them.
    public var freeSlots: [String: [(workspace: String, free: Int)]]
    /// Per class: workspaces alive (creating, ready or draining).
    public var workspaces: [String: Int]
    /// Per class: workspaces being created.
    public var creating: [String: Int]
    public var creatingTotal: Int
    /// Per class: queued jobs already waiting for a workspace being created (they will fill it).
    public var waitingForCreation: [String: Int]
    /// Per class: workspaces allowed above `max_workspaces` while its image is rolled out.
    public var surge: [String: Int] = [:]
    /// Per class: idle workspaces of an outdated image, not yet replaced (`ImageRollout`). They
    /// take a job only when no current workspace can and none can be made: they keep serving
    /// while the rollout's limits hold their replacements back.
    public var outdatedSlots: [String: [(workspace: String, free: Int)]] = [:]
    public var startTokens: Bool

    public init(now: Double, running: Int = 0, runningByOwner: [UInt32: Int] = [:],
                freeSlots: [String: [(workspace: String, free: Int)]] = [:], workspaces: [String: Int] = [:],
                creating: [String: Int] = [:], creatingTotal: Int = 0,
                waitingForCreation: [String: Int] = [:], startTokens: Bool = true) {
        self.now = now
        self.running = running
        self.runningByOwner = runningByOwner
        self.freeSlots = freeSlots
        self.workspaces = workspaces
        self.creating = creating
        self.creatingTotal = creatingTotal
        self.waitingForCreation = waitingForCreation
        self.startTokens = startTokens
    }
}

extension SchedulerSnapshot {
    /// Takes an admission into account, so the next job of the same pass sees its effect: the
    /// slot it took, the workspace being made for it, the creation it waits for. The scheduler
    /// and `policy explain` both walk the queue with this, so they cannot disagree.
    public mutating func record(_ admission: Admission, for job: Job) {
        switch admission {
        case .dispatch(let workspace):
            running += 1
            runningByOwner[job.owner, default: 0] += 1
            let key = job.spec.vm == nil ? job.className : JobVMWorkspace.key(for: job.id)
            if let i = freeSlots[key]?.firstIndex(where: { $0.workspace == workspace }) {
                freeSlots[key]![i].free -= 1
            } else if let i = outdatedSlots[key]?.firstIndex(where: { $0.workspace == workspace }) {
                outdatedSlots[key]![i].free -= 1
            }
        case .createWorkspace(let cls):
            // A job's own VM counts against its class, but its slot is its job's alone.
            let key = job.spec.vm == nil ? cls : JobVMWorkspace.key(for: job.id)
            creating[key, default: 0] += 1
            creatingTotal += 1
            workspaces[cls, default: 0] += 1
            waitingForCreation[key, default: 0] += 1
        case .wait(.workspaceBeingCreated(let cls)):
            waitingForCreation[cls, default: 0] += 1
        case .wait:
            break
        }
    }
}

/// The scheduler's answer for one queued job.
public enum Admission: Sendable, Equatable {
    /// Start it now in this workspace.
    case dispatch(workspace: String)
    /// Create a workspace of this class; the job waits for it.
    case createWorkspace(className: String)
    case wait(WaitReason)
}

/// Which limit holds a waiting job, in words an admin can act on.
public enum WaitReason: Sendable, Equatable, CustomStringConvertible {
    case held(String?)
    case backoff(until: Double)
    case globalRunning(limit: Int)
    case ownerRunning(owner: UInt32, limit: Int)
    case startRate(rate: Double)
    case workspaceBeingCreated(className: String)
    case classFull(className: String, maxWorkspaces: Int, slots: Int, surge: Int = 0)
    case creationLimit(limit: Int)
    case unknownClass(String)
    case notQueued(JobState)

    public var description: String {
        switch self {
        case .held(let why): "held\(why.map { ": \($0)" } ?? "") (wsbridge release to let it run)"
        case .backoff(let until): "retry backoff: waits until \(formatTime(until)) after a failed run"
        case .globalRunning(let limit): "throttle.max_running: \(limit) jobs already run, all owners"
        case .ownerRunning(let owner, let limit):
            "throttle.max_running_per_owner: uid \(owner) already runs \(limit) jobs"
        case .startRate(let rate): "throttle.start_rate: at most \(rate) job starts per second"
        case .workspaceBeingCreated(let c): "a workspace of class \(c) is being created for it"
        case .classFull(let c, let max, let slots, let surge) where surge > 0:
            "class \(c): \(max + surge) workspaces exist (max_workspaces \(max) + max_surge \(surge) during an image rollout) and all \(slots) slots of each are busy"
        case .classFull(let c, let max, let slots, _):
            "class \(c): max_workspaces (\(max)) workspaces exist and all \(slots) slots of each are busy"
        case .creationLimit(let limit): "throttle.max_creating: \(limit) workspace creations already in flight"
        case .unknownClass(let c): "class \(c) is no longer configured"
        case .notQueued(let state): "not waiting: the job is \(state.rawValue)"
        }
    }
}

/// The scheduling rules, as a pure function of the job, the limits and a snapshot, so that the
/// scheduler and `wsbridge policy explain` can never disagree.
public struct ThrottlePolicy: Sendable {
    public var config: BridgeConfig

    public init(config: BridgeConfig) { self.config = config }

    public func admit(_ job: Job, _ s: SchedulerSnapshot) -> Admission {
        switch job.state {
        case .queued: break
        case .held: return .wait(.held(job.reason))
        default: return .wait(.notQueued(job.state))
        }
        if let until = job.notBefore, until > s.now { return .wait(.backoff(until: until)) }
        let limits = config.throttle
        if s.running >= limits.maxRunning { return .wait(.globalRunning(limit: limits.maxRunning)) }
        if s.runningByOwner[job.owner, default: 0] >= limits.maxRunningPerOwner {
            return .wait(.ownerRunning(owner: job.owner, limit: limits.maxRunningPerOwner))
        }
        guard let cls = config.workspaceClass(named: job.className) else {
            return .wait(.unknownClass(job.className))
        }
        if job.spec.vm != nil { return admitJobVM(job, cls, s) }
        if let slot = s.freeSlots[cls.name]?.first(where: { $0.free > 0 }) {
            return s.startTokens ? .dispatch(workspace: slot.workspace) : .wait(.startRate(rate: limits.startRate))
        }
        // Workspaces being created will take as many waiting jobs as they have slots.
        let incoming = s.creating[cls.name, default: 0] * cls.slots
        if s.waitingForCreation[cls.name, default: 0] < incoming {
            return .wait(.workspaceBeingCreated(className: cls.name))
        }
        // This class's slots, free or coming, already cover every job that may still start:
        // another workspace could not be used under max_running.
        let spare = incoming - s.waitingForCreation[cls.name, default: 0]
            + (s.freeSlots[cls.name] ?? []).reduce(0) { $0 + max(0, $1.free) }
        if s.running + spare >= limits.maxRunning { return .wait(.globalRunning(limit: limits.maxRunning)) }
        let full = s.workspaces[cls.name, default: 0] >= cls.maxWorkspaces + s.surge[cls.name, default: 0]
        if full || s.creatingTotal >= limits.maxCreating {
            if let slot = s.outdatedSlots[cls.name]?.first(where: { $0.free > 0 }) {
                return s.startTokens ? .dispatch(workspace: slot.workspace) : .wait(.startRate(rate: limits.startRate))
            }
            return full ? .wait(.classFull(className: cls.name, maxWorkspaces: cls.maxWorkspaces, slots: cls.slots,
                                           surge: s.surge[cls.name, default: 0]))
                : .wait(.creationLimit(limit: limits.maxCreating))
        }
        return .createWorkspace(className: cls.name)
    }

    /// A VM job runs only in its own workspace: dispatched once that is ready, created when it
    /// does not exist, within the class's `max_workspaces` and the creation limit.
    func admitJobVM(_ job: Job, _ cls: WorkspaceClass, _ s: SchedulerSnapshot) -> Admission {
        let key = JobVMWorkspace.key(for: job.id)
        if let slot = s.freeSlots[key]?.first(where: { $0.free > 0 }) {
            return s.startTokens ? .dispatch(workspace: slot.workspace) : .wait(.startRate(rate: config.throttle.startRate))
        }
        if s.creating[key, default: 0] > 0 { return .wait(.workspaceBeingCreated(className: key)) }
        if s.workspaces[cls.name, default: 0] >= cls.maxWorkspaces + s.surge[cls.name, default: 0] {
            return .wait(.classFull(className: cls.name, maxWorkspaces: cls.maxWorkspaces, slots: cls.slots,
                                    surge: s.surge[cls.name, default: 0]))
        }
        if s.creatingTotal >= config.throttle.maxCreating { return .wait(.creationLimit(limit: config.throttle.maxCreating)) }
        return .createWorkspace(className: cls.name)
    }
}
