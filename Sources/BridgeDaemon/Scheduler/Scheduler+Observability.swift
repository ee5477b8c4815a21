import BridgeStore
import WorkspaceBridge

/// What `/metrics` and the status page read: computed from the scheduler's state when they are
/// read, so that keeping them costs the dispatch path nothing.
extension Scheduler {
    /// A failed job, kept for the status page.
    struct RecentFailure { var job: JobID; var owner: UInt32; var className: String; var at: Double; var reason: String }
    static let recentFailuresKept = 20

    /// The machine a workspace runs on: a remote hypervisor host, or this one.
    func hostName(of workspace: Workspace) -> String {
        providers[workspace.provider]?.remoteHost(of: workspace) ?? Self.hostName
    }

    func metricsSnapshot() -> MetricsSnapshot {
        let now = Self.now
        var m = MetricsSnapshot(groups: config.metrics.groups)
        for job in jobs.values {
            m.jobs[.init(state: job.state, className: job.className, origin: DaemonMetrics.originIndex(job.spec.origin), owner: job.owner),
                   default: 0] += 1
        }
        for w in workspaces.values {
            let host = hostName(of: w.record)
            m.workspaces[.init(className: w.record.className, provider: w.record.provider, host: host, state: w.record.state.rawValue),
                         default: 0] += 1
        }
        for name in imageDigests.keys { m.outdated[name] = 0 }
        for w in workspaces.values where isOutdated(w) { m.outdated[w.record.className, default: 0] += 1 }
        m.limits = limitUse(snapshot(now: now))
        return m
    }

    /// Each throttle limit with how much of it is used now.
    func limitUse(_ s: SchedulerSnapshot) -> [MetricsSnapshot.LimitUse] {
        let t = config.throttle
        var waitingByOwner: [UInt32: Int] = [:]
        for (owner, n) in unfinishedByOwner { waitingByOwner[owner] = n - s.runningByOwner[owner, default: 0] }
        return [
            .init(name: "max_running", limit: Double(t.maxRunning), used: Double(s.running)),
            .init(name: "max_running_per_owner", limit: Double(t.maxRunningPerOwner), used: Double(s.runningByOwner.values.max() ?? 0)),
            .init(name: "max_queued_per_owner", limit: Double(t.maxQueuedPerOwner), used: Double(waitingByOwner.values.max() ?? 0)),
            .init(name: "max_creating", limit: Double(t.maxCreating), used: Double(s.creatingTotal)),
            .init(name: "start_rate", limit: t.startRate, used: history.points.last.map { $0.startsPerMinute / 60 } ?? 0),
        ] + config.classes.map { c in
            .init(name: "class \(c.name) max_workspaces", limit: Double(c.maxWorkspaces), used: Double(s.workspaces[c.name, default: 0]))
        }
    }

    func statusSnapshot(waitingShown: Int = 10) -> StatusSnapshot {
        let now = Self.now
        let s = snapshot(now: now)
        var page = StatusSnapshot(at: now, limits: limitUse(s), refreshSeconds: config.metrics.refreshSeconds)
        struct QueueKey: Hashable { var owner: UInt32; var className: String }
        var queues: [QueueKey: StatusSnapshot.Queue] = [:]
        var queued: [Job] = []
        for job in jobs.values {
            let key = QueueKey(owner: job.owner, className: job.className)
            var q = queues[key] ?? .init(owner: job.owner, className: job.className)
            switch job.state {
            case .queued: q.queued += 1; queued.append(job)
            case .held: q.held += 1
            case .starting, .running, .suspended:
                q.running += 1
                page.running.append(.init(job: job.id, owner: job.owner, className: job.className, workspace: job.workspaceID ?? "",
                                          state: job.state, since: job.startedAt ?? job.submittedAt))
            default: break
            }
            queues[key] = q
        }
        page.queues = queues.values.sorted { ($0.owner, $0.className) < ($1.owner, $1.className) }
        page.running.sort { $0.job < $1.job }
        // The same explanation `wsbridge policy explain` gives, for the jobs that waited longest.
        let oldest = queued.sorted { ($0.submittedAt, $0.id) < ($1.submittedAt, $1.id) }.prefix(waitingShown)
        if !oldest.isEmpty {
            let reasons = waitReasons(only: Set(oldest.map(\.id)))
            page.waiting = oldest.map { .init(job: $0.id, owner: $0.owner, className: $0.className, submittedAt: $0.submittedAt,
                                              reason: explanation($0, reasons)) }
        }
        page.workspaces = workspaces.values.sorted { $0.record.createdAt < $1.record.createdAt }.map { w in
            .init(id: w.record.id, className: w.record.className, provider: w.record.provider,
                  host: hostName(of: w.record), state: w.record.state.rawValue,
                  runs: w.runs.count, slots: config.workspaceClass(named: w.record.className)?.slots ?? 0,
                  leaseExpiresAt: w.record.leaseExpiresAt, enforcement: w.record.enforcement.map(\.description).joined(separator: "; "))
        }
        page.failures = recentFailures.reversed().map { .init(job: $0.job, owner: $0.owner, className: $0.className, at: $0.at, reason: $0.reason) }
        // The charts end at this moment, not at the last sample.
        page.history = history.points + [history.current(now: now, running: s.running, queued: queue.count)]
        return page
    }

    /// The page's own bookkeeping of durable changes: starts for the start rate, failures.
    func observe(_ changes: [(job: Job, event: StoreEvent)]) {
        for (job, event) in changes {
            if job.state == .running && event.from == .starting { history.starts += 1 }
            if job.state == .failed {
                recentFailures.append(.init(job: job.id, owner: job.owner, className: job.className, at: event.at,
                                            reason: job.reason ?? job.exit?.description ?? "failed"))
                if recentFailures.count > Self.recentFailuresKept { recentFailures.removeFirst() }
            }
        }
    }

    /// A point of the page's charts, when one is due (the timer's upkeep).
    func sampleHistory() {
        guard metrics != nil else { return }
        let running = workspaces.values.reduce(0) { $0 + $1.runs.count }
        history.sample(now: Self.now, running: running, queued: queue.count)
    }
}
