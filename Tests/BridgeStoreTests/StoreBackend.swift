import Foundation
import GRDB
import Testing
import WorkspaceBridge
@testable import BridgeStore

/// The databases the store suite runs on: SQLite always; PostgreSQL when
/// `WSBRIDGE_TEST_POSTGRES_URL` names a server where the test role may create databases
/// (`contrib/postgres/start.sh` starts one and prints it). Each test gets a new database.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql

    static var available: [StoreBackend] {
        ProcessInfo.processInfo.environment["WSBRIDGE_TEST_POSTGRES_URL"] == nil ? [.sqlite] : [.sqlite, .postgresql]
    }

    var testDescription: String { rawValue }

    /// Where a new, empty store of this kind can be made (a path, or a URL with a new database).
    func newLocation() throws -> String {
        switch self {
        case .sqlite:
            return NSTemporaryDirectory() + "wsb-store-\(UUID().uuidString).sqlite"
        case .postgresql:
            let base = try #require(ProcessInfo.processInfo.environment["WSBRIDGE_TEST_POSTGRES_URL"])
            return try PostgresStore.createScratchDatabase(beside: base, prefix: "wsbtest")
        }
    }

    /// Opens (creating or reopening) the store at `location`.
    func open(_ location: String) throws -> any Store {
        switch self {
        case .sqlite: try SQLiteStore(path: location)
        case .postgresql: try PostgresStore(settings: PostgresSettings(url: location))
        }
    }

    /// Runs raw SQL on the store's database, behind the store's back (tests of what the
    /// database itself refuses).
    func execute(_ sql: String, on store: any Store) throws {
        switch store {
        case let s as SQLiteStore: try s.pool.write { db in try db.execute(sql: sql) }
        case let s as PostgresStore: _ = try s.session { try $0.execute(sql) }
        default: Issue.record("unknown store \(store)")
        }
    }
}
