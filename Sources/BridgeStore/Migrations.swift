import Foundation
import GRDB
import WorkspaceBridge

/// The schema, as named migrations applied in order; a released migration is never edited,
/// a change is a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: jobs, events, workspaces") { db in
            try db.execute(sql: """
                CREATE TABLE job (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    owner INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    className TEXT NOT NULL,
                    priority INTEGER NOT NULL DEFAULT 0,
                    spec TEXT NOT NULL,
                    submittedAt REAL NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    failures INTEGER NOT NULL DEFAULT 0,
                    workspaceID TEXT,
                    exitCode INTEGER,
                    signal INTEGER,
                    reason TEXT,
                    notBefore REAL,
                    startedAt REAL,
                    endedAt REAL,
                    stopping TEXT
                );
                CREATE INDEX job_by_state ON job(state);
                CREATE INDEX job_by_owner ON job(owner);
                CREATE TABLE event (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    jobID INTEGER,
                    workspaceID TEXT,
                    kind TEXT NOT NULL,
                    fromState TEXT,
                    toState TEXT,
                    message TEXT
                );
                CREATE INDEX event_by_job ON event(jobID);
                CREATE TABLE workspace (
                    id TEXT PRIMARY KEY,
                    className TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    state TEXT NOT NULL,
                    pid INTEGER,
                    endpoint TEXT NOT NULL,
                    handle TEXT NOT NULL,
                    createdAt REAL NOT NULL,
                    leaseExpiresAt REAL NOT NULL,
                    lastUsedAt REAL NOT NULL,
                    enforcement TEXT NOT NULL,
                    reason TEXT
                );
                CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                """)
        }
        // Job ids count from 1 in every store; this names the store, so that ids handed to other
        // systems (GRAM's SEG files and job managers) stay unique across a reset. A store made
        // before this migration keeps plain ids for the jobs it already has.
        m.registerMigration("v2: store identity") { db in
            try db.execute(sql: """
                CREATE TABLE store_identity (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    id TEXT NOT NULL CHECK (length(id) = 36),
                    legacyJobIDsUpTo INTEGER NOT NULL CHECK (legacyJobIDsUpTo >= 0)
                );
                INSERT INTO store_identity (singleton, id, legacyJobIDsUpTo)
                VALUES (1, ?, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'job'), 0));
                """, arguments: [UUID().uuidString.lowercased()])
        }
        m.registerMigration("v3: submit idempotency keys") { db in
            // One row per (owner, key): the ids the submit recorded, in the submit's transaction.
            try db.execute(sql: """
                CREATE TABLE submit_key (
                    owner INTEGER NOT NULL,
                    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 256),
                    jobIDs TEXT NOT NULL,
                    at REAL NOT NULL,
                    PRIMARY KEY (owner, key)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v4: outbox of front-door side effects") { db in
            // Written in the transaction of the change each row describes; deleted once delivered.
            // `offset` is the file's length just before the append, recorded before writing, so
            // that a delivery repeated after a crash can see that its bytes are already there.
            try db.execute(sql: """
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    jobID INTEGER REFERENCES job(id) ON DELETE CASCADE,
                    path TEXT NOT NULL CHECK (length(path) BETWEEN 1 AND 4096),
                    owner INTEGER CHECK (owner BETWEEN 0 AND 4294967295),
                    text TEXT NOT NULL,
                    offset INTEGER CHECK (offset >= 0),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    nextAt REAL NOT NULL DEFAULT 0,
                    lastError TEXT
                );
                CREATE INDEX outbox_due ON outbox(nextAt);
                CREATE INDEX outbox_by_path ON outbox(path, seq);
                """)
        }
        m.registerMigration("v5: constraints") { db in
            // SQLite checks what Swift might miss: every state is one the state machines know,
            // every number in its range, every event's job exists. Tables are rebuilt in place;
            // a row that breaks a rule is repaired (a job in an unknown state fails, with the
            // reason) or, for an event of a job that is gone, dropped, never left to stop a start.
            let jobStates = JobState.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let workspaceStates = WorkspaceState.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            // Ids are never reused: the rebuilt tables keep their AUTOINCREMENT counters.
            let counters = try Row.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence WHERE name IN ('job', 'event')")
            try db.execute(sql: """
                CREATE TABLE job_new (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    owner INTEGER NOT NULL CHECK (owner BETWEEN 0 AND 4294967295),
                    state TEXT NOT NULL CHECK (state IN (\(jobStates))),
                    className TEXT NOT NULL,
                    priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN \(SpecBounds.priority.lowerBound) AND \(SpecBounds.priority.upperBound)),
                    spec TEXT NOT NULL,
                    submittedAt REAL NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
                    workspaceID TEXT,
                    exitCode INTEGER,
                    signal INTEGER,
                    reason TEXT,
                    notBefore REAL,
                    startedAt REAL,
                    endedAt REAL,
                    stopping TEXT CHECK (stopping IS NULL OR stopping IN (\(jobStates)))
                );
                INSERT INTO job_new
                    SELECT id, MIN(MAX(owner, 0), 4294967295),
                        CASE WHEN state IN (\(jobStates)) THEN state ELSE 'failed' END,
                        className, MIN(MAX(priority, \(SpecBounds.priority.lowerBound)), \(SpecBounds.priority.upperBound)), spec, submittedAt,
                        MAX(attempts, 0), MAX(failures, 0), workspaceID, exitCode, signal,
                        CASE WHEN state IN (\(jobStates)) THEN reason ELSE 'unknown state ' || state || ' in the store' END,
                        notBefore, startedAt, endedAt,
                        CASE WHEN stopping IN (\(jobStates)) THEN stopping ELSE NULL END
                    FROM job;
                DROP TABLE job;
                ALTER TABLE job_new RENAME TO job;
                CREATE INDEX job_by_state ON job(state);
                CREATE INDEX job_by_owner ON job(owner);

                CREATE TABLE event_new (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    jobID INTEGER REFERENCES job(id) ON DELETE CASCADE,
                    workspaceID TEXT,
                    kind TEXT NOT NULL,
                    fromState TEXT CHECK (fromState IS NULL OR fromState IN (\(jobStates))),
                    toState TEXT CHECK (toState IS NULL OR toState IN (\(jobStates))),
                    message TEXT
                );
                INSERT INTO event_new
                    SELECT seq, at, jobID, workspaceID, kind,
                        CASE WHEN fromState IN (\(jobStates)) THEN fromState ELSE NULL END,
                        CASE WHEN toState IN (\(jobStates)) THEN toState ELSE NULL END, message
                    FROM event WHERE jobID IS NULL OR jobID IN (SELECT id FROM job);
                DROP TABLE event;
                ALTER TABLE event_new RENAME TO event;
                CREATE INDEX event_by_job ON event(jobID);

                CREATE TABLE workspace_new (
                    id TEXT PRIMARY KEY,
                    className TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN (\(workspaceStates))),
                    pid INTEGER CHECK (pid IS NULL OR pid > 0),
                    endpoint TEXT NOT NULL,
                    handle TEXT NOT NULL,
                    createdAt REAL NOT NULL,
                    leaseExpiresAt REAL NOT NULL,
                    lastUsedAt REAL NOT NULL,
                    enforcement TEXT NOT NULL,
                    reason TEXT
                );
                INSERT INTO workspace_new
                    SELECT id, className, provider, CASE WHEN state IN (\(workspaceStates)) THEN state ELSE 'lost' END,
                        CASE WHEN pid > 0 THEN pid ELSE NULL END, endpoint, handle, createdAt, leaseExpiresAt, lastUsedAt,
                        enforcement, reason
                    FROM workspace;
                DROP TABLE workspace;
                ALTER TABLE workspace_new RENAME TO workspace;
                """)
            for row in counters {
                let name: String = row["name"], seq: Int64 = row["seq"]
                try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = ?", arguments: [name])
                try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", arguments: [name, seq])
            }
        }
        m.registerMigration("v6: accounting records") { db in
            // One row per finished run, written in the transaction of the run's end. Numbers are
            // checked here as in Swift (`RunUsage`), so no row can hold what the model cannot.
            // The outbox learns whole files (APEL messages, written new and renamed into place)
            // and the permissions of the files it makes.
            try db.execute(sql: """
                CREATE TABLE accounting (
                    jobID INTEGER NOT NULL CHECK (jobID > 0),
                    attempt INTEGER NOT NULL CHECK (attempt BETWEEN 0 AND 2147483647),
                    owner INTEGER NOT NULL CHECK (owner BETWEEN 0 AND 4294967295),
                    ownerName TEXT,
                    origin TEXT NOT NULL,
                    gridJobID TEXT,
                    userDN TEXT,
                    fqan TEXT,
                    className TEXT NOT NULL,
                    workspaceID TEXT NOT NULL,
                    host TEXT,
                    cores INTEGER NOT NULL CHECK (cores BETWEEN 1 AND 1048576),
                    startedAt REAL NOT NULL,
                    endedAt REAL NOT NULL CHECK (endedAt >= startedAt),
                    cpuSeconds REAL CHECK (cpuSeconds IS NULL OR cpuSeconds BETWEEN 0 AND 1.3e12),
                    peakMemoryBytes INTEGER CHECK (peakMemoryBytes IS NULL OR peakMemoryBytes BETWEEN 0 AND \(1 << 54)),
                    usageSource TEXT,
                    exitCode INTEGER,
                    signal INTEGER,
                    PRIMARY KEY (jobID, attempt)
                );
                CREATE INDEX accounting_by_end ON accounting(endedAt);
                CREATE INDEX accounting_by_owner ON accounting(owner, endedAt);
                ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'append' CHECK (kind IN ('append', 'file'));
                ALTER TABLE outbox ADD COLUMN mode INTEGER CHECK (mode IS NULL OR mode BETWEEN 0 AND 511);
                """)
        }
        m.registerMigration("v7: workspace allocation") { db in
            // A workspace's resources may differ from its class's once retuned: the allocation
            // it has (JSON of `ResourceAllocation`) and what the last retune did to it.
            try db.execute(sql: """
                ALTER TABLE workspace ADD COLUMN allocation TEXT CHECK (allocation IS NULL OR json_valid(allocation));
                ALTER TABLE workspace ADD COLUMN allocationNote TEXT;
                """)
        }
        m.registerMigration("v8: workspace image digest") { db in
            // Rows of earlier versions have none: unknown, which is never taken for outdated, so
            // an upgrade does not replace every workspace at once.
            try db.execute(sql: """
                ALTER TABLE workspace ADD COLUMN imageDigest TEXT
                    CHECK (imageDigest IS NULL OR (length(imageDigest) = 64 AND imageDigest NOT GLOB '*[^0-9a-f]*'));
                """)
        }
        m.registerMigration("v9: drained hosts") { db in
            // Hosts an admin drained (`wsbridge hosts drain`): they take no new workspace, across
            // restarts, until undrained.
            try db.execute(sql: """
                CREATE TABLE drained_host (
                    uri TEXT PRIMARY KEY NOT NULL CHECK (length(uri) BETWEEN 1 AND 4096),
                    since REAL NOT NULL
                );
                """)
        }
        return m
    }
}
