import WorkspaceBridge

/// What the status page shows, read from the scheduler in one turn of it. It holds no job's
/// arguments or environment: the page is served on TCP, where the viewer cannot be identified.
struct StatusSnapshot: Sendable {
    struct Queue: Sendable { var owner: UInt32; var className: String; var queued = 0; var held = 0; var running = 0 }
    struct Running: Sendable { var job: JobID; var owner: UInt32; var className: String; var workspace: String; var state: JobState; var since: Double }
    struct WorkspaceRow: Sendable {
        var id: String; var className: String; var provider: String; var host: String; var state: String
        var runs: Int; var slots: Int; var leaseExpiresAt: Double; var enforcement: String
    }
    struct Waiting: Sendable { var job: JobID; var owner: UInt32; var className: String; var submittedAt: Double; var reason: String }
    struct Failure: Sendable { var job: JobID; var owner: UInt32; var className: String; var at: Double; var reason: String }

    var at: Double
    var queues: [Queue] = []
    var running: [Running] = []
    var workspaces: [WorkspaceRow] = []
    var limits: [MetricsSnapshot.LimitUse] = []
    var waiting: [Waiting] = []
    var failures: [Failure] = []
    var history: [StatusHistory.Point] = []
    var refreshSeconds = 10
    /// Owners' user names, filled in off the scheduler.
    var names: [UInt32: String] = [:]
}

/// The last hour of the scheduler, a point every `interval` seconds, for the page's charts.
struct StatusHistory: Sendable {
    struct Point: Sendable { var at: Double; var running: Int; var queued: Int; var startsPerMinute: Double }
    static let interval = 10.0
    static let span = 3600.0
    private(set) var points: [Point] = []
    /// Runs started since the last point.
    var starts = 0
    private var lastAt = 0.0

    /// The point that would be taken now.
    func current(now: Double, running: Int, queued: Int) -> Point {
        let elapsed = lastAt == 0 ? Self.interval : max(1, now - lastAt)
        return Point(at: now, running: running, queued: queued, startsPerMinute: Double(starts) * 60 / elapsed)
    }

    /// Adds a point if one is due; drops those older than an hour.
    mutating func sample(now: Double, running: Int, queued: Int) {
        guard now - lastAt >= Self.interval else { return }
        points.append(current(now: now, running: running, queued: queued))
        starts = 0
        lastAt = now
        if let first = points.firstIndex(where: { now - $0.at <= Self.span }), first > 0 { points.removeFirst(first) }
    }
}
