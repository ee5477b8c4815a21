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
///
/// A gatekeeper host then needs only this binary, the adapters and munged.
struct ClientSettings {
    var servers: [String] = []
    var mungeSocket: String?

    static let defaultPath = "/etc/wsbridge/client.toml"

    /// The settings this process sees; nil when none names a server. A config that cannot be
    /// read or says something else than expected stops the command with what is wrong.
    static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> ClientSettings? {
        var settings = ClientSettings()
        let path = environment["WSBRIDGE_CLIENT_CONFIG"] ?? defaultPath
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            do { settings = try parse(text) } catch { fail("\(path): \(error)") }
        } else if environment["WSBRIDGE_CLIENT_CONFIG"] != nil {
            fail("cannot read the client config \(path)")
        }
        if let list = environment["WSBRIDGE_SERVERS"] {
            settings.servers = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return settings.servers.isEmpty ? nil : settings
    }

    static func parse(_ text: String) throws -> ClientSettings {
        let root = try TOMLParser.parse(text)
        var settings = ClientSettings()
        guard case .table(let client)? = root["client"] else { return settings }
        for key in client.order where !["servers", "munge_socket"].contains(key) {
            throw CLIError("client.\(key): unknown key (servers, munge_socket)")
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
