import AgentProtocol
import WorkspaceBridge

/// The front doors' periodic policies (HTCondor's periodic_hold/release/remove): expressions a
/// user wrote, evaluated every second for each job that has one. Their cost is bounded per job
/// by the evaluator's budget, and the whole pass runs off the scheduler, on copies of the jobs:
/// many jobs with costly policies delay only the next pass, never an API answer or a start. The
/// decisions come back to the scheduler, which applies each to a job that has not changed since.
extension Scheduler {
    func evaluatePeriodicPolicies(now: Double) {
        guard !periodicPassRunning, !periodicJobs.isEmpty else { return }
        var snapshot: [Job] = []
        for id in periodicJobs {
            if let job = jobs[id] { snapshot.append(job) } else { periodicJobs.remove(id) }
        }
        periodicPassRunning = true
        let observers = self.observers
        Task.detached {
            var decisions: [(Job, PeriodicDecision)] = []
            for job in snapshot {
                if let d = observers.lazy.compactMap({ $0.periodic(job, now: now) }).first { decisions.append((job, d)) }
            }
            await self.applyPeriodic(decisions, now: now)
        }
    }

    func applyPeriodic(_ decisions: [(Job, PeriodicDecision)], now: Double) {
        periodicPassRunning = false
        for (seen, decision) in decisions {
            // Changed meanwhile (it ended, was held, started again): the next pass decides anew.
            guard var j = jobs[seen.id], j.state == seen.state, j.attempts == seen.attempts else { continue }
            let from = j.state
            let key = RunKey(job: j.id, attempt: j.attempts)
            let link = j.state.isActive ? j.workspaceID.flatMap { workspaces[$0]?.link } : nil
            switch decision {
            case .hold(let reason):
                guard (try? j.move(to: .held, reason: reason)) != nil else { continue }
                j.workspaceID = nil
                link?.send(.signal(key, .kill))
            case .release(let reason):
                guard (try? j.move(to: .queued, reason: reason)) != nil else { continue }
                metrics?.requeued(.released)
            case .remove(let reason):
                guard (try? j.move(to: .cancelled, reason: reason)) != nil else { continue }
                j.endedAt = now
                link?.send(.signal(key, .kill))
            }
            jobs[j.id] = j
            dequeue(j.id)
            if j.state == .queued { enqueue(j) }
            commit([(j, .transition(j, from: from, at: now))])
        }
    }
}
