/// `[api]`: what one client, or all of them, may ask of the daemon's API socket. Every local user
/// can connect; these bounds keep one of them from taking the daemon from the others.
public struct APILimits: Codable, Sendable, Equatable {
    /// Open API connections, all users together; more are closed at once.
    public var maxConnections: Int = 4096
    /// Open API connections of one uid; more are closed at once, so that one user's idle
    /// connections cannot use up the daemon's descriptors or the others' share.
    public var maxConnectionsPerUser: Int = 64
    /// A connection that sends nothing for this long is closed.
    public var idleTimeoutSeconds: Double = 30
    /// Largest request (head and body).
    public var maxRequestBytes: Int = 16 << 20
    /// Largest `count` of one submit (processes, HTCondor `queue N`), at most `SpecBounds.count`.
    public var maxCount: Int = 10_000
    /// Requests per second of one uid (a token bucket with one second's burst); more get HTTP 429.
    public var requestsPerSecondPerUser: Double = 500
    /// The network API, `ADDRESS:PORT` (a bare port: loopback only); nil: the Unix socket only.
    /// Every request on it carries a MUNGE credential made for it.
    public var listen: String?
    /// munged's socket for checking those credentials; nil: munged's default.
    public var mungeSocket: String?

    public init() {}

    /// The address and port of the network API; nil when it is off.
    public var address: (host: String, port: Int)? { listen.flatMap(MetricsSettings.parse) }

    func validate() throws(ConfigError) {
        let checks: [(String, Bool)] = [
            ("max_connections", (1...1_000_000).contains(maxConnections)),
            ("max_connections_per_user", (1...1_000_000).contains(maxConnectionsPerUser)),
            ("idle_timeout_seconds", idleTimeoutSeconds > 0 && idleTimeoutSeconds <= 86_400),
            ("max_request_bytes", (1024...(1 << 30)).contains(maxRequestBytes)),
            ("max_count", SpecBounds.count.contains(maxCount)),
            ("requests_per_second_per_user", requestsPerSecondPerUser > 0 && requestsPerSecondPerUser.isFinite),
        ]
        for (key, ok) in checks where !ok {
            throw ConfigError(key: "api.\(key)", message: "out of range")
        }
        if let listen, address == nil {
            throw ConfigError(key: "api.listen",
                              message: "\"\(listen)\" is not PORT or ADDRESS:PORT with a numeric address (e.g. 0.0.0.0:7301)")
        }
        if let mungeSocket, !mungeSocket.hasPrefix("/") || mungeSocket.utf8.count > 107 {
            throw ConfigError(key: "api.munge_socket", message: "must be an absolute path of at most 107 bytes")
        }
    }
}
