#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import WorkspaceBridge

/// Identifies one run of one job: a retried job runs again under a new attempt number, so a
/// late message about an old run can never be taken for the new one.
public struct RunKey: Codable, Sendable, Hashable, CustomStringConvertible {
    public var job: JobID
    public var attempt: Int
    public init(job: JobID, attempt: Int) {
        self.job = job
        self.attempt = attempt
    }
    public var description: String { "\(job).\(attempt)" }
}

/// What the agent needs to start one run, fully resolved by the daemon.
public struct RunRequest: Codable, Sendable, Equatable {
    public var key: RunKey
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public var directory: String
    public var stdin: String?
    public var stdout: String?
    public var stderr: String?
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]
    public var limits: RunLimits
    /// Append to stdout/stderr instead of truncating (GRAM sub-jobs share one output file).
    public var appendOutput: Bool = false
    /// Set where host paths do not exist (guests): the run happens in a scratch directory of the
    /// agent's, and `directory`, `stdin`, `stdout`, `stderr` are ignored.
    public var staging: RunStaging?
    /// Where an agent that gives each run a read-only view of the host (a local sandbox) lets
    /// the run write: its directory, its owner's home, the class's writable binds. Absent from
    /// an older daemon: the directory and `HOME`. At most `maxWritablePaths`, each absolute.
    public var writablePaths: [String]?
    public static let maxWritablePaths = 64
    /// The job is a VM of the user's own (`JobSpec.vm`): the workspace's host-side endpoint boots
    /// these disks as the guest, and the run ends when the guest powers off. No agent runs inside.
    public var vm: VMDescription?

    public init(key: RunKey, executable: String, arguments: [String], environment: [String: String],
                directory: String, stdin: String?, stdout: String?, stderr: String?,
                uid: UInt32, gid: UInt32, groups: [UInt32], limits: RunLimits) {
        self.key = key
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.limits = limits
    }
}

/// Per-run limits the agent enforces. Every field is optional on the wire: a daemon of an older
/// version leaves out the ones it does not know.
public struct RunLimits: Codable, Sendable, Equatable {
    public var memoryMB: Int?
    public var cpuTimeSeconds: Int?
    public var wallTimeSeconds: Int?
    /// Most processes of this run at once (its own cgroup's `pids.max`).
    public var maxProcesses: Int?
    public init(memoryMB: Int? = nil, cpuTimeSeconds: Int? = nil, wallTimeSeconds: Int? = nil, maxProcesses: Int? = nil) {
        self.memoryMB = memoryMB
        self.cpuTimeSeconds = cpuTimeSeconds
        self.wallTimeSeconds = wallTimeSeconds
        self.maxProcesses = maxProcesses
    }
}

/// The agent's own record of one run, kept on its disk and reported when the daemon says hello.
public struct AgentRunRecord: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable { case accepted, running, exited, rejected }
    public var key: RunKey
    public var phase: Phase
    public var pid: Int32?
    public var startedAt: Double?
    public var endedAt: Double?
    public var exit: ExitStatus?
    /// Why it was rejected or killed (memory limit, wall time ...).
    public var reason: String?
    public var suspended: Bool
    /// The scratch directory of a staged run; its captured output stays there until `ack`.
    public var scratch: String?
    /// When the run's process started, in clock ticks since boot (`/proc/PID/stat`): tells the
    /// run's process from a later one that got the same pid.
    public var startTicks: UInt64?
    /// The run ended because the agent restarted under it (its processes were stopped): the job
    /// is requeued, not counted as failed.
    public var lost: Bool?
    /// For a staged run: what to send back after it.
    public var staged: StagedRun?
    /// A rejected run failed to start for want of a resource that may come back (processes,
    /// memory): the job is requeued, not failed.
    public var transient: Bool?
    /// The name of the cgroup directory the run's processes are in (under the workspace's).
    public var cgroup: String?
    /// What the run used, measured when it ended.
    public var usage: RunUsage?

    public init(key: RunKey, phase: Phase, pid: Int32? = nil, startedAt: Double? = nil, endedAt: Double? = nil,
                exit: ExitStatus? = nil, reason: String? = nil, suspended: Bool = false, scratch: String? = nil) {
        self.key = key
        self.phase = phase
        self.pid = pid
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exit = exit
        self.reason = reason
        self.suspended = suspended
        self.scratch = scratch
    }
}

/// Facts about the workspace the agent runs in, sent with its state.
public struct AgentInfo: Codable, Sendable, Equatable {
    public var hostname: String
    public var kernel: String
    public var pid: Int32
    public var version: String
    /// The workspace's clock when it answered (seconds since 1970): a guest's clock may be off
    /// from the host's, and the times in its reports are corrected by the difference.
    public var now: Double?
    public init(hostname: String, kernel: String, pid: Int32, version: String, now: Double? = nil) {
        self.hostname = hostname
        self.kernel = kernel
        self.pid = pid
        self.version = version
        self.now = now
    }
}

/// Signals the daemon may ask for; named, because numbers differ between host and guest systems.
public enum RunSignal: String, Codable, Sendable {
    case terminate, kill, suspend, resume
}

/// Messages from the daemon to the agent.
public enum DaemonMessage: Sendable, Equatable {
    /// Asks for the agent's state; the agent answers `.state`.
    case hello
    /// Starts a run; repeated requests for the same key are answered, never run twice.
    case run(RunRequest)
    case signal(RunKey, RunSignal)
    /// Asks for the captured output of an ended staged run; answered by `.output` chunks and
    /// one `.outputEnd`. May be repeated (after a reconnect): the agent keeps it until `ack`.
    case fetchOutput(RunKey)
    /// The daemon has durably recorded the end of this run; the agent may forget it (and the
    /// scratch directory of a staged run).
    case ack(RunKey)
    /// Stop the agent; running jobs are killed.
    case shutdown
    /// A piece of a file for a run: an input before the run starts, or a fresh copy of the
    /// run's credential while it runs.
    case stage(FileChunk)
}

/// Messages from the agent to the daemon.
public enum AgentMessage: Sendable, Equatable {
    case state(AgentInfo, [AgentRunRecord])
    /// The run was accepted and its process started.
    case started(RunKey, pid: Int32, at: Double)
    /// `usage`: what the run used (an older agent sends none).
    case exited(RunKey, ExitStatus, at: Double, reason: String?, usage: RunUsage? = nil)
    /// The run could not start; it never ran. Not `transient`: the spec is at fault (no such
    /// executable, unwritable output ...) and would fail again. `transient`: the workspace lacked
    /// a resource for a moment (fork or exec failed with EAGAIN or ENOMEM); the job may start later.
    case rejected(RunKey, reason: String, transient: Bool = false)
    case suspended(RunKey, Bool)
    /// A piece of a staged run's captured output, in order.
    case output(OutputChunk)
    /// All output of the run was sent; `note` says what was cut or missing, if anything.
    case outputEnd(RunKey, note: String?)
    /// A request the agent could not understand.
    case error(String)
}
