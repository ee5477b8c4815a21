import AgentProtocol
import BridgeStore
import Foundation
import WorkspaceBridge

/// Group commit. Changes that need not be answered at once (a run started, a run ended, the
/// starts of a scheduling pass) are staged, with what they owe once durable (the run to send,
/// the agent's ack); one flush, queued behind whatever else the scheduler has to do, writes
/// everything staged meanwhile in one transaction (one fsync) and only then acts. A burst of
/// agent messages thus costs one transaction and one scheduling pass, not one of each per
/// message. A change that must be durable before its caller goes on (`commit`) flushes the batch
/// with it, so that changes reach the store in the order they were made.
extension Scheduler {
    /// What a staged change owes once it is durable.
    enum AfterCommit {
        /// Send the run to its agent (its start is recorded).
        case run(AgentLink, RunRequest)
        /// Let the agent forget the run (its end is recorded).
        case ack(AgentLink, RunKey)
    }

    struct Batch {
        var changes: [(job: Job, event: StoreEvent)] = []
        /// Runs that ended: their accounting records and the files those owe.
        var accounting: [AccountedRun] = []
        var after: [AfterCommit] = []
        /// A scheduling pass is owed before the next write (runs ended: slots are free).
        var needsPass = false
        var flushQueued = false
    }

    /// Stages changes for the next flush, with what they owe once durable.
    func stage(_ changes: [(job: Job, event: StoreEvent)], accounting: [AccountedRun] = [], then after: [AfterCommit] = []) {
        batch.changes += changes
        batch.accounting += accounting
        batch.after += after
        if batch.changes.isEmpty && batch.accounting.isEmpty && batch.after.isEmpty { return }
        queueFlush()
    }

    /// A scheduling pass before the next flush, so that its starts go in the same transaction.
    func scheduleSoon() {
        batch.needsPass = true
        queueFlush()
    }

    private func queueFlush() {
        guard !batch.flushQueued else { return }
        batch.flushQueued = true
        Task { self.flush() }
    }

    /// Writes everything staged in one transaction, then does what it owed.
    func flush() {
        if batch.needsPass {
            batch.needsPass = false
            schedule()
        }
        let pending = batch
        batch = Batch()
        write(pending.changes, accounting: pending.accounting)
        for action in pending.after {
            switch action {
            case .run(let link, let request):
                if metrics != nil { workspaces[link.workspaceID]?.runs[request.key]?.sentAt = Self.now }
                send(request, over: link)
            case .ack(let link, let key): ack(key, over: link)
            }
        }
    }

    /// Writes changes now, with whatever is staged before them.
    func commit(_ changes: [(job: Job, event: StoreEvent)]) {
        batch.changes += changes
        flush()
    }

    /// Writes changes in one transaction, with the side effects they owe. When the store cannot
    /// be written (its disk is full or failing), the changes wait in memory, in order: no new run
    /// starts and no new job is taken (`store-unavailable`), running jobs go on, agents keep the
    /// ends they report until they are written, and the timer writes them when it can.
    private func write(_ changes: [(job: Job, event: StoreEvent)], accounting: [AccountedRun] = []) {
        guard !changes.isEmpty || !accounting.isEmpty else { return }
        let effects = changes.flatMap { change in
            observers.flatMap { $0.effects(of: change.job, from: change.event.from, at: change.event.at) }
                .map { (job: change.job.id, effect: $0, at: change.event.at) }
        } + accounting.flatMap { run in run.effects.map { (job: run.record.job, effect: $0, at: run.record.endedAt) } }
        let records = accounting.map(\.record)
        if storeFault == nil {
            do {
                let begun = metrics == nil ? 0 : DispatchTime.now().uptimeNanoseconds
                try store.update(changes, effects: effects, accounting: records)
                if let metrics { metrics.storeCommitted(nanoseconds: Int64(DispatchTime.now().uptimeNanoseconds - begun)) }
                recorded(changes, effects: effects.count)
                return
            } catch {
                storeFault = "\(error)"
                logger.error("cannot write the store; new work waits until it can", metadata: ["error": "\(error)"])
            }
        }
        unsaved.changes += changes
        unsaved.effects += effects
        unsaved.accounting += records
        eventsChanged()
    }

    /// What follows a change once it is durable.
    func recorded(_ changes: [(job: Job, event: StoreEvent)], effects: Int) {
        // A job back in the queue may start at once: the timer's next pass should not wait.
        if changes.contains(where: { $0.job.state == .queued }) { nextTimedPass = 0 }
        if effects > 0 { outbox?.poke() }
        if let metrics {
            metrics.recorded(changes)
            observe(changes)
        }
        for (job, _) in changes where job.state.isTerminal { finish(job.id) }
        eventsChanged()
    }

    /// Tells an agent it may forget a run, once the run's end is durable.
    func ack(_ key: RunKey, over link: AgentLink) {
        if storeFault == nil { link.send(.ack(key)) } else { unsaved.acks.append((link, key)) }
    }

    /// The timer's retry of what could not be written; all of it, in one transaction, or nothing.
    func retryStore() {
        guard storeFault != nil else { return }
        do { try store.update(unsaved.changes, effects: unsaved.effects, accounting: unsaved.accounting) } catch {
            storeFault = "\(error)"
            return
        }
        let pending = unsaved
        unsaved = Unsaved()
        storeFault = nil
        logger.info("the store can be written again", metadata: ["changes": "\(pending.changes.count)"])
        recorded(pending.changes, effects: pending.effects.count)
        for (link, key) in pending.acks { link.send(.ack(key)) }
        schedule()
    }
}
