import Foundation
import WorkspaceBridge

/// The daemon's persistent state, whichever database holds it: SQLite in the state directory
/// (the embedded default, `SQLiteStore`) or a PostgreSQL server that several daemons share
/// (`PostgresStore`). Both keep the same promises, and the same tests hold them to it:
/// - a call that returns has committed durably: a submit survives any crash once acknowledged;
/// - every change of a job is one transaction together with its event, its side effects and
///   its accounting records: there is no half-recorded job;
/// - a row that cannot be decoded is reported or left out, never a trap, and never keeps the
///   daemon from starting.
public protocol Store: AnyObject, Sendable {
    /// This store's identity, made with it.
    var identity: StoreIdentity { get }
    /// Where it is, for messages: a path, or a server and database (never a password).
    var location: String { get }

    /// Housekeeping the database needs now and then (SQLite: a WAL checkpoint); off the scheduler.
    func checkpoint()

    // MARK: jobs

    /// The ids a submit with this key recorded, if one did.
    func submitted(owner: UInt32, key: String) throws -> [[JobID]]?
    /// Records new jobs and their `submitted` events in one durable transaction; returns them
    /// with their ids. With an idempotency key, `group` maps the jobs to the submit's specs (per
    /// spec, its ids), recorded in the same transaction; a key already recorded fails with
    /// `StoreError.duplicateKey` and records nothing.
    func insert(_ jobs: [Job], at: Double, key: (owner: UInt32, key: String, group: ([Job]) -> [[JobID]])?,
                effects: (Job) -> [SideEffect]) throws -> [Job]
    /// Saves changed jobs with their events, the side effects they owe and the accounting
    /// records of the runs that ended, all in one transaction. A run's record is written once.
    func update(_ changes: [(job: Job, event: StoreEvent)], effects: [(job: JobID, effect: SideEffect, at: Double)],
                accounting: [AccountingRecord]) throws
    func job(_ id: JobID) throws -> Job?
    /// The jobs with these ids that exist, in few queries.
    func jobs(ids: [JobID]) throws -> [JobID: Job]
    /// Jobs not yet finished, and those whose rows cannot be decoded, with the reason.
    func unfinishedJobs() throws -> (jobs: [Job], unloadable: [(id: JobID, reason: String)])
    /// Fails a job that cannot be loaded, with the reason and its event, touching no other column.
    func markUnloadable(_ id: JobID, reason: String, at: Double) throws
    /// Jobs by id, owner, or all; newest last.
    func jobs(ids: [JobID]?, owner: UInt32?, before: JobID?, limit: Int) throws -> [Job]

    // MARK: events
    func events(after seq: Int64, jobID: JobID?, limit: Int) throws -> [StoreEvent]
    func record(_ event: StoreEvent) throws

    // MARK: accounting
    /// Accounting records of runs that ended in [since, until), of one owner or all, oldest first.
    func accounting(since: Double, until: Double, owner: UInt32?, limit: Int) throws -> [AccountingRecord]

    // MARK: pruning
    /// Removes up to `batch` jobs that ended before `cutoff` and owe no side effect, with their
    /// events, and older submit keys and job-less events. Returns how many jobs went.
    @discardableResult
    func pruneFinished(endedBefore cutoff: Double, batch: Int) throws -> Int

    // MARK: outbox
    /// One outbox entry as it stands now, or nil once delivered.
    func effect(_ seq: Int64) throws -> OutboxEntry?
    /// Side effects due for delivery, oldest first; one waiting for a retry holds back the later
    /// ones of its file (and only those).
    func dueEffects(now: Double, limit: Int) throws -> [OutboxEntry]
    /// The file's length before an append, recorded before the bytes are written.
    func effectWillWrite(_ seq: Int64, at offset: Int64) throws
    func effectDelivered(_ seq: Int64) throws
    /// A delivery that failed and will be tried again at `nextAt`.
    func effectFailed(_ seq: Int64, error: String, nextAt: Double) throws
    /// A delivery given up on: removed, with an event that says why.
    func effectAbandoned(_ entry: OutboxEntry, error: String, at: Double) throws

    // MARK: workspaces
    func save(_ w: Workspace, event: StoreEvent?) throws
    func deleteWorkspace(_ id: String, event: StoreEvent?) throws
    func workspaces() throws -> [Workspace]
    /// Hosts drained by an admin (they take no new workspace), with when each was drained.
    func drainedHosts() throws -> [String: Double]
    /// Marks a host drained since `since`, or (`nil`) no longer drained, with its event, in one
    /// transaction.
    func setDrained(_ uri: String, since: Double?, event: StoreEvent) throws
    /// The next number of a named counter (workspace ids), durable.
    func next(_ counter: String) throws -> Int64
}

/// The defaults callers are used to.
public extension Store {
    func insert(_ jobs: [Job], at: Double, key: (owner: UInt32, key: String, group: ([Job]) -> [[JobID]])? = nil) throws -> [Job] {
        try insert(jobs, at: at, key: key, effects: { _ in [] })
    }
    func update(_ changes: [(job: Job, event: StoreEvent)], effects: [(job: JobID, effect: SideEffect, at: Double)] = [],
                accounting: [AccountingRecord] = []) throws {
        try update(changes, effects: effects, accounting: accounting)
    }
    func jobs(ids: [JobID]? = nil, owner: UInt32? = nil, before: JobID? = nil, limit: Int = 10000) throws -> [Job] {
        try jobs(ids: ids, owner: owner, before: before, limit: limit)
    }
    func events(after seq: Int64, jobID: JobID? = nil, limit: Int = 1000) throws -> [StoreEvent] {
        try events(after: seq, jobID: jobID, limit: limit)
    }
    func accounting(since: Double, until: Double, owner: UInt32? = nil, limit: Int = 100_000) throws -> [AccountingRecord] {
        try accounting(since: since, until: until, owner: owner, limit: limit)
    }
    @discardableResult
    func pruneFinished(endedBefore cutoff: Double) throws -> Int { try pruneFinished(endedBefore: cutoff, batch: 500) }
    func dueEffects(now: Double) throws -> [OutboxEntry] { try dueEffects(now: now, limit: 1000) }
    func save(_ w: Workspace) throws { try save(w, event: nil) }
    func deleteWorkspace(_ id: String) throws { try deleteWorkspace(id, event: nil) }
}

/// One side effect waiting in the outbox.
public struct OutboxEntry: Sendable, Equatable {
    public var seq: Int64
    public var at: Double
    public var effect: SideEffect
    /// The file's length before the append, once a delivery began.
    public var offset: Int64?
    public var attempts: Int
}

/// The store cannot be used; says which file and why, so the admin can act.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case corrupt(path: String, cause: String)
    /// A submit's idempotency key is already recorded.
    case duplicateKey

    public var description: String {
        switch self {
        case .corrupt(let path, let cause):
            "the store \(path) cannot be read: \(cause). Nothing was changed; move the file aside to start afresh, or restore it from a backup"
        case .duplicateKey: "this idempotency key was already used"
        }
    }
}
