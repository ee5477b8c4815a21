import AgentProtocol
import BridgeStore
import Foundation
import ProcessSpawn
import WorkspaceBridge

extension Scheduler {
    /// Messages from a workspace's agent, in the order the agent sent them: what arrived together
    /// is handled in one turn of the scheduler, and its changes are written together.
    func handle(_ messages: [AgentMessage], from wsID: String, link: AgentLink) {
        for m in messages { handle(m, from: wsID, link: link) }
    }

    /// One message from a workspace's agent, in the order the agent sent them.
    func handle(_ message: AgentMessage, from wsID: String, link: AgentLink) {
        guard let w = workspaces[wsID], w.link === link else { return }
        // Before the agent's state arrives, a run message is a stale one from before the (re)connect
        // (a guest's channel keeps what it could not deliver); the state covers it.
        if w.record.state == .booting {
            switch message {
            case .state, .error: break
            default: return
            }
        }
        let offset = w.clockOffset
        let sharesClock = shares(.sharesHostClock, w.record.provider)
        switch message {
        case .state(let info, let runs):
            adopt(wsID, info: info, runs: runs, link: link)
        case .started(let key, _, let at):
            // A run that starts for a job no longer waiting for it (cancelled or held meanwhile) is stopped.
            guard isCurrent(key, in: wsID) else { return link.send(.signal(key, .kill)) }
            started(key, at: Self.time(of: at, offset: offset, sharesClock: sharesClock), in: wsID)
        case .exited(let key, let exit, let agentAt, let reason, let usage):
            let at = Self.time(of: agentAt, offset: offset, sharesClock: sharesClock)
            if workspaces[wsID]?.runs[key]?.staged == true, isCurrent(key, in: wsID) {
                // The exit counts once the output is on the host: fetch it first.
                workspaces[wsID]?.collecting[key] = .init(exit: exit, at: at, reason: reason, usage: usage,
                                                          output: OutputDelivery(label: "\(key)"))
                link.send(.fetchOutput(key))
            } else {
                let run = accountedRun(key, in: wsID, exit: exit, endedAt: at, usage: usage)
                ended(key, in: wsID, link: link, accounting: run) { job in self.outcome(&job, exit: exit, at: at, reason: reason) }
            }
        case .output(let chunk):
            deliver(chunk, in: wsID)
        case .outputEnd(let key, let note):
            guard let c = workspaces[wsID]?.collecting[key] else { return }
            if let note { c.output.note(note) }
            Task {
                let notes = await c.output.finish(timeout: 300)
                self.outputDelivered(key, in: wsID, link: link, by: c.output, notes: notes)
            }
        case .rejected(let key, let reason, let transient):
            ended(key, in: wsID, link: link) { job in self.notStarted(&job, reason: reason, transient: transient) }
        case .suspended(let key, let suspended):
            guard var job = jobs[key.job], job.attempts == key.attempt, job.workspaceID == wsID else { return }
            let from = job.state
            if (try? job.move(to: suspended ? .suspended : .running)) != nil {
                jobs[key.job] = job
                commit([(job, .transition(job, from: from, at: Self.now))])
            }
        case .error(let text):
            logger.warning("agent reported an error", metadata: ["workspace": "\(wsID)", "error": "\(text)"])
        }
    }

    /// When something a workspace's agent reports as it happens happened, on our clock. A guest's
    /// clock drifts from ours, by a second or more after each pause or restore, however well its
    /// offset was measured when its agent attached: its time, corrected by that offset, is
    /// trusted only if it falls within the last second; otherwise the report's arrival is the
    /// time (a start never precedes its submit).
    static func time(of agentTime: Double, offset: Double, sharesClock: Bool) -> Double {
        if sharesClock { return agentTime }
        let corrected = agentTime - offset, now = Self.now
        return corrected <= now && corrected >= now - 1 ? corrected : now
    }

    /// Whether `key` is the live run of a job that still waits for it in this workspace.
    func isCurrent(_ key: RunKey, in wsID: String) -> Bool {
        guard let job = jobs[key.job] else { return false }
        return job.attempts == key.attempt && job.workspaceID == wsID && job.state.isActive
    }

    /// Queues one piece of a staged run's output for the submitter's file. A first piece starts
    /// the file afresh (unless the job appends), so a transfer repeated after a reconnect or a
    /// restart gives the same file.
    func deliver(_ chunk: OutputChunk, in wsID: String) {
        guard let c = workspaces[wsID]?.collecting[chunk.key], let job = jobs[chunk.key.job],
              let id = identity(job.owner) else { return }
        if let file = chunk.file {
            return c.output.write(chunk, of: file, into: job.spec.directory ?? id.home, as: id)
        }
        guard let path = chunk.stream == .stdout ? job.spec.stdout : job.spec.stderr, path != "/dev/null" else { return }
        var append = chunk.offset > 0
        if case .gram = job.spec.origin { append = true }
        c.output.write(Array(chunk.data), to: path, as: id, truncate: !append, stream: chunk.stream.rawValue)
    }

    /// Every piece of a staged run's output is written (or given up on): now its exit counts.
    func outputDelivered(_ key: RunKey, in wsID: String, link: AgentLink, by output: OutputDelivery, notes: [String]) {
        // A reconnect meanwhile started the transfer over, with a delivery of its own.
        guard let c = workspaces[wsID]?.collecting[key], c.output === output else { return }
        workspaces[wsID]?.collecting[key] = nil
        let run = accountedRun(key, in: wsID, exit: c.exit, endedAt: c.at, usage: c.usage)
        ended(key, in: wsID, link: link, accounting: run) { job in
            self.outcome(&job, exit: c.exit, at: c.at, reason: c.reason)
            if !notes.isEmpty {
                let text = notes.joined(separator: "; ")
                job.reason = job.reason.map { "\($0); \(text)" } ?? text
            }
        }
    }

    func started(_ key: RunKey, at: Double, in wsID: String) {
        guard var job = jobs[key.job], job.attempts == key.attempt, job.workspaceID == wsID, job.state == .starting else { return }
        try? job.move(to: .running)
        job.startedAt = at
        if let metrics, let sent = workspaces[wsID]?.runs[key]?.sentAt, sent > 0 { metrics.agentAnswered(after: Self.now - sent) }
        jobs[key.job] = job
        stage([(job, .transition(job, from: .starting, at: at))])
        if job.spec.transfer?.credential != nil { watchCredential(of: key, in: wsID) }
    }

    /// A run is over: free its slot, record the job's new state durably, then let the agent forget it.
    /// `accounting`: the record of the run, if it ran (a rejected run has none); written with the
    /// job's change.
    func ended(_ key: RunKey, in wsID: String, link: AgentLink, accounting: AccountedRun? = nil, apply: (inout Job) -> Void) {
        workspaces[wsID]?.runs[key] = nil
        if workspaces[wsID]?.runs.isEmpty == true {
            workspaces[wsID]?.idleSince = Self.now
            if workspaces[wsID]?.record.state == .busy { move(wsID, to: .ready) }
        }
        if var job = jobs[key.job], job.attempts == key.attempt, job.workspaceID == wsID, job.state.isActive {
            let from = job.state
            apply(&job)
            jobs[key.job] = job
            if job.state == .queued { enqueue(job) }
            stage([(job, .transition(job, from: from, at: Self.now))])
        }
        // Also a run whose job was cancelled or held meanwhile: it ran, and used what it used.
        stage([], accounting: accounting.map { [$0] } ?? [], then: [.ack(link, key)])
        if workspaces[wsID]?.isJobVM == true, workspaces[wsID]?.runs.isEmpty == true { retire(wsID, reason: "its job's VM run ended") }
        scheduleSoon()
    }

    /// The agent's state after a (re)connect: re-attach what runs, finish what ended while we were
    /// away, requeue what the agent never received.
    func adopt(_ wsID: String, info: AgentInfo, runs agentRuns: [AgentRunRecord], link: AgentLink) {
        let now = Self.now
        var offset = 0.0
        if let provider = workspaces[wsID]?.record.provider, !shares(.sharesHostClock, provider), let theirs = info.now {
            offset = theirs - now
        }
        workspaces[wsID]?.clockOffset = offset
        let runs = agentRuns.map { r in
            var r = r
            r.startedAt = r.startedAt.map { $0 - offset }
            r.endedAt = r.endedAt.map { $0 - offset }
            return r
        }
        let byKey = Dictionary(runs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [(job: Job, event: StoreEvent)] = []
        var accounting: [AccountedRun] = []
        var acks: [RunKey] = []
        var fetches: [RunKey] = []
        var claimed = Set<RunKey>()
        var refreshes: [RunKey] = []
        workspaces[wsID]?.collecting = [:]
        for (id, job) in jobs where job.workspaceID == wsID && job.state.isActive {
            var j = job
            let from = j.state
            let key = RunKey(job: id, attempt: j.attempts)
            claimed.insert(key)
            /// Back to the queue, not counted against the job's retries.
            func requeue(_ why: String) {
                metrics?.requeued(.runLost)
                workspaces[wsID]?.runs[key] = nil
                try? j.move(to: .queued, reason: "\(why); requeued")
                j.workspaceID = nil
                jobs[id] = j
                enqueue(j)
                changes.append((j, .transition(j, from: from, at: now)))
            }
            guard let record = byKey[key] else {
                // Recorded as dispatched, but the agent does not know the run: the request never
                // reached it, or the agent restarted and stopped what it had started.
                requeue("workspace \(wsID) does not have the run (the request did not reach it, or its agent restarted)")
                continue
            }
            switch record.phase {
            case .accepted, .running:
                workspaces[wsID]?.runs[key] = .init(job: id, owner: j.owner, staged: record.scratch != nil)
                if record.scratch != nil, j.spec.transfer?.credential != nil { refreshes.append(key) }
                let target: JobState = record.suspended ? .suspended : .running
                if j.state != target, (try? j.move(to: target)) != nil {
                    j.startedAt = record.startedAt
                    jobs[id] = j
                    changes.append((j, .transition(j, from: from, at: now)))
                }
            case .exited where record.lost == true:
                // The agent restarted under it and stopped it: like a lost workspace, not a failure.
                requeue("its run was lost when the agent of \(wsID) restarted")
                acks.append(key)
            case .exited where record.scratch != nil:
                // Ended while we were away; its output is still in the workspace.
                workspaces[wsID]?.runs[key] = .init(job: id, owner: j.owner, staged: true)
                workspaces[wsID]?.collecting[key] = .init(exit: record.exit ?? .signaled(9), at: record.endedAt ?? now,
                                                          reason: record.reason, usage: record.usage,
                                                          output: OutputDelivery(label: "\(key)"))
                fetches.append(key)
            case .exited:
                workspaces[wsID]?.runs[key] = nil
                if let run = accountedRun(key, in: wsID, exit: record.exit ?? .signaled(9), endedAt: record.endedAt ?? now,
                                          usage: record.usage) {
                    accounting.append(run)
                }
                outcome(&j, exit: record.exit ?? .signaled(9), at: record.endedAt ?? now, reason: record.reason)
                jobs[id] = j
                if j.state == .queued { enqueue(j) }
                changes.append((j, .transition(j, from: from, at: now)))
                acks.append(key)
            case .rejected:
                workspaces[wsID]?.runs[key] = nil
                notStarted(&j, reason: record.reason ?? "rejected", transient: record.transient == true)
                jobs[id] = j
                if j.state == .queued { enqueue(j) }
                changes.append((j, .transition(j, from: from, at: now)))
                acks.append(key)
            }
        }
        // Runs no job claims any more (cancelled or held while we were away): stop or forget them.
        for record in runs where !claimed.contains(record.key) {
            switch record.phase {
            case .accepted, .running:
                let owner = jobs[record.key.job]?.owner ?? (try? store.job(record.key.job))?.owner ?? 0
                workspaces[wsID]?.runs[record.key] = .init(job: record.key.job, owner: owner)
                link.send(.signal(record.key, .kill))
            case .exited:
                // Its job was cancelled or held while we were away; the run still counts.
                if let run = accountedRun(record.key, in: wsID, exit: record.exit ?? .signaled(9), endedAt: record.endedAt ?? now,
                                          usage: record.usage) {
                    accounting.append(run)
                }
                acks.append(record.key)
            case .rejected:
                acks.append(record.key)
            }
        }
        if let w = workspaces[wsID] {
            // Attached: it takes jobs, unless its lease ran out meanwhile.
            let next: WorkspaceState = now >= w.record.leaseExpiresAt ? .draining : w.runs.isEmpty ? .ready : .busy
            if w.record.state == .booting, let metrics, w.phaseSince > 0 {
                metrics.workspace(.boot, className: w.record.className, seconds: now - w.phaseSince)
                workspaces[wsID]?.phaseSince = 0
            }
            if w.record.state == .booting || (w.record.state.takesJobs && next != w.record.state) { move(wsID, to: next) }
            if w.record.state == .booting { followClassChangeAfterBoot(wsID) }
        }
        stage([], accounting: accounting)
        commit(changes)
        for key in acks { ack(key, over: link) }
        for key in fetches { link.send(.fetchOutput(key)) }
        for key in refreshes { watchCredential(of: key, in: wsID) }
        logger.info("agent attached", metadata: ["workspace": "\(wsID)", "kernel": "\(info.kernel)", "runs": "\(runs.count)"])
        schedule()
    }
}
