import Foundation
import GRDB
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization
import WorkspaceBridge

/// The store on a PostgreSQL server (`[store] url = "postgresql://..."`), which several daemons
/// can share. It keeps `Store`'s promises as `SQLiteStore` does: a call returns once its
/// transaction has committed (PostgreSQL's `synchronous_commit` as the server is configured; on
/// by default), and rows go through the same records, with the same checks.
///
/// Calls are synchronous, as the scheduler makes them, and run one at a time on one connection:
/// they block the calling thread (never an event loop's) until the server answers. A connection
/// that fails is dropped; the next call opens a new one. A write whose connection broke before
/// the commit was acknowledged is reported as failed: the front doors repeat submits with their
/// idempotency key, so a commit that did happen is found, not repeated.
public final class PostgresStore: Store {
    public let settings: PostgresSettings
    public let identity: StoreIdentity
    public var location: String { settings.description }

    private let connection: Mutex<PostgresConnection?>
    static let logger = Logger(label: "wsbridge.store.postgresql")
    /// The lease epoch every write is fenced by, once this daemon holds the lease
    /// (`acquireLease`); and what to do when a write finds the lease passed on.
    private let fence = Mutex<(epoch: Int64, onLost: @Sendable (String) -> Void)?>(nil)

    /// Connects, migrates (as one daemon at a time) and reads the store's identity.
    public init(settings: PostgresSettings) throws(StoreError) {
        self.settings = settings
        do {
            let c = try Self.connect(settings)
            do {
                let s = Session(connection: c)
                try Self.migrate(s)
                guard let row = try s.rows("SELECT id, legacyJobIDsUpTo FROM store_identity").first else {
                    throw StoreError.corrupt(path: settings.description, cause: "the store has no identity row")
                }
                identity = StoreIdentity(id: row["id"], legacyJobIDsUpTo: row["legacyJobIDsUpTo"])
            } catch {
                Self.close(c)
                throw error
            }
            connection = Mutex(c)
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError.corrupt(path: settings.description, cause: String(reflecting: error))
        }
    }

    deinit {
        if let c = connection.withLock({ $0 }) { Self.close(c) }
    }

    public func checkpoint() {}

    /// Fences every later write by `epoch` (see `transaction`); `onLost` is told, once per
    /// refused write, why.
    func fence(by epoch: Int64, onLost: @escaping @Sendable (String) -> Void) {
        fence.withLock { $0 = (epoch, onLost) }
    }

    // MARK: the connection

    /// One call's use of the connection: queries and statements with `?` placeholders.
    struct Session {
        let connection: PostgresConnection
        var logger: Logger { PostgresStore.logger }

        /// Rows as GRDB rows, so that the records decode them as they decode SQLite's.
        func rows(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> [Row] {
            try connection.query(PostgresStore.query(sql, arguments), logger: logger).wait().rows.map(PostgresStore.row)
        }

        /// Runs a statement; how many rows it changed.
        @discardableResult
        func execute(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> Int {
            try connection.query(PostgresStore.query(sql, arguments), logger: logger).wait().metadata.rows ?? 0
        }
    }

    /// Runs `body` on the connection (opened if needed), alone; drops the connection on failure.
    @discardableResult
    func session<T>(_ body: (Session) throws -> T) throws -> T {
        try connection.withLock { held in
            let c: PostgresConnection
            if let open = held, !open.isClosed { c = open } else {
                do { c = try Self.connect(settings) } catch {
                    throw StoreUnavailable(location: settings.description, cause: String(reflecting: error))
                }
                held = c
            }
            do { return try body(Session(connection: c)) } catch let error as PSQLError where error.isConnectionLost {
                held = nil
                Self.close(c)
                throw StoreUnavailable(location: settings.description, cause: "\(error)")
            }
        }
    }

    /// Closes and waits for the close (a connection must be closed before it is released).
    static func close(_ c: PostgresConnection) {
        let closing: EventLoopFuture<Void> = c.close()
        _ = try? closing.wait()
    }

    static func connect(_ settings: PostgresSettings) throws -> PostgresConnection {
        try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: settings.configuration,
                                       id: 1, logger: logger).wait()
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// Once the daemon holds the lease, the transaction first checks that it still does, with a
    /// share lock on the lease row: a standby cannot take the lease while the transaction runs,
    /// and a daemon whose lease has passed on writes nothing (it is fenced).
    @discardableResult
    func transaction<T>(_ body: (Session) throws -> T) throws -> T {
        let fenced = fence.withLock { $0 }
        return try session { s in
            try Self.transaction(s) { s in
                if let fenced {
                    let now: Int64? = try s.rows("SELECT epoch FROM lease WHERE singleton = 1 FOR SHARE").first?["epoch"]
                    guard now == fenced.epoch else {
                        let why = "the lease passed from epoch \(fenced.epoch) to \(now.map(String.init) ?? "none"): another daemon is active"
                        fenced.onLost(why)
                        throw StoreFenced(reason: why)
                    }
                }
                return try body(s)
            }
        }
    }

    static func transaction<T>(_ s: Session, _ body: (Session) throws -> T) throws -> T {
        try s.execute("BEGIN")
        do {
            let result = try body(s)
            try s.execute("COMMIT")
            return result
        } catch {
            _ = try? s.execute("ROLLBACK")
            throw error
        }
    }

    /// Applies the migrations this database lacks, each with its record, one daemon at a time.
    /// The lease (`PostgresStore+Lease.swift`) is outside the named migrations: SQLite has none.
    static func migrate(_ s: Session) throws {
        try s.execute("CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, at DOUBLE PRECISION NOT NULL)")
        try s.execute("""
            CREATE TABLE IF NOT EXISTS lease (
                singleton BIGINT PRIMARY KEY CHECK (singleton = 1),
                holder TEXT NOT NULL,
                epoch BIGINT NOT NULL CHECK (epoch >= 0),
                expiresAt DOUBLE PRECISION NOT NULL
            )
            """)
        try s.execute("INSERT INTO lease (singleton, holder, epoch, expiresAt) VALUES (1, '', 0, 0) ON CONFLICT DO NOTHING")
        for (name, sql) in PostgresMigrations.all {
            try transaction(s) { s in
                try s.execute("SELECT pg_advisory_xact_lock(?)", [PostgresMigrations.lockKey])
                guard try s.rows("SELECT 1 FROM schema_migration WHERE name = ?", [name]).isEmpty else { return }
                for statement in sql.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    try s.execute(statement)
                }
                try s.execute("INSERT INTO schema_migration (name, at) VALUES (?, ?)", [name, Date().timeIntervalSince1970])
            }
        }
    }

    /// `?` placeholders made `$1`, `$2`, ... (no statement here has a `?` inside a literal).
    static func query(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) -> PostgresQuery {
        var text = ""
        var n = 0
        for ch in sql {
            if ch == "?" { n += 1; text += "$\(n)" } else { text.append(ch) }
        }
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument?.databaseValue.storage ?? .null {
            case .null: binds.appendNull()
            case .int64(let i): binds.append(i)
            case .double(let d): binds.append(d)
            case .string(let s): binds.append(s)
            case .blob(let d): binds.append(ByteBuffer(bytes: d))
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }

    /// A PostgreSQL row as a GRDB row: integers, reals, text and bytes as SQLite would give them.
    static func row(_ row: PostgresRow) throws -> Row {
        var values: [String: (any DatabaseValueConvertible)?] = [:]
        for cell in row {
            guard cell.bytes != nil else { values[cell.columnName] = DatabaseValue.null; continue }
            switch cell.dataType {
            case .int2, .int4, .int8: values[cell.columnName] = try cell.decode(Int64.self)
            case .float4, .float8: values[cell.columnName] = try cell.decode(Double.self)
            case .bool: values[cell.columnName] = try cell.decode(Bool.self) ? Int64(1) : Int64(0)
            case .bytea: values[cell.columnName] = Data(try cell.decode(ByteBuffer.self).readableBytesView)
            default: values[cell.columnName] = try cell.decode(String.self)
            }
        }
        return Row(values)
    }

    /// A record's columns and values, for an INSERT (the identity column left to the server).
    static func columns(_ record: some EncodableRecord, without: String? = nil) throws -> (names: String, marks: String, values: [DatabaseValue]) {
        let dictionary = try record.databaseDictionary.filter { $0.key != without }.sorted { $0.key < $1.key }
        return (dictionary.map { quoted($0.key) }.joined(separator: ", "),
                Array(repeating: "?", count: dictionary.count).joined(separator: ", "), dictionary.map(\.value))
    }

    /// A column name as PostgreSQL stores the unquoted one (lower case), quoted for keywords.
    static func quoted(_ name: String) -> String { "\"\(name.lowercased())\"" }

    // MARK: jobs

    public func submitted(owner: UInt32, key: String) throws -> [[JobID]]? {
        try session { s in
            let text: String? = try s.rows("SELECT jobIDs FROM submit_key WHERE owner = ? AND key = ?", [owner, key]).first?["jobIDs"]
            return text.flatMap { try? StoreRows.decode([[JobID]].self, $0) }
        }
    }

    public func insert(_ jobs: [Job], at: Double, key: (owner: UInt32, key: String, group: ([Job]) -> [[JobID]])?,
                       effects: (Job) -> [SideEffect]) throws -> [Job] {
        try transaction { s in
            if let key, try !s.rows("SELECT 1 FROM submit_key WHERE owner = ? AND key = ?", [key.owner, key.key]).isEmpty {
                throw StoreError.duplicateKey
            }
            var saved: [Job] = []
            for var job in jobs {
                let c = try Self.columns(JobRecord(job), without: "id")
                guard let id: Int64 = try s.rows("INSERT INTO job (\(c.names)) VALUES (\(c.marks)) RETURNING id", c.values).first?["id"] else {
                    throw StoreError.corrupt(path: settings.description, cause: "an inserted job has no id")
                }
                job.id = id
                try Self.insert(event: .transition(job, from: nil, at: at), s)
                for effect in effects(job) { try Self.insert(effect: effect, job: job.id, at: at, s) }
                saved.append(job)
            }
            if let key {
                try s.execute("INSERT INTO submit_key (owner, key, jobIDs, at) VALUES (?, ?, ?, ?)",
                              [key.owner, key.key, try StoreRows.encode(key.group(saved)), at])
            }
            return saved
        }
    }

    public func update(_ changes: [(job: Job, event: StoreEvent)], effects: [(job: JobID, effect: SideEffect, at: Double)],
                       accounting: [AccountingRecord]) throws {
        guard !changes.isEmpty || !accounting.isEmpty else { return }
        let set = JobRecord.changeColumns.map { "\(Self.quoted($0)) = ?" }.joined(separator: ", ")
        try transaction { s in
            for r in accounting {
                let c = try Self.columns(AccountingRow(r))
                try s.execute("INSERT INTO accounting (\(c.names)) VALUES (\(c.marks)) ON CONFLICT DO NOTHING", c.values)
            }
            for e in effects { try Self.insert(effect: e.effect, job: e.job, at: e.at, s) }
            for (job, event) in changes {
                let r = try JobRecord(job, withSpec: false)
                let values: [(any DatabaseValueConvertible)?] = [r.state, r.attempts, r.failures, r.workspaceID, r.exitCode, r.signal,
                                                                 r.reason, r.notBefore, r.startedAt, r.endedAt, r.stopping, r.className, r.id]
                guard try s.execute("UPDATE job SET \(set) WHERE id = ?", values) == 1 else {
                    throw StoreError.corrupt(path: settings.description, cause: "job \(job.id) is not in the store")
                }
                try Self.insert(event: event, s)
            }
        }
    }

    public func job(_ id: JobID) throws -> Job? {
        try session { s in try s.rows("SELECT * FROM job WHERE id = ?", [id]).first.map(StoreRows.job) }
    }

    public func jobs(ids: [JobID]) throws -> [JobID: Job] {
        guard !ids.isEmpty else { return [:] }
        return try session { s in
            var found: [JobID: Job] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                for row in try s.rows("SELECT * FROM job WHERE id = ANY(?::bigint[])", [Self.array(chunk)]) {
                    let job = try StoreRows.job(row)
                    found[job.id] = job
                }
            }
            return found
        }
    }

    public func unfinishedJobs() throws -> (jobs: [Job], unloadable: [(id: JobID, reason: String)]) {
        try session { s in
            var jobs: [Job] = []
            var bad: [(id: JobID, reason: String)] = []
            for row in try s.rows("SELECT * FROM job WHERE state NOT IN ('done','failed','cancelled') ORDER BY id") {
                do { jobs.append(try StoreRows.job(row)) } catch {
                    bad.append(((try? row.decode(JobID.self, forColumn: "id")) ?? 0, "\(error)"))
                }
            }
            return (jobs, bad)
        }
    }

    public func markUnloadable(_ id: JobID, reason: String, at: Double) throws {
        try transaction { s in
            let from: String? = try s.rows("SELECT state FROM job WHERE id = ?", [id]).first?["state"]
            let why = "the stored job cannot be loaded: \(reason)"
            try s.execute("UPDATE job SET state = 'failed', reason = ?, endedAt = ? WHERE id = ?", [why, at, id])
            try Self.insert(event: StoreEvent(at: at, jobID: id, kind: "transition", from: from.flatMap(JobState.init(rawValue:)),
                                              to: .failed, message: why), s)
        }
    }

    public func jobs(ids: [JobID]?, owner: UInt32?, before: JobID?, limit: Int) throws -> [Job] {
        try session { s in
            var sql = "SELECT * FROM job"
            var args: [(any DatabaseValueConvertible)?] = []
            var clauses: [String] = []
            if let ids { clauses.append("id = ANY(?::bigint[])"); args.append(Self.array(ids)) }
            if let owner { clauses.append("owner = ?"); args.append(owner) }
            if let before { clauses.append("id < ?"); args.append(before) }
            if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
            sql += " ORDER BY id DESC LIMIT \(max(1, min(limit, 100_000)))"
            return try s.rows(sql, args).compactMap { try? StoreRows.job($0) }.reversed()
        }
    }

    /// A list of ids as one PostgreSQL array literal (`{1,2,3}`), for `= ANY(?::bigint[])`.
    static func array(_ ids: [JobID]) -> String { "{" + ids.map(String.init).joined(separator: ",") + "}" }

    // MARK: events

    public func events(after seq: Int64, jobID: JobID?, limit: Int) throws -> [StoreEvent] {
        try session { s in
            var sql = "SELECT * FROM event WHERE seq > ?"
            var args: [(any DatabaseValueConvertible)?] = [seq]
            if let jobID { sql += " AND jobID = ?"; args.append(jobID) }
            sql += " ORDER BY seq LIMIT \(max(0, min(limit, 1_000_000)))"
            return try s.rows(sql, args).compactMap { try? StoreRows.event($0) }
        }
    }

    public func record(_ event: StoreEvent) throws {
        try transaction { s in try Self.insert(event: event, s) }
    }

    static func insert(event e: StoreEvent, _ s: Session) throws {
        let c = try columns(EventRecord(e), without: "seq")
        try s.execute("INSERT INTO event (\(c.names)) VALUES (\(c.marks))", c.values)
    }

    static func insert(effect e: SideEffect, job: JobID, at: Double, _ s: Session) throws {
        let c = try columns(OutboxRecord(e, job: job, at: at), without: "seq")
        try s.execute("INSERT INTO outbox (\(c.names)) VALUES (\(c.marks))", c.values)
    }

    // MARK: accounting

    public func accounting(since: Double, until: Double, owner: UInt32?, limit: Int) throws -> [AccountingRecord] {
        try session { s in
            var sql = "SELECT * FROM accounting WHERE endedAt >= ? AND endedAt < ?"
            var args: [(any DatabaseValueConvertible)?] = [since, until]
            if let owner { sql += " AND owner = ?"; args.append(owner) }
            sql += " ORDER BY endedAt, jobID, attempt LIMIT \(max(1, min(limit, 1_000_000)))"
            return try s.rows(sql, args).compactMap { try? StoreRows.accounting($0) }
        }
    }

    // MARK: pruning

    @discardableResult
    public func pruneFinished(endedBefore cutoff: Double, batch: Int) throws -> Int {
        let batch = max(1, min(batch, 100_000))
        return try transaction { s in
            let jobs = try s.execute("""
                DELETE FROM job WHERE id IN (
                    SELECT id FROM job WHERE state IN ('done','failed','cancelled') AND COALESCE(endedAt, submittedAt) < ?
                        AND id NOT IN (SELECT jobID FROM outbox WHERE jobID IS NOT NULL)
                    ORDER BY id LIMIT ?)
                """, [cutoff, batch])
            try s.execute("DELETE FROM submit_key WHERE (owner, key) IN (SELECT owner, key FROM submit_key WHERE at < ? LIMIT ?)",
                          [cutoff, batch])
            try s.execute("DELETE FROM event WHERE seq IN (SELECT seq FROM event WHERE jobID IS NULL AND at < ? LIMIT ?)",
                          [cutoff, batch])
            return jobs
        }
    }

    // MARK: outbox

    public func effect(_ seq: Int64) throws -> OutboxEntry? {
        try session { s in try s.rows("SELECT * FROM outbox WHERE seq = ?", [seq]).first.map(StoreRows.outboxEntry) }
    }

    public func dueEffects(now: Double, limit: Int) throws -> [OutboxEntry] {
        try session { s in
            try s.rows("""
                SELECT * FROM outbox o WHERE o.nextAt <= ?
                    AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.path = o.path AND p.seq < o.seq AND p.nextAt > ?)
                ORDER BY seq LIMIT ?
                """, [now, now, max(1, min(limit, 100_000))]).map(StoreRows.outboxEntry)
        }
    }

    public func effectWillWrite(_ seq: Int64, at offset: Int64) throws {
        try transaction { s in try s.execute("UPDATE outbox SET \"offset\" = ? WHERE seq = ?", [offset, seq]) }
    }

    public func effectDelivered(_ seq: Int64) throws {
        try transaction { s in try s.execute("DELETE FROM outbox WHERE seq = ?", [seq]) }
    }

    public func effectFailed(_ seq: Int64, error: String, nextAt: Double) throws {
        try transaction { s in
            try s.execute("UPDATE outbox SET attempts = attempts + 1, lastError = ?, nextAt = ? WHERE seq = ?", [error, nextAt, seq])
        }
    }

    public func effectAbandoned(_ entry: OutboxEntry, error: String, at: Double) throws {
        try transaction { s in
            let job: JobID? = try s.rows("SELECT jobID FROM outbox WHERE seq = ?", [entry.seq]).first?["jobID"]
            try s.execute("DELETE FROM outbox WHERE seq = ?", [entry.seq])
            try Self.insert(event: StoreEvent(at: at, jobID: job, kind: "effect-abandoned",
                                              message: "\(entry.effect.path): \(error) after \(entry.attempts + 1) attempts"), s)
        }
    }

    // MARK: workspaces

    public func save(_ w: Workspace, event: StoreEvent?) throws {
        let record = try WorkspaceRecord(w)
        let c = try Self.columns(record)
        let set = try record.databaseDictionary.keys.sorted().filter { $0 != "id" }
            .map { "\(Self.quoted($0)) = EXCLUDED.\(Self.quoted($0))" }.joined(separator: ", ")
        try transaction { s in
            try s.execute("INSERT INTO workspace (\(c.names)) VALUES (\(c.marks)) ON CONFLICT (id) DO UPDATE SET \(set)", c.values)
            if let event { try Self.insert(event: event, s) }
        }
    }

    public func deleteWorkspace(_ id: String, event: StoreEvent?) throws {
        try transaction { s in
            try s.execute("DELETE FROM workspace WHERE id = ?", [id])
            if let event { try Self.insert(event: event, s) }
        }
    }

    public func workspaces() throws -> [Workspace] {
        try session { s in try s.rows("SELECT * FROM workspace ORDER BY createdAt").map(StoreRows.workspace) }
    }

    public func drainedHosts() throws -> [String: Double] {
        try session { s in
            Dictionary(try s.rows("SELECT uri, since FROM drained_host").map { ($0["uri"] as String, $0["since"] as Double) },
                       uniquingKeysWith: { a, _ in a })
        }
    }

    public func setDrained(_ uri: String, since: Double?, event: StoreEvent) throws {
        try transaction { s in
            if let since {
                try s.execute("INSERT INTO drained_host (uri, since) VALUES (?, ?) ON CONFLICT (uri) DO NOTHING", [uri, since])
            } else {
                try s.execute("DELETE FROM drained_host WHERE uri = ?", [uri])
            }
            try Self.insert(event: event, s)
        }
    }

    public func next(_ counter: String) throws -> Int64 {
        try transaction { s in
            try s.rows("""
                INSERT INTO counter (name, value) VALUES (?, 1)
                ON CONFLICT (name) DO UPDATE SET value = counter.value + 1 RETURNING value
                """, [counter]).first?["value"] ?? 1
        }
    }
}

/// The database could not be reached or stopped answering: nothing of the call was committed
/// that the caller could not find again (see `PostgresStore`).
public struct StoreUnavailable: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var cause: String
    public var description: String { "the store \(location) is unavailable: \(cause)" }
}

/// A write refused because another daemon holds the lease now: this one must stop.
public struct StoreFenced: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "refused: \(reason)" }
}

extension PSQLError {
    /// The connection is gone (closed, reset, never made): a new one may succeed.
    var isConnectionLost: Bool {
        switch code {
        case .connectionError, .uncleanShutdown, .clientClosedConnection, .serverClosedConnection: true
        default: false
        }
    }
}

extension PostgresStore {
    /// Makes a new, empty database beside the one `url` names (the URL's role must be allowed to
    /// create databases) and returns its URL: for benchmarks and tests, which need a store of
    /// their own. `dropDatabase` removes it.
    public static func createScratchDatabase(beside url: String, prefix: String = "wsbscratch") throws -> String {
        let settings = try PostgresSettings(url: url)
        let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try connect(settings)
        defer { close(admin) }
        try Session(connection: admin).execute("CREATE DATABASE \(name)")
        var scratch = settings
        scratch.database = name
        return scratch.url
    }

    /// Drops a database `createScratchDatabase` made (connected to the one beside it).
    public static func dropScratchDatabase(_ url: String, beside base: String) throws {
        let settings = try PostgresSettings(url: url)
        let admin = try connect(PostgresSettings(url: base))
        defer { close(admin) }
        try Session(connection: admin).execute("DROP DATABASE IF EXISTS \(settings.database) WITH (FORCE)")
    }
}
