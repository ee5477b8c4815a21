import BridgeStore
import CoreMetrics
import Foundation
import Prometheus
import Synchronization
import WorkspaceBridge

/// The daemon's metrics, through swift-metrics into one swift-prometheus registry.
///
/// Counters and histograms are made once and updated where the scheduler commits a change:
/// an update is an atomic add, so that counting costs the dispatch path nothing measurable.
/// Gauges (jobs and workspaces by state) are not kept up to date on every change: they are
/// computed from the scheduler's state when `/metrics` is read. Labels are bounded sets:
/// states, classes, origins, providers, hosts and results from the config and the code, and
/// owners only as one of the admin's `[metrics] groups` (or `other`): never a job id or a user.
final class DaemonMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusBackend

    static let origins = ["cli", "gram", "condor"]
    static let results: [JobState] = [.done, .failed, .cancelled]

    enum Requeue: String, CaseIterable {
        /// The agent could not start the run for now (EAGAIN, ENOMEM): not counted as a failure.
        case notStarted = "not_started"
        /// Its workspace died or was destroyed under it.
        case workspaceLost = "workspace_lost"
        /// Its run was lost: the agent restarted, or never received it.
        case runLost = "run_lost"
        /// Released from hold by its owner, an admin or a periodic policy.
        case released
    }

    /// The limit that kept a job waiting in a scheduling pass.
    enum Limit: Int, CaseIterable {
        case maxRunning, maxRunningPerOwner, startRate, maxWorkspaces, maxCreating, retryBackoff, creationBackoff
        var label: String {
            switch self {
            case .maxRunning: "max_running"
            case .maxRunningPerOwner: "max_running_per_owner"
            case .startRate: "start_rate"
            case .maxWorkspaces: "max_workspaces"
            case .maxCreating: "max_creating"
            case .retryBackoff: "retry_backoff"
            case .creationBackoff: "creation_backoff"
            }
        }

        init?(_ reason: WaitReason) {
            switch reason {
            case .globalRunning: self = .maxRunning
            case .ownerRunning: self = .maxRunningPerOwner
            case .startRate: self = .startRate
            case .classFull: self = .maxWorkspaces
            case .creationLimit: self = .maxCreating
            case .backoff: self = .retryBackoff
            case .held, .notQueued, .unknownClass, .workspaceBeingCreated: return nil
            }
        }
    }

    enum WorkspacePhase: String { case create, boot, restore }

    static let catalog: [String: MetricFamilyInfo] = {
        let latency: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                   .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                   .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600)]
        let commit: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
                                  .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1)]
        let workspace: [Duration] = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                     .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
                                     .seconds(60), .seconds(300)]
        return [
            "wsbridge_jobs": .init(help: "Unfinished jobs by state, class, origin (front door) and owner group."),
            "wsbridge_workspaces": .init(help: "Workspaces by class, provider, host and state."),
            "wsbridge_workspaces_outdated": .init(help: "Workspaces made from another image than their class's current one (being replaced), by class."),
            "wsbridge_libvirt_host_up": .init(help: "Whether the last attempt to reach a libvirt host succeeded (1) or not (0)."),
            "wsbridge_throttle_limit": .init(help: "The configured throttle limits."),
            "wsbridge_throttle_in_use": .init(help: "How much of each throttle limit is in use."),
            "wsbridge_jobs_submitted_total": .init(help: "Jobs submitted, by origin."),
            "wsbridge_job_starts_total": .init(help: "Runs started (the agent reported the process started), by origin."),
            "wsbridge_job_ends_total": .init(help: "Jobs finished, by result and origin."),
            "wsbridge_job_retries_total": .init(help: "Failed runs retried (counted against the job's retries), by origin."),
            "wsbridge_job_requeues_total": .init(help: "Jobs put back in the queue without counting a failure, by reason."),
            "wsbridge_throttle_decisions_total": .init(help: "Scheduling decisions that kept a job waiting, by the limit that held it."),
            "wsbridge_outbox_write_failures_total": .init(help: "Failed writes of SEG lines (kind=seg), HTCondor user-log events (kind=user_log) and APEL accounting files (kind=accounting)."),
            "wsbridge_job_submit_to_start_seconds": .init(help: "Time from a job's submit to the start of its first run.", durations: latency),
            "wsbridge_agent_round_trip_seconds": .init(help: "Time from sending a run to a workspace's agent to its report that the run started.",
                                                      durations: latency),
            "wsbridge_store_commit_seconds": .init(help: "Time to write one transaction of job changes to the store.", durations: commit),
            "wsbridge_workspace_create_seconds": .init(help: "Time for a provider to create a workspace, by class.", durations: workspace),
            "wsbridge_workspace_boot_seconds": .init(help: "Time from a workspace's creation (or restore) to its agent's first report, by class.",
                                                    durations: workspace),
            "wsbridge_workspace_restore_seconds": .init(help: "Time to resume or restore a parked workspace, by class.", durations: workspace),
        ]
    }()

    private let submitted: [CoreMetrics.Counter]
    private let starts: [CoreMetrics.Counter]
    private let retries: [CoreMetrics.Counter]
    /// [result][origin]
    private let ends: [[CoreMetrics.Counter]]
    private let requeues: [Requeue: CoreMetrics.Counter]
    private let decisions: [CoreMetrics.Counter]
    private let outboxFailures: (seg: CoreMetrics.Counter, userLog: CoreMetrics.Counter, accounting: CoreMetrics.Counter)
    private let submitToStart: CoreMetrics.Timer
    private let agentRoundTrip: CoreMetrics.Timer
    private let storeCommit: CoreMetrics.Timer

    /// Gauges made so far, by family and label values; those absent from a later reading are set to 0.
    private let gauges = Mutex<[GaugeKey: CoreMetrics.Gauge]>([:])
    /// Owner group per uid, looked up at most once a minute (group databases may be slow).
    private let groupCache = Mutex<[UInt32: (label: String, at: Double)]>([:])
    static let maxGaugeSeries = 20_000

    struct GaugeKey: Hashable {
        var name: String
        var values: [String]
    }

    init() {
        let factory = PrometheusBackend(registry: registry, catalog: Self.catalog)
        self.factory = factory
        func counter(_ name: String, _ dims: [(String, String)] = []) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: name, dimensions: dims, factory: factory)
        }
        func timer(_ name: String) -> CoreMetrics.Timer { CoreMetrics.Timer(label: name, dimensions: [], factory: factory) }
        submitted = Self.origins.map { counter("wsbridge_jobs_submitted_total", [("origin", $0)]) }
        starts = Self.origins.map { counter("wsbridge_job_starts_total", [("origin", $0)]) }
        retries = Self.origins.map { counter("wsbridge_job_retries_total", [("origin", $0)]) }
        ends = Self.results.map { r in Self.origins.map { counter("wsbridge_job_ends_total", [("result", r.rawValue), ("origin", $0)]) } }
        requeues = Dictionary(uniqueKeysWithValues: Requeue.allCases.map { ($0, counter("wsbridge_job_requeues_total", [("reason", $0.rawValue)])) })
        decisions = Limit.allCases.map { counter("wsbridge_throttle_decisions_total", [("limit", $0.label)]) }
        outboxFailures = (counter("wsbridge_outbox_write_failures_total", [("kind", "seg")]),
                          counter("wsbridge_outbox_write_failures_total", [("kind", "user_log")]),
                          counter("wsbridge_outbox_write_failures_total", [("kind", "accounting")]))
        submitToStart = timer("wsbridge_job_submit_to_start_seconds")
        agentRoundTrip = timer("wsbridge_agent_round_trip_seconds")
        storeCommit = timer("wsbridge_store_commit_seconds")
    }

    static func originIndex(_ origin: JobOrigin) -> Int {
        switch origin {
        case .cli: 0
        case .gram: 1
        case .condor: 2
        }
    }

    static func nanoseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Int64(min(seconds, 1e9) * 1e9)
    }

    // MARK: hooks (called on the scheduler, where it commits changes)

    func submitted(_ jobs: [Job]) {
        var n = [0, 0, 0]
        for job in jobs { n[Self.originIndex(job.spec.origin)] += 1 }
        for (i, count) in n.enumerated() where count > 0 { submitted[i].increment(by: count) }
    }

    /// Job changes that are now durable: starts, ends, and the submit-to-start time of first runs.
    func recorded(_ changes: [(job: Job, event: StoreEvent)]) {
        for (job, event) in changes {
            let from = event.from
            let origin = Self.originIndex(job.spec.origin)
            switch job.state {
            case .running where from == .starting:
                starts[origin].increment()
                if job.attempts == 1, let started = job.startedAt {
                    submitToStart.recordNanoseconds(Self.nanoseconds(started - job.submittedAt))
                }
            case .done: ends[0][origin].increment()
            case .failed: ends[1][origin].increment()
            case .cancelled: ends[2][origin].increment()
            default: break
            }
        }
    }

    func retried(_ job: Job) { retries[Self.originIndex(job.spec.origin)].increment() }

    func requeued(_ reason: Requeue, count: Int = 1) {
        if count > 0 { requeues[reason]?.increment(by: count) }
    }

    /// One scheduling pass's tally of waits, indexed by `Limit.rawValue`.
    func throttled(_ tally: [Int]) {
        for (i, n) in tally.enumerated() where n > 0 { decisions[i].increment(by: n) }
    }

    func storeCommitted(nanoseconds: Int64) { storeCommit.recordNanoseconds(nanoseconds) }

    func agentAnswered(after seconds: Double) { agentRoundTrip.recordNanoseconds(Self.nanoseconds(seconds)) }

    func workspace(_ phase: WorkspacePhase, className: String, seconds: Double) {
        CoreMetrics.Timer(label: "wsbridge_workspace_\(phase.rawValue)_seconds", dimensions: [("class", className)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(seconds))
    }

    /// An outbox write that failed: a SEG line (written as the daemon) or a user's log.
    func outboxWriteFailed(userLog: Bool, accountingFile: Bool = false) {
        (accountingFile ? outboxFailures.accounting : userLog ? outboxFailures.userLog : outboxFailures.seg).increment()
    }

    // MARK: gauges, when read

    /// Sets a gauge family to `values` (label values in `labels` order); series not in it go to 0.
    func setGauges(_ name: String, labels: [String], _ values: [[String]: Double]) {
        gauges.withLock { gauges in
            for (key, gauge) in gauges where key.name == name && values[key.values] == nil { gauge.record(0) }
            for (vals, v) in values {
                let key = GaugeKey(name: name, values: vals)
                if let g = gauges[key] { g.record(v); continue }
                guard gauges.count < Self.maxGaugeSeries else { continue }
                let g = CoreMetrics.Gauge(label: name, dimensions: Array(zip(labels, vals)), factory: factory)
                g.record(v)
                gauges[key] = g
            }
        }
    }

    /// The owner's label: the first of the admin's groups the uid belongs to, or `other`.
    func group(of uid: UInt32, among groups: [String], now: Double) -> String {
        if groups.isEmpty { return "other" }
        if let c = groupCache.withLock({ $0[uid] }), now - c.at < 60, c.label == "other" || groups.contains(c.label) { return c.label }
        let label = groups.first { Identity.isMember(uid: uid, ofGroup: $0) } ?? "other"
        groupCache.withLock { cache in
            if cache.count > 100_000 { cache = [:] }
            cache[uid] = (label, now)
        }
        return label
    }

    /// Brings the gauges up to date with the scheduler's state, then writes every family.
    func exposition(_ s: MetricsSnapshot, hosts: [String: Bool]) -> [UInt8] {
        let now = Date().timeIntervalSince1970
        var jobs: [[String]: Double] = [:]
        for (key, n) in s.jobs {
            jobs[[key.state.rawValue, key.className, Self.origins[key.origin], group(of: key.owner, among: s.groups, now: now)], default: 0]
                += Double(n)
        }
        setGauges("wsbridge_jobs", labels: ["state", "class", "origin", "group"], jobs)
        setGauges("wsbridge_workspaces", labels: ["class", "provider", "host", "state"],
                  s.workspaces.reduce(into: [:]) { $0[[$1.key.className, $1.key.provider, $1.key.host, $1.key.state]] = Double($1.value) })
        setGauges("wsbridge_workspaces_outdated", labels: ["class"], s.outdated.reduce(into: [:]) { $0[[$1.key]] = Double($1.value) })
        setGauges("wsbridge_libvirt_host_up", labels: ["host"], hosts.reduce(into: [:]) { $0[[$1.key]] = $1.value ? 1 : 0 })
        setGauges("wsbridge_throttle_limit", labels: ["limit"], s.limits.reduce(into: [:]) { $0[[$1.name]] = $1.limit })
        setGauges("wsbridge_throttle_in_use", labels: ["limit"], s.limits.reduce(into: [:]) { $0[[$1.name]] = $1.used })
        return registry.emitToBuffer()
    }
}

/// What `/metrics` and the status page read from the scheduler, in one turn of it.
struct MetricsSnapshot: Sendable {
    struct JobKey: Hashable, Sendable {
        var state: JobState
        var className: String
        var origin: Int
        var owner: UInt32
    }
    struct WorkspaceKey: Hashable, Sendable {
        var className: String
        var provider: String
        var host: String
        var state: String
    }
    struct LimitUse: Sendable {
        var name: String
        var limit: Double
        var used: Double
    }
    var jobs: [JobKey: Int] = [:]
    var workspaces: [WorkspaceKey: Int] = [:]
    /// Per class with a known image: its outdated workspaces (0 when none).
    var outdated: [String: Int] = [:]
    var limits: [LimitUse] = []
    var groups: [String] = []
}
