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

    public init() {}

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
    }
}
