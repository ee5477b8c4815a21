import Foundation
import GRDB
import WorkspaceBridge

/// The embedded store: SQLite in WAL mode with `synchronous = FULL`, so that a committed
/// transaction survives a crash of the process or of the machine. Every change of a job is one
/// transaction together with its event: there is no half-recorded job.
public final class SQLiteStore: Store {
    public let path: String
    let pool: DatabasePool
    /// A connection of its own for checkpoints, so that they run beside the writer, not in it.
    let checkpointer: DatabaseQueue
    /// This store's identity, made with it.
    public let identity: StoreIdentity
    public var location: String { path }

    /// Opens (creating if needed) and migrates the store. A file that is not a readable store
    /// fails here, loudly, with its path and the cause, rather than being silently replaced.
    public convenience init(path: String) throws(StoreError) { try self.init(path: path, upTo: nil) }

    /// Opens the store migrated up to the named migration (tests of upgrades), or to the newest.
    init(path: String, upTo lastMigration: String?) throws(StoreError) {
        self.path = path
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // SQLite would copy the WAL into the database inside whichever commit crosses 1000
            // pages, and that commit would wait for it (tens of milliseconds): `checkpoint()`
            // does it instead, on the daemon's timer, beside the writer.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            var single = Configuration()
            single.busyMode = .timeout(10)
            checkpointer = try DatabaseQueue(path: path, configuration: single)
            let check = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
            guard check == "ok" else { throw StoreError.corrupt(path: path, cause: check ?? "integrity check failed") }
            if let lastMigration { try Migrations.migrator.migrate(pool, upTo: lastMigration) } else { try Migrations.migrator.migrate(pool) }
            identity = try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT id, legacyJobIDsUpTo FROM store_identity") else {
                    throw StoreError.corrupt(path: path, cause: "the store has no identity row")
                }
                return StoreIdentity(id: row["id"], legacyJobIDsUpTo: row["legacyJobIDsUpTo"])
            }
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            throw StoreError.corrupt(path: path, cause: e.message ?? "\(e)")
        } catch {
            throw StoreError.corrupt(path: path, cause: "\(error)")
        }
    }

    /// Copies what the WAL holds into the database file (a passive checkpoint: it waits for no
    /// reader or writer and takes what it can), so the WAL does not grow without end. Call it
    /// off the scheduler, about once a second.
    public func checkpoint() {
        _ = try? checkpointer.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    // MARK: jobs

    /// The ids a submit with this key recorded, if one did.
    public func submitted(owner: UInt32, key: String) throws -> [[JobID]]? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT jobIDs FROM submit_key WHERE owner = ? AND key = ?", arguments: [owner, key])
                .flatMap { try? StoreRows.decode([[JobID]].self, $0) }
        }
    }

    /// Records new jobs and their `submitted` events in one durable transaction; returns them
    /// with their ids. When this returns, the jobs survive any crash. With an idempotency key,
    /// `group` maps the jobs to the submit's specs (per spec, its ids), recorded in the same
    /// transaction; a key already recorded fails with `StoreError.duplicateKey` and records nothing.
    public func insert(_ jobs: [Job], at: Double, key: (owner: UInt32, key: String, group: ([Job]) -> [[JobID]])?,
                       effects: (Job) -> [SideEffect]) throws -> [Job] {
        try pool.write { db in
            if let key, try Bool.fetchOne(db, sql: "SELECT 1 FROM submit_key WHERE owner = ? AND key = ?",
                                          arguments: [key.owner, key.key]) == true {
                throw StoreError.duplicateKey
            }
            var saved: [Job] = []
            for var job in jobs {
                var record = try JobRecord(job)
                record.id = nil
                try record.insertNew(db)
                job.id = record.id!
                try Self.insert(event: .transition(job, from: nil, at: at), db)
                for effect in effects(job) { try Self.insert(effect: effect, job: job.id, at: at, db) }
                saved.append(job)
            }
            if let key {
                try db.execute(sql: "INSERT INTO submit_key (owner, key, jobIDs, at) VALUES (?, ?, ?, ?)",
                               arguments: [key.owner, key.key, try StoreRows.encode(key.group(saved)), at])
            }
            return saved
        }
    }

    /// Saves changed jobs with their events, the side effects they owe and the accounting records
    /// of the runs that ended, all in one transaction. A run's record is written once: a repeated
    /// one (an agent that reports an end again) is ignored.
    public func update(_ changes: [(job: Job, event: StoreEvent)], effects: [(job: JobID, effect: SideEffect, at: Double)],
                       accounting: [AccountingRecord]) throws {
        guard !changes.isEmpty || !accounting.isEmpty else { return }
        try pool.write { db in
            for r in accounting { try AccountingRow(r).insertNew(db) }
            for e in effects { try Self.insert(effect: e.effect, job: e.job, at: e.at, db) }
            for (job, event) in changes {
                try JobRecord(job, withSpec: false).updateChange(db)
                try Self.insert(event: event, db)
            }
        }
    }

    public func job(_ id: JobID) throws -> Job? {
        try pool.read { db in try JobRecord.fetchOne(db, key: id)?.job() }
    }

    /// The jobs with these ids that exist, in one read (a status of thousands of jobs is a few
    /// queries, not one per job).
    public func jobs(ids: [JobID]) throws -> [JobID: Job] {
        guard !ids.isEmpty else { return [:] }
        return try pool.read { db in
            var found: [JobID: Job] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM job WHERE id IN (\(databaseQuestionMarks(count: chunk.count)))",
                                               arguments: StatementArguments(chunk))
                while let row = try rows.next() {
                    let job = try StoreRows.job(row)
                    found[job.id] = job
                }
            }
            return found
        }
    }

    /// Jobs not yet finished: what the scheduler loads at start. A row that cannot be decoded
    /// (a value out of range, a spec that is not valid JSON) is returned with the reason
    /// instead, never thrown, so that one bad row cannot keep the daemon from starting.
    public func unfinishedJobs() throws -> (jobs: [Job], unloadable: [(id: JobID, reason: String)]) {
        try pool.read { db in
            var jobs: [Job] = []
            var bad: [(id: JobID, reason: String)] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM job WHERE state NOT IN ('done','failed','cancelled') ORDER BY id")
            while let row = try rows.next() {
                do { jobs.append(try StoreRows.job(row)) } catch {
                    bad.append(((try? row.decode(JobID.self, forColumn: "id")) ?? 0, "\(error)"))
                }
            }
            return (jobs, bad)
        }
    }

    /// Fails a job that cannot be loaded, with the reason and its event, touching no other column.
    public func markUnloadable(_ id: JobID, reason: String, at: Double) throws {
        try pool.write { db in
            let from = try String.fetchOne(db, sql: "SELECT state FROM job WHERE id = ?", arguments: [id])
            let why = "the stored job cannot be loaded: \(reason)"
            try db.execute(sql: "UPDATE job SET state = 'failed', reason = ?, endedAt = ? WHERE id = ?", arguments: [why, at, id])
            try Self.insert(event: StoreEvent(at: at, jobID: id, kind: "transition", from: from.flatMap(JobState.init(rawValue:)),
                                              to: .failed, message: why), db)
        }
    }

    /// Jobs by id, owner, or all; newest last.
    public func jobs(ids: [JobID]?, owner: UInt32?, before: JobID?, limit: Int) throws -> [Job] {
        try pool.read { db in
            var sql = "SELECT * FROM job"
            var args: [any DatabaseValueConvertible] = []
            var clauses: [String] = []
            if let ids {
                clauses.append("id IN (\(ids.map { _ in "?" }.joined(separator: ",")))")
                args += ids
            }
            if let owner { clauses.append("owner = ?"); args.append(owner) }
            if let before { clauses.append("id < ?"); args.append(before) }
            if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
            sql += " ORDER BY id DESC LIMIT \(max(1, min(limit, 100_000)))"
            // A row that cannot be decoded (see `unfinishedJobs`) is left out of listings.
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).compactMap { try? StoreRows.job($0) }.reversed()
        }
    }

    // MARK: events

    public func events(after seq: Int64, jobID: JobID?, limit: Int) throws -> [StoreEvent] {
        try pool.read { db in
            var sql = "SELECT * FROM event WHERE seq > ?"
            var args: [any DatabaseValueConvertible] = [seq]
            if let jobID { sql += " AND jobID = ?"; args.append(jobID) }
            sql += " ORDER BY seq LIMIT \(limit)"
            // Like a job row, an event row that cannot be decoded is left out rather than failing the listing.
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).compactMap { try? StoreRows.event($0) }
        }
    }

    public func record(_ event: StoreEvent) throws {
        try pool.write { db in try Self.insert(event: event, db) }
    }

    // MARK: accounting

    /// Accounting records of runs that ended in [since, until), of one owner or all, oldest
    /// first; at most `limit`.
    public func accounting(since: Double, until: Double, owner: UInt32?, limit: Int) throws -> [AccountingRecord] {
        try pool.read { db in
            var sql = "SELECT * FROM accounting WHERE endedAt >= ? AND endedAt < ?"
            var args: [any DatabaseValueConvertible] = [since, until]
            if let owner { sql += " AND owner = ?"; args.append(owner) }
            sql += " ORDER BY endedAt, jobID, attempt LIMIT \(max(1, min(limit, 1_000_000)))"
            // A row that cannot be decoded is left out, as in job listings.
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).compactMap { try? StoreRows.accounting($0) }
        }
    }

    // MARK: pruning

    /// Removes up to `batch` jobs that ended before `cutoff`, with their events (cascade) and
    /// not while they still owe a side effect, and submit keys and job-less events older than the cutoff. Returns how
    /// many jobs went; call again while it returns `batch`.
    @discardableResult
    public func pruneFinished(endedBefore cutoff: Double, batch: Int) throws -> Int {
        try pool.write { db in
            try db.execute(sql: """
                DELETE FROM job WHERE id IN (
                    SELECT id FROM job WHERE state IN ('done','failed','cancelled') AND COALESCE(endedAt, submittedAt) < ?
                        AND id NOT IN (SELECT jobID FROM outbox WHERE jobID IS NOT NULL)
                    ORDER BY id LIMIT ?)
                """, arguments: [cutoff, batch])
            let jobs = db.changesCount
            try db.execute(sql: "DELETE FROM submit_key WHERE (owner, key) IN (SELECT owner, key FROM submit_key WHERE at < ? LIMIT ?)",
                           arguments: [cutoff, batch])
            try db.execute(sql: "DELETE FROM event WHERE seq IN (SELECT seq FROM event WHERE jobID IS NULL AND at < ? LIMIT ?)",
                           arguments: [cutoff, batch])
            return jobs
        }
    }

    // MARK: outbox

    /// One outbox entry as it stands now, or nil once delivered.
    public func effect(_ seq: Int64) throws -> OutboxEntry? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE seq = ?", arguments: [seq]).map(StoreRows.outboxEntry) }
    }

    /// Side effects due for delivery, oldest first. Each file's effects go in order: one waiting
    /// for a retry holds back the later ones of its file (and only those).
    public func dueEffects(now: Double, limit: Int) throws -> [OutboxEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM outbox o WHERE o.nextAt <= ?
                    AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.path = o.path AND p.seq < o.seq AND p.nextAt > ?)
                ORDER BY seq LIMIT ?
                """, arguments: [now, now, limit]).map(StoreRows.outboxEntry)
        }
    }

    /// The file's length before an append, recorded before the bytes are written.
    public func effectWillWrite(_ seq: Int64, at offset: Int64) throws {
        try pool.write { db in try db.execute(sql: "UPDATE outbox SET offset = ? WHERE seq = ?", arguments: [offset, seq]) }
    }

    public func effectDelivered(_ seq: Int64) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [seq]) }
    }

    /// A delivery that failed and will be tried again at `nextAt`.
    public func effectFailed(_ seq: Int64, error: String, nextAt: Double) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, lastError = ?, nextAt = ? WHERE seq = ?",
                           arguments: [error, nextAt, seq])
        }
    }

    /// A delivery given up on: removed, with an event that says why.
    public func effectAbandoned(_ entry: OutboxEntry, error: String, at: Double) throws {
        try pool.write { db in
            let job = try JobID.fetchOne(db, sql: "SELECT jobID FROM outbox WHERE seq = ?", arguments: [entry.seq])
            try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [entry.seq])
            try Self.insert(event: StoreEvent(at: at, jobID: job, kind: "effect-abandoned",
                                              message: "\(entry.effect.path): \(error) after \(entry.attempts + 1) attempts"), db)
        }
    }

    static func insert(effect e: SideEffect, job: JobID, at: Double, _ db: Database) throws {
        var record = OutboxRecord(e, job: job, at: at)
        try record.insert(db)
    }

    // MARK: workspaces

    public func save(_ w: Workspace, event: StoreEvent?) throws {
        try pool.write { db in
            try WorkspaceRecord(w).insert(db, onConflict: .replace)
            if let event { try Self.insert(event: event, db) }
        }
    }

    public func deleteWorkspace(_ id: String, event: StoreEvent?) throws {
        try pool.write { db in
            _ = try WorkspaceRecord.deleteOne(db, key: id)
            if let event { try Self.insert(event: event, db) }
        }
    }

    public func workspaces() throws -> [Workspace] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM workspace ORDER BY createdAt").map(StoreRows.workspace) }
    }

    public func drainedHosts() throws -> [String: Double] {
        try pool.read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT uri, since FROM drained_host").map { ($0["uri"] as String, $0["since"] as Double) },
                       uniquingKeysWith: { a, _ in a })
        }
    }

    public func setDrained(_ uri: String, since: Double?, event: StoreEvent) throws {
        try pool.write { db in
            if let since {
                try db.execute(sql: "INSERT INTO drained_host(uri, since) VALUES (?, ?) ON CONFLICT(uri) DO NOTHING", arguments: [uri, since])
            } else {
                try db.execute(sql: "DELETE FROM drained_host WHERE uri = ?", arguments: [uri])
            }
            try Self.insert(event: event, db)
        }
    }

    /// The next number of a named counter (workspace ids), durable.
    public func next(_ counter: String) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO counter(name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
                           arguments: [counter])
            return try Int64.fetchOne(db, sql: "SELECT value FROM counter WHERE name = ?", arguments: [counter]) ?? 1
        }
    }

    static func insert(event e: StoreEvent, _ db: Database) throws {
        try EventRecord(e).insertNew(db)
    }
}
