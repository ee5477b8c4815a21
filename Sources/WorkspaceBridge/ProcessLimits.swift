/// How a class's `max_processes` holds: per job, and for the whole workspace.
///
/// Owners share workspaces, so the limit must hold per run: one job that forks until it cannot
/// reaches only its own limit, never the slots of the others. The workspace's own limit is the
/// sum of its slots' limits plus room for the workspace's agent (and its sandbox), so that the
/// runs' limits, not the workspace's, are what a job meets.
public struct ProcessLimits: Sendable, Equatable {
    /// The kernel never has more processes than this (`PID_MAX_LIMIT` on 64-bit Linux): a larger
    /// number says nothing more and is cut to it, so no product below can overflow.
    public static let ceiling = 4_194_304
    /// Tasks of the workspace's agent and sandbox (threads count as tasks for `pids.max`).
    public static let agentAllowance = 64

    /// Processes one run may have at once; nil: no limit of its own.
    public var perRun: Int?
    /// Processes the whole workspace may have at once; nil: no limit.
    public var perWorkspace: Int?

    public init(maxProcesses: Int?, slots: Int) {
        guard let max = maxProcesses, max > 0 else { return }
        let run = min(max, Self.ceiling)
        let slots = min(Swift.max(slots, 1), Self.ceiling)
        perRun = run
        // Both factors are at most 2^22: the product fits in 2^44.
        perWorkspace = min(run * slots + Self.agentAllowance, Self.ceiling)
    }
}

extension WorkspaceClass {
    /// `max_processes` per run and per workspace.
    public var processLimits: ProcessLimits { ProcessLimits(maxProcesses: maxProcesses, slots: slots) }
}
