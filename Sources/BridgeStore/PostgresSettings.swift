import Foundation
import PostgresNIO

/// Where a PostgreSQL store is, from a libpq-style URL: `postgresql://user[:password]@host[:port]/database`,
/// or `postgresql://user@/database?host=/run/postgresql` for the server's Unix socket directory.
/// Without TLS (`sslmode=disable`, the only mode): the store belongs on the site's internal
/// network or a Unix socket, as the daemon's other links do.
public struct PostgresSettings: Sendable, CustomStringConvertible {
    public var host: String?
    public var socketPath: String?
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public init(url: String) throws(StoreError) {
        func bad(_ why: String) -> StoreError { .corrupt(path: "store.url", cause: why) }
        guard let c = URLComponents(string: url), c.scheme == "postgresql" || c.scheme == "postgres" else {
            throw bad("not a postgresql:// URL")
        }
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        for key in query.keys where !["host", "port", "sslmode", "user", "password", "dbname"].contains(key) {
            throw bad("unknown parameter \(key) (host, port, sslmode, user, password, dbname)")
        }
        if let mode = query["sslmode"], mode != "disable" { throw bad("sslmode \(mode) is not supported (only disable)") }
        user = query["user"] ?? c.user ?? "wsbridge"
        password = query["password"] ?? c.password
        database = query["dbname"] ?? String(c.path.dropFirst())
        guard !database.isEmpty, !user.isEmpty else { throw bad("the URL names no database or no user") }
        let portText = query["port"] ?? c.port.map(String.init) ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else { throw bad("port \(portText) is out of range") }
        self.port = port
        if let dir = query["host"], dir.hasPrefix("/") {
            socketPath = "\(dir)/.s.PGSQL.\(port)"
        } else {
            host = query["host"] ?? c.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        }
    }

    var configuration: PostgresConnection.Configuration {
        if let socketPath {
            return .init(unixSocketPath: socketPath, username: user, password: password, database: database)
        }
        return .init(host: host ?? "localhost", port: port, username: user, password: password, database: database, tls: .disable)
    }

    /// The URL again, with its password (for a configuration, never for a log).
    public var url: String {
        var c = URLComponents()
        c.scheme = "postgresql"
        c.user = user
        c.password = password
        c.path = "/" + database
        if let socketPath {
            c.host = ""
            c.queryItems = [URLQueryItem(name: "host", value: String(socketPath.prefix(upTo: socketPath.range(of: "/.s.PGSQL.")!.lowerBound))),
                            URLQueryItem(name: "port", value: String(port))]
        } else {
            c.host = host
            c.port = port
        }
        return c.string ?? ""
    }

    /// The URL without its password, for messages and logs.
    public var description: String {
        if let socketPath { return "postgresql://\(user)@/\(database) (socket \(socketPath))" }
        return "postgresql://\(user)@\(host ?? "localhost"):\(port)/\(database)"
    }
}
