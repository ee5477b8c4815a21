// libFuzzer entry for the store's row decoding (see run-store-row-fuzz.sh): a row of the real
// `job`, `event`, `workspace`, `accounting` or `outbox` table (the store's own migrations, in memory) whose every column
// holds an arbitrary value of an arbitrary SQLite type. Decoding it must give a record or throw;
// a trap would stop the daemon's start on one damaged row.
import Foundation
import GRDB
@testable import BridgeStore

final class FuzzDatabase: @unchecked Sendable {
    let queue: DatabaseQueue
    static let tables = ["job", "event", "workspace", "accounting", "outbox"]
    let columns: [String: [String]]
    init() {
        queue = try! DatabaseQueue()
        try! Migrations.migrator.migrate(queue)
        columns = try! queue.read { db in
            try Dictionary(uniqueKeysWithValues: Self.tables.map { ($0, try db.columns(in: $0).map(\.name)) })
        }
    }

    /// Decodes the row as the store does for its table.
    func decode(_ row: Row, table: String) {
        switch table {
        case "job": _ = try? StoreRows.job(row)
        case "event": _ = try? StoreRows.event(row)
        case "accounting": _ = try? StoreRows.accounting(row)
        case "outbox": _ = try? StoreRows.outboxEntry(row)
        default: _ = try? StoreRows.workspace(row)
        }
    }
}

let fuzzDatabase = FuzzDatabase()

/// Reads values off the input: a type byte, then what that type needs.
struct FuzzReader {
    var bytes: ArraySlice<UInt8>
    mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }
    mutating func int64() -> Int64 {
        var v: UInt64 = 0
        for _ in 0..<8 { v = v << 8 | UInt64(byte()) }
        return Int64(bitPattern: v)
    }
    mutating func text() -> [UInt8] {
        let n = Int(byte())
        let chunk = bytes.prefix(n)
        bytes = bytes.dropFirst(n)
        return Array(chunk)
    }
    mutating func value() -> DatabaseValue {
        switch byte() % 8 {
        case 0: return .null
        case 1: return Int64(Int8(bitPattern: byte())).databaseValue
        case 2: return int64().databaseValue
        case 3: return Double(bitPattern: UInt64(bitPattern: int64())).databaseValue
        case 4: return String(decoding: text(), as: UTF8.self).databaseValue
        case 5: return Data(text()).databaseValue
        case 6: return ["queued", "running", "held", "done", "cancelled", "stopping", ""][Int(byte()) % 7].databaseValue
        default:
            // Near-valid specs: JSON with fuzzed tails reach the decoder's deeper paths.
            return (#"{"executable":"/bin/true","count":"# + String(decoding: text(), as: UTF8.self)).databaseValue
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func storeRowFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = FuzzReader(bytes: ArraySlice(UnsafeBufferPointer(start: data, count: size)))
    let table = FuzzDatabase.tables[Int(reader.byte()) % FuzzDatabase.tables.count]
    let names = fuzzDatabase.columns[table]!
    var values: [String: DatabaseValue] = [:]
    for column in names { values[column] = reader.value() }
    // The row as given, and the row as SQLite stores and returns it (column affinities applied).
    fuzzDatabase.decode(Row(values), table: table)
    try? fuzzDatabase.queue.inDatabase { db in
        try db.execute(sql: "DELETE FROM \(table)")
        let sql = "INSERT INTO \(table) (\(names.joined(separator: ","))) VALUES (\(names.map { _ in "?" }.joined(separator: ",")))"
        try db.execute(sql: sql, arguments: StatementArguments(names.map { values[$0]! }))
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM \(table)") { fuzzDatabase.decode(row, table: table) }
    }
    return 0
}
