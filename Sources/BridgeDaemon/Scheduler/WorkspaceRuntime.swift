import AgentProtocol
import WorkspaceBridge

/// One workspace as the scheduler tracks it: its record, its agent link and the runs in it.
struct WorkspaceRuntime {
    struct Run {
        var job: JobID
        var owner: UInt32
        /// Run in the agent's scratch directory; its output must be fetched before the exit counts.
        var staged = false
        /// When the run was sent to the agent (kept only with metrics: the agent's round trip).
        var sentAt = 0.0
    }

    /// The exit of a staged run, held while its output comes back (see `RunStaging`).
    struct Collecting {
        var exit: ExitStatus
        var at: Double
        var reason: String?
        var usage: RunUsage?
        /// Writes the pieces into the user's files, off the scheduler.
        var output: OutputDelivery
    }

    /// Its state (`record.state`) says whether runs may be sent: only once the agent has answered
    /// hello with its state (`ready`, `busy`), or a run sent before the answer would look like one
    /// the agent never received.
    var record: Workspace
    var link: AgentLink?
    /// Runs occupying slots, until the agent reports their end (even for cancelled jobs).
    var runs: [RunKey: Run] = [:]
    var idleSince: Double?
    /// Staged runs that exited and whose output is being fetched.
    var collecting: [RunKey: Collecting] = [:]
    /// How far the workspace's clock is ahead of ours (guests only; local workspaces share ours).
    var clockOffset: Double = 0
    /// While it parks: how, and whether a job came that asked to stop the park.
    var parking: (mode: WarmMode, cancelling: Bool)?
    /// "The job's own VM" (`JobSpec.vm`): one slot, for its job alone, destroyed with its run.
    /// When its current phase (creating, booting, restoring) began, for the metrics' times.
    var phaseSince = 0.0
    /// Moving to another host (`wsbridge hosts drain`): it takes no job, and its agent link
    /// dropping meanwhile is the move, not a loss.
    var migrating = false
    var isJobVM: Bool { JobVMWorkspace.job(ofWorkspace: record.id) != nil }
}
