import Foundation
import GRDB

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
        return m
    }
}
