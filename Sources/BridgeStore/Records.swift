import Foundation
import GRDB
import WorkspaceBridge

/// The store's rows as GRDB records: columns decoded and encoded by `Codable`, so that a value
/// that does not fit (a NULL where none may be, text where a number goes) is a thrown error, and
/// numbers are converted to the model's types with `exactly:` (an owner beyond UInt32 throws, it
/// does not trap). The model types stay free of the database; these map them to their rows.

/// A value in a row that the model cannot hold.
struct RowValueError: Error, CustomStringConvertible {
    let table: String
    let column: String
    let value: String
    var description: String { "\(table).\(column) holds \(value), which is out of range" }
}

func exactly<T: FixedWidthInteger>(_ value: Int64, _ table: String, _ column: String) throws -> T {
    guard let v = T(exactly: value) else { throw RowValueError(table: table, column: column, value: "\(value)") }
    return v
}

struct JobRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "job"
    /// What a state change writes: the spec, owner, priority and submit time never change.
    static let changeColumns = ["state", "attempts", "failures", "workspaceID", "exitCode", "signal", "reason",
                                "notBefore", "startedAt", "endedAt", "stopping", "className"]

    var id: Int64?
    var owner: Int64
    var state: String
    var className: String
    var priority: Int64
    var spec: String
    var submittedAt: Double
    var attempts: Int64
    var failures: Int64
    var workspaceID: String?
    var exitCode: Int64?
    var signal: Int64?
    var reason: String?
    var notBefore: Double?
    var startedAt: Double?
    var endedAt: Double?
    var stopping: String?

    /// `withSpec: false` leaves the spec out (a state change does not write it, and need not
    /// encode it).
    init(_ job: Job, withSpec: Bool = true) throws {
        id = job.id == 0 ? nil : job.id
        owner = Int64(job.owner)
        state = job.state.rawValue
        className = job.className
        priority = Int64(job.spec.priority)
        spec = withSpec ? try StoreRows.encode(job.spec) : ""
        submittedAt = job.submittedAt
        attempts = Int64(job.attempts)
        failures = Int64(job.failures)
        workspaceID = job.workspaceID
        if case .exited(let c)? = job.exit { exitCode = Int64(c) }
        if case .signaled(let s)? = job.exit { signal = Int64(s) }
        reason = job.reason
        notBefore = job.notBefore
        startedAt = job.startedAt
        endedAt = job.endedAt
        stopping = job.stopping?.rawValue
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// A state change, as one cached statement: `update(db, columns:)` would build its SQL and
    /// encode the record through `Encodable` for every change, which costs more than the write.
    func updateChange(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: Self.changeSQL)
        try statement.execute(arguments: [state, attempts, failures, workspaceID, exitCode, signal, reason,
                                          notBefore, startedAt, endedAt, stopping, className, id])
        if db.changesCount == 0 { throw RecordError.recordNotFound(databaseTableName: Self.databaseTableName, key: ["id": id.databaseValue]) }
    }

    static let changeSQL = "UPDATE job SET " + changeColumns.map { "\($0) = ?" }.joined(separator: ", ") + " WHERE id = ?"

    /// A new job, as one cached statement (see `updateChange`); sets `id`.
    mutating func insertNew(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO job (owner, state, className, priority, spec, submittedAt, attempts, failures, workspaceID,
                             exitCode, signal, reason, notBefore, startedAt, endedAt, stopping)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [owner, state, className, priority, spec, submittedAt, attempts, failures, workspaceID,
                                          exitCode, signal, reason, notBefore, startedAt, endedAt, stopping])
        id = db.lastInsertedRowID
    }

    func job() throws -> Job {
        let id = self.id ?? 0
        guard let state = JobState(rawValue: state) else {
            throw StoreError.corrupt(path: "job \(id)", cause: "unknown state \(state)")
        }
        let exit: ExitStatus?
        if let c = exitCode { exit = .exited(try exactly(c, "job", "exitCode")) } else if let s = signal {
            exit = .signaled(try exactly(s, "job", "signal"))
        } else {
            exit = nil
        }
        return Job(id: id, spec: try StoreRows.decode(JobSpec.self, spec), owner: try exactly(owner, "job", "owner"), state: state,
                   className: className, submittedAt: submittedAt, attempts: try exactly(attempts, "job", "attempts"),
                   failures: try exactly(failures, "job", "failures"), workspaceID: workspaceID, exit: exit, reason: reason,
                   notBefore: notBefore, startedAt: startedAt, endedAt: endedAt,
                   stopping: stopping.flatMap(JobState.init(rawValue:)))
    }
}

struct EventRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "event"
    var seq: Int64?
    var at: Double
    var jobID: Int64?
    var workspaceID: String?
    var kind: String
    var fromState: String?
    var toState: String?
    var message: String?

    init(_ e: StoreEvent) {
        at = e.at
        jobID = e.jobID
        workspaceID = e.workspaceID
        kind = e.kind
        fromState = e.from?.rawValue
        toState = e.to?.rawValue
        message = e.message
    }

    /// Appends the event, as one cached statement (see `JobRecord.updateChange`).
    func insertNew(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO event (at, jobID, workspaceID, kind, fromState, toState, message) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [at, jobID, workspaceID, kind, fromState, toState, message])
    }

    var event: StoreEvent {
        StoreEvent(seq: seq ?? 0, at: at, jobID: jobID, workspaceID: workspaceID, kind: kind,
                   from: fromState.flatMap(JobState.init(rawValue:)), to: toState.flatMap(JobState.init(rawValue:)), message: message)
    }
}

struct WorkspaceRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "workspace"
    var id: String
    var className: String
    var provider: String
    var state: String
    var pid: Int64?
    var endpoint: String
    var handle: String
    var createdAt: Double
    var leaseExpiresAt: Double
    var lastUsedAt: Double
    var enforcement: String
    var reason: String?
    var allocation: String?
    var allocationNote: String?
    var imageDigest: String?

    init(_ w: Workspace) throws {
        id = w.id
        className = w.className
        provider = w.provider
        state = w.state.rawValue
        pid = w.pid.map(Int64.init)
        endpoint = w.endpoint
        handle = w.handle
        createdAt = w.createdAt
        leaseExpiresAt = w.leaseExpiresAt
        lastUsedAt = w.lastUsedAt
        enforcement = try StoreRows.encode(w.enforcement)
        reason = w.reason
        allocation = try w.allocation.map(StoreRows.encode)
        allocationNote = w.allocationNote
        imageDigest = w.imageDigest
    }

    func workspace() throws -> Workspace {
        Workspace(id: id, className: className, provider: provider, state: WorkspaceState(rawValue: state) ?? .lost,
                  pid: try pid.map { try exactly($0, "workspace", "pid") }, endpoint: endpoint, handle: handle, createdAt: createdAt,
                  leaseExpiresAt: leaseExpiresAt, lastUsedAt: lastUsedAt,
                  enforcement: try StoreRows.decode([Enforcement].self, enforcement), reason: reason,
                  allocation: try allocation.map { try StoreRows.decode(ResourceAllocation.self, $0) }, allocationNote: allocationNote, imageDigest: imageDigest)
    }
}

struct OutboxRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "outbox"
    var seq: Int64?
    var at: Double
    var jobID: Int64?
    var path: String
    var owner: Int64?
    var text: String
    var offset: Int64?
    var attempts: Int64 = 0
    var nextAt: Double = 0
    var lastError: String?
    var kind: String
    var mode: Int64?

    init(_ e: SideEffect, job: JobID, at: Double) {
        self.at = at
        jobID = job
        path = e.path
        owner = e.owner.map(Int64.init)
        text = e.text
        kind = e.kind.rawValue
        mode = e.mode.map(Int64.init)
    }

    func entry() throws -> OutboxEntry {
        guard let kind = SideEffect.Kind(rawValue: kind) else { throw RowValueError(table: "outbox", column: "kind", value: kind) }
        return OutboxEntry(seq: seq ?? 0, at: at,
                           effect: SideEffect(path: path, owner: try owner.map { try exactly($0, "outbox", "owner") }, text: text,
                                              kind: kind, mode: try mode.map { try exactly($0, "outbox", "mode") }),
                           offset: offset, attempts: try exactly(attempts, "outbox", "attempts"))
    }
}

struct AccountingRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "accounting"
    var jobID: Int64
    var attempt: Int64
    var owner: Int64
    var ownerName: String?
    var origin: String
    var gridJobID: String?
    var userDN: String?
    var fqan: String?
    var className: String
    var workspaceID: String
    var host: String?
    var cores: Int64
    var startedAt: Double
    var endedAt: Double
    var cpuSeconds: Double?
    var peakMemoryBytes: Int64?
    var usageSource: String?
    var exitCode: Int64?
    var signal: Int64?

    init(_ r: AccountingRecord) {
        jobID = r.job
        attempt = Int64(r.attempt)
        owner = Int64(r.owner)
        ownerName = r.ownerName
        origin = r.origin
        gridJobID = r.grid?.jobID
        userDN = r.grid?.userDN
        fqan = r.grid?.fqan
        className = r.className
        workspaceID = r.workspace
        host = r.host
        cores = Int64(r.cores)
        startedAt = r.startedAt
        endedAt = r.endedAt
        cpuSeconds = r.cpuSeconds
        peakMemoryBytes = r.peakMemoryBytes
        usageSource = r.usageSource
        if case .exited(let c) = r.exit { exitCode = Int64(c) }
        if case .signaled(let s) = r.exit { signal = Int64(s) }
    }

    /// The row, as one cached statement (see `JobRecord.insertNew`); a row already there (the
    /// same run's end written again) is left as it is.
    func insertNew(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO accounting (jobID, attempt, owner, ownerName, origin, gridJobID, userDN, fqan, className,
                                              workspaceID, host, cores, startedAt, endedAt, cpuSeconds, peakMemoryBytes,
                                              usageSource, exitCode, signal)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [jobID, attempt, owner, ownerName, origin, gridJobID, userDN, fqan, className,
                                          workspaceID, host, cores, startedAt, endedAt, cpuSeconds, peakMemoryBytes,
                                          usageSource, exitCode, signal])
    }

    func record() throws -> AccountingRecord {
        let exit: ExitStatus
        if let c = exitCode { exit = .exited(try exactly(c, "accounting", "exitCode")) } else {
            exit = .signaled(try exactly(signal ?? 9, "accounting", "signal"))
        }
        let grid = GridJob(jobID: gridJobID, userDN: userDN, fqan: fqan)
        return AccountingRecord(job: jobID, attempt: try exactly(attempt, "accounting", "attempt"),
                                owner: try exactly(owner, "accounting", "owner"), ownerName: ownerName, origin: origin,
                                grid: grid.isEmpty ? nil : grid, className: className, workspace: workspaceID, host: host,
                                cores: try exactly(cores, "accounting", "cores"), startedAt: startedAt, endedAt: endedAt,
                                cpuSeconds: cpuSeconds, peakMemoryBytes: peakMemoryBytes, usageSource: usageSource, exit: exit)
    }
}

/// Rows to model values and back, the same for every database: a row read from PostgreSQL is
/// made a GRDB `Row` and goes through the same records, with the same checks.
enum StoreRows {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// A job from its row (see `JobRecord`): a value that does not fit throws, never traps.
    static func job(_ row: Row) throws -> Job { try JobRecord(row: row).job() }

    /// An event from its row (see `EventRecord`).
    static func event(_ row: Row) throws -> StoreEvent { try EventRecord(row: row).event }

    /// An accounting record from its row (see `AccountingRow`).
    static func accounting(_ row: Row) throws -> AccountingRecord { try AccountingRow(row: row).record() }

    /// A workspace from its row (see `WorkspaceRecord`).
    static func workspace(_ row: Row) throws -> Workspace { try WorkspaceRecord(row: row).workspace() }

    /// An outbox entry from its row (see `OutboxRecord`).
    static func outboxEntry(_ row: Row) throws -> OutboxEntry { try OutboxRecord(row: row).entry() }
}
