import Foundation
import GRDB
import WorkspaceBridge

/// The daemon's persistent state: SQLite in WAL mode with `synchronous = FULL`, so that a
/// committed transaction survives a crash of the process or of the machine. Every change of a
/// job is one transaction together with its event: there is no half-recorded job.
public final class Store: Sendable {
    public let path: String
    let pool: DatabasePool
    /// This store's identity, made with it.
    public let identity: StoreIdentity

    /// Opens (creating if needed) and migrates the store. A file that is not a readable store
    /// fails here, loudly, with its path and the cause, rather than being silently replaced.
    public init(path: String) throws(StoreError) {
        self.path = path
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            let check = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") }
            guard check == "ok" else { throw StoreError.corrupt(path: path, cause: check ?? "integrity check failed") }
            try Migrations.migrator.migrate(pool)
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

    // MARK: jobs

    /// Records new jobs and their `submitted` events in one durable transaction; returns them
    /// with their ids. When this returns, the jobs survive any crash.
    public func insert(_ jobs: [Job], at: Double) throws -> [Job] {
        try pool.write { db in
            var saved: [Job] = []
            for var job in jobs {
                try db.execute(sql: """
                    INSERT INTO job (owner, state, className, priority, spec, submittedAt, attempts, failures, reason)
                    VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)
                    """, arguments: [job.owner, job.state.rawValue, job.className, job.spec.priority,
                                     try Self.encode(job.spec), job.submittedAt, job.reason])
                job.id = db.lastInsertedRowID
                try Self.insert(event: .transition(job, from: nil, at: at), db)
                saved.append(job)
            }
            return saved
        }
    }

    /// Saves changed jobs with their events, all in one transaction.
    public func update(_ changes: [(job: Job, event: StoreEvent)]) throws {
        guard !changes.isEmpty else { return }
        try pool.write { db in
            for (job, event) in changes {
                try db.execute(sql: """
                    UPDATE job SET state = ?, attempts = ?, failures = ?, workspaceID = ?, exitCode = ?, signal = ?,
                        reason = ?, notBefore = ?, startedAt = ?, endedAt = ?, stopping = ?, className = ?
                    WHERE id = ?
                    """, arguments: [job.state.rawValue, job.attempts, job.failures, job.workspaceID,
                                     job.exit.flatMap { if case .exited(let c) = $0 { c } else { nil } },
                                     job.exit.flatMap { if case .signaled(let s) = $0 { s } else { nil } },
                                     job.reason, job.notBefore, job.startedAt, job.endedAt, job.stopping?.rawValue,
                                     job.className, job.id])
                try Self.insert(event: event, db)
            }
        }
    }

    public func job(_ id: JobID) throws -> Job? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).map(Self.job) }
    }

    /// Jobs not yet finished: what the scheduler loads at start.
    public func unfinishedJobs() throws -> [Job] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM job WHERE state NOT IN ('done','failed','cancelled') ORDER BY id").map(Self.job)
        }
    }

    /// Jobs by id, owner, or all; newest last.
    public func jobs(ids: [JobID]? = nil, owner: UInt32? = nil, limit: Int = 10000) throws -> [Job] {
        try pool.read { db in
            var sql = "SELECT * FROM job"
            var args: [any DatabaseValueConvertible] = []
            var clauses: [String] = []
            if let ids {
                clauses.append("id IN (\(ids.map { _ in "?" }.joined(separator: ",")))")
                args += ids
            }
            if let owner { clauses.append("owner = ?"); args.append(owner) }
            if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
            sql += " ORDER BY id DESC LIMIT \(limit)"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.job).reversed()
        }
    }

    public func countQueued(owner: UInt32) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job WHERE owner = ? AND state IN ('queued','held')", arguments: [owner]) ?? 0
        }
    }

    // MARK: events

    public func events(after seq: Int64, jobID: JobID? = nil, limit: Int = 1000) throws -> [StoreEvent] {
        try pool.read { db in
            var sql = "SELECT * FROM event WHERE seq > ?"
            var args: [any DatabaseValueConvertible] = [seq]
            if let jobID { sql += " AND jobID = ?"; args.append(jobID) }
            sql += " ORDER BY seq LIMIT \(limit)"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.event)
        }
    }

    public func record(_ event: StoreEvent) throws {
        try pool.write { db in try Self.insert(event: event, db) }
    }

    // MARK: workspaces

    public func save(_ w: Workspace, event: StoreEvent? = nil) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO workspace
                    (id, className, provider, state, pid, endpoint, handle, createdAt, leaseExpiresAt, lastUsedAt, enforcement, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [w.id, w.className, w.provider, w.state.rawValue, w.pid, w.endpoint, w.handle, w.createdAt,
                                 w.leaseExpiresAt, w.lastUsedAt, try Self.encode(w.enforcement), w.reason])
            if let event { try Self.insert(event: event, db) }
        }
    }

    public func deleteWorkspace(_ id: String, event: StoreEvent? = nil) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM workspace WHERE id = ?", arguments: [id])
            if let event { try Self.insert(event: event, db) }
        }
    }

    public func workspaces() throws -> [Workspace] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM workspace ORDER BY createdAt").map(Self.workspace) }
    }

    /// The next number of a named counter (workspace ids), durable.
    public func next(_ counter: String) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO counter(name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
                           arguments: [counter])
            return try Int64.fetchOne(db, sql: "SELECT value FROM counter WHERE name = ?", arguments: [counter]) ?? 1
        }
    }

    // MARK: rows

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func insert(event e: StoreEvent, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO event (at, jobID, workspaceID, kind, fromState, toState, message) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [e.at, e.jobID, e.workspaceID, e.kind, e.from?.rawValue, e.to?.rawValue, e.message])
    }

    static func job(_ row: Row) throws -> Job {
        let exit: ExitStatus? = (row["exitCode"] as Int32?).map { .exited($0) } ?? (row["signal"] as Int32?).map { .signaled($0) }
        guard let state = JobState(rawValue: row["state"]) else {
            throw StoreError.corrupt(path: "job \(row["id"] as Int64)", cause: "unknown state \(row["state"] as String)")
        }
        return Job(id: row["id"], spec: try decode(JobSpec.self, row["spec"]), owner: row["owner"], state: state,
                   className: row["className"], submittedAt: row["submittedAt"], attempts: row["attempts"],
                   failures: row["failures"], workspaceID: row["workspaceID"], exit: exit, reason: row["reason"],
                   notBefore: row["notBefore"], startedAt: row["startedAt"], endedAt: row["endedAt"],
                   stopping: (row["stopping"] as String?).flatMap(JobState.init(rawValue:)))
    }

    static func event(_ row: Row) -> StoreEvent {
        StoreEvent(seq: row["seq"], at: row["at"], jobID: row["jobID"], workspaceID: row["workspaceID"], kind: row["kind"],
                   from: (row["fromState"] as String?).flatMap(JobState.init(rawValue:)),
                   to: (row["toState"] as String?).flatMap(JobState.init(rawValue:)), message: row["message"])
    }

    static func workspace(_ row: Row) throws -> Workspace {
        Workspace(id: row["id"], className: row["className"], provider: row["provider"],
                  state: WorkspaceState(rawValue: row["state"]) ?? .lost, pid: row["pid"], endpoint: row["endpoint"],
                  handle: row["handle"], createdAt: row["createdAt"], leaseExpiresAt: row["leaseExpiresAt"],
                  lastUsedAt: row["lastUsedAt"], enforcement: try decode([Enforcement].self, row["enforcement"]),
                  reason: row["reason"])
    }
}

/// The store cannot be used; says which file and why, so the admin can act.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case corrupt(path: String, cause: String)

    public var description: String {
        switch self {
        case .corrupt(let path, let cause):
            "the store \(path) cannot be read: \(cause). Nothing was changed; move the file aside to start afresh, or restore it from a backup"
        }
    }
}
