/// `[metrics]`: the operator's listener, serving `/metrics` (Prometheus) and `/` (the status
/// page) over TCP. Off unless `listen` is set; a bare port listens on loopback only.
public struct MetricsSettings: Codable, Sendable, Equatable {
    /// `"9464"`, `":9464"`, `"127.0.0.1:9464"`, `"[::1]:9464"` or `"0.0.0.0:9464"`; nil: no listener.
    public var listen: String?
    /// Unix groups that label jobs in metrics (`group`); an owner in none of them is `other`.
    /// Users are never named in metrics: only these groups, which the admin chose to show.
    public var groups: [String] = []
    /// How often the status page reloads itself, in seconds.
    public var refreshSeconds: Int = 10

    public init(listen: String? = nil, groups: [String] = []) {
        self.listen = listen
        self.groups = groups
    }

    /// The address and port to bind, from `listen`; nil when the listener is off.
    public var address: (host: String, port: Int)? {
        guard let listen else { return nil }
        return Self.parse(listen)
    }

    /// A bare port means loopback; `[v6]:port` and `v4:port` name the address.
    static func parse(_ text: String) -> (host: String, port: Int)? {
        var host = "127.0.0.1", portText = Substring(text)
        if let colon = text.lastIndex(of: ":") {
            var h = text[..<colon]
            portText = text[text.index(after: colon)...]
            if h.hasPrefix("["), h.hasSuffix("]") { h = h.dropFirst().dropLast() }
            if !h.isEmpty { host = String(h) }
        }
        guard portText.count <= 5, let port = Int(portText), (1...65535).contains(port) else { return nil }
        guard !host.isEmpty, host.count <= 64, host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else { return nil }
        return (host, port)
    }

    func validate() throws(ConfigError) {
        if let listen, address == nil {
            throw ConfigError(key: "metrics.listen",
                              message: "\"\(listen)\" is not PORT or ADDRESS:PORT with a numeric address (e.g. 127.0.0.1:9464)")
        }
        if groups.count > 64 { throw ConfigError(key: "metrics.groups", message: "at most 64 groups") }
        for g in groups where g.isEmpty || g.count > 64 || g == "other" {
            throw ConfigError(key: "metrics.groups", message: "\"\(g)\" is not a usable group name")
        }
        if !(1...3600).contains(refreshSeconds) {
            throw ConfigError(key: "metrics.refresh_seconds", message: "must be between 1 and 3600")
        }
    }
}
