/// What one finished run used, and whose it was: the accounting record a site keeps for every
/// run that started (a retried job has one per run). Written in the transaction of the run's end,
/// queried with `wsbridge accounting`, and exported as APEL records (`APELMessage`).
public struct AccountingRecord: Codable, Sendable, Equatable {
    public var job: JobID
    /// The run's attempt number (`RunKey.attempt`): a job and attempt name one run.
    public var attempt: Int
    /// The job's owner (uid).
    public var owner: UInt32
    /// The local account the run ran as (the owner's name; for root's jobs, `root_jobs_run_as`),
    /// when the password database knows it.
    public var ownerName: String?
    /// The front door (`cli`, `gram`, `condor`) and what it knows of the job.
    public var origin: String
    public var grid: GridJob?
    public var className: String
    public var workspace: String
    /// The machine the workspace ran on (a libvirt host's name, or the daemon's).
    public var host: String?
    /// Cores the job asked for (1 when it did not say).
    public var cores: Int
    /// When the run started and ended, seconds since 1970 (UTC).
    public var startedAt: Double
    public var endedAt: Double
    /// User plus system CPU time, seconds; nil when the workspace could not measure it (an older
    /// agent, a job's own VM).
    public var cpuSeconds: Double?
    /// The run's peak memory, bytes; nil when not measured.
    public var peakMemoryBytes: Int64?
    /// Where the figures come from (`cgroup-v1`, `cgroup-v2`, `rusage`, ...).
    public var usageSource: String?
    public var exit: ExitStatus

    public init(job: JobID, attempt: Int, owner: UInt32, ownerName: String? = nil, origin: String, grid: GridJob? = nil,
                className: String, workspace: String, host: String? = nil, cores: Int, startedAt: Double, endedAt: Double,
                cpuSeconds: Double? = nil, peakMemoryBytes: Int64? = nil, usageSource: String? = nil, exit: ExitStatus) {
        self.job = job
        self.attempt = attempt
        self.owner = owner
        self.ownerName = ownerName
        self.origin = origin
        self.grid = grid
        self.className = className
        self.workspace = workspace
        self.host = host
        self.cores = cores
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.cpuSeconds = cpuSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.usageSource = usageSource
        self.exit = exit
    }

    /// Wall-clock seconds of the run (never negative: a start reported after the end counts as none).
    public var wallSeconds: Double { max(0, endedAt - startedAt) }
}

/// What a front door knows of a job on the grid's side: its own id for the job, and the
/// submitter's grid identity (X.509 DN and VOMS FQAN) where the front door was told them.
public struct GridJob: Codable, Sendable, Equatable {
    /// The front door's job id: GRAM's job contact, BLAH's client job id, HTCondor's cluster.proc.
    public var jobID: String?
    /// The submitter's X.509 subject (DN).
    public var userDN: String?
    /// The submitter's first VOMS FQAN.
    public var fqan: String?

    public init(jobID: String? = nil, userDN: String? = nil, fqan: String? = nil) {
        self.jobID = jobID
        self.userDN = userDN
        self.fqan = fqan
    }

    public var isEmpty: Bool { jobID == nil && userDN == nil && fqan == nil }
}

extension JobOrigin {
    /// What the origin itself carries for accounting, without a front door's help: GRAM's job
    /// contact and the DN of the job manager's proxy.
    public var gridJob: GridJob? {
        guard case .gram(let g) = self else { return nil }
        let grid = GridJob(jobID: g.contact, userDN: g.userDN)
        return grid.isEmpty ? nil : grid
    }
}
