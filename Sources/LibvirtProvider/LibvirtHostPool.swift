/// One shared connection per libvirt URI, opened on first use and reopened after it was lost
/// (a daemon restart closes connections; the next call gets a fresh one).
public actor LibvirtHostPool {
    public let openTimeout: Double
    public let callTimeout: Double
    private var connections: [String: LibvirtConnection] = [:]
    private var opening: [String: Task<LibvirtConnection, any Error>] = [:]
    /// Whether the last attempt to reach each URI (open, or a connection found closed) succeeded.
    private var reached: [String: Bool] = [:]

    public init(openTimeout: Double = 30, callTimeout: Double = 60) {
        self.openTimeout = openTimeout
        self.callTimeout = callTimeout
    }

    /// The open connection to `uri`, opening it if needed. Concurrent callers share one attempt.
    public func connection(_ uri: String) async throws(LibvirtError) -> LibvirtConnection {
        if let c = connections[uri], c.closedReason == nil { return c }
        if connections[uri] != nil { reached[uri] = false }
        if let stale = connections.removeValue(forKey: uri) { await stale.close() }
        let task: Task<LibvirtConnection, any Error>
        if let running = opening[uri] {
            task = running
        } else {
            let (openTimeout, callTimeout) = (self.openTimeout, self.callTimeout)
            task = Task { try await LibvirtConnection.open(uri, openTimeout: openTimeout, callTimeout: callTimeout) }
            opening[uri] = task
        }
        do {
            let c = try await task.value
            opening[uri] = nil
            connections[uri] = c
            reached[uri] = true
            return c
        } catch {
            opening[uri] = nil
            reached[uri] = false
            throw (error as? LibvirtError) ?? .call(operation: "open \(uri)", code: .internalError, domain: 0,
                                                    message: "\(error)")
        }
    }

    /// Each URI tried, and whether it answered: open and not closed since, or the last open succeeded.
    public func reachability() -> [String: Bool] {
        var out = reached
        for (uri, c) in connections { out[uri] = c.closedReason == nil && reached[uri] != false }
        return out
    }

    /// Closes every connection.
    public func closeAll() async {
        let all = connections.values
        connections = [:]
        for c in all { await c.close() }
    }
}
