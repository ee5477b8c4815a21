import BridgeAPI
import BridgeDaemon
import Foundation

/// Where a client finds the daemon when it is on another host: the network APIs of the site's
/// daemons, tried in order (an active one and its standby), from `WSBRIDGE_SERVERS`
/// (comma-separated `host:port`) or else the client config, `$WSBRIDGE_CLIENT_CONFIG` or
/// `/etc/wsbridge/client.toml`:
///
///     [client]
///     servers = ["bridge1.example.org:7301", "bridge2.example.org:7301"]
///     munge_socket = "/run/munge/munge.socket.2"   # optional
///     failover_seconds = 30                          # how long to keep trying while none answers
///
/// A gatekeeper host then needs only this binary, the adapters and munged.
struct ClientSettings {
    var servers: [String] = []
    var mungeSocket: String?
    var failoverSeconds: Double = 30

    static let defaultPath = "/etc/wsbridge/client.toml"

    /// The settings this process sees; nil when none names a server. A config that cannot be
    /// read or says something else than expected stops the command with what is wrong.
    static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> ClientSettings? {
        var settings = fromConfigFile(environment: environment)
        if let list = environment["WSBRIDGE_SERVERS"] {
            settings.servers = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return settings.servers.isEmpty ? nil : settings
    }

    /// The settings from the client config alone (with `--server`: its munged and patience); the
    /// defaults when the default file is absent, a stop when a named one cannot be read.
    static func fromConfigFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> ClientSettings {
        let named = environment["WSBRIDGE_CLIENT_CONFIG"]
        let path = named ?? defaultPath
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            if named != nil { fail("cannot read the client config \(path)") }
            return ClientSettings()
        }
        do { return try parse(text) } catch { fail("\(path): \(error)") }
    }

    func client(servers: [String]? = nil) -> BridgeClient {
        var c = BridgeClient(servers: servers ?? self.servers, mungeSocket: mungeSocket)
        c.failoverPatience = failoverSeconds
        return c
    }

    static func parse(_ text: String) throws -> ClientSettings {
        let root = try TOMLParser.parse(text)
        var settings = ClientSettings()
        guard case .table(let client)? = root["client"] else { return settings }
        for key in client.order where !["servers", "munge_socket", "failover_seconds"].contains(key) {
            throw CLIError("client.\(key): unknown key (servers, munge_socket, failover_seconds)")
        }
        switch client["failover_seconds"] {
        case nil: break
        case .integer(let n)? where (0...3600).contains(n): settings.failoverSeconds = Double(n)
        case .float(let x)? where x >= 0 && x <= 3600: settings.failoverSeconds = x
        default: throw CLIError("client.failover_seconds: expected a number of seconds from 0 to 3600")
        }
        switch client["servers"] {
        case nil: break
        case .array(let values)?:
            settings.servers = try values.map { value in
                guard case .string(let s) = value, !s.isEmpty, s.utf8.count <= 255 else {
                    throw CLIError("client.servers: expected a list of \"host:port\" strings")
                }
                return s
            }
        default: throw CLIError("client.servers: expected a list of \"host:port\" strings")
        }
        switch client["munge_socket"] {
        case nil: break
        case .string(let s)? where s.hasPrefix("/"): settings.mungeSocket = s
        default: throw CLIError("client.munge_socket: expected an absolute path")
        }
        return settings
    }
}
