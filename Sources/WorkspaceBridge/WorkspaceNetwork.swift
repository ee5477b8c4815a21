/// What network a class's workspaces have (`network = "none" | "host" | "shaped"` in the config;
/// the older `true` and `false` mean `host` and `none`).
///
/// - `none`: loopback only.
/// - `host`: the host's network as it is (a guest: its bridge, libvirt network or user-mode NIC).
/// - `shaped`: local workspaces get a network namespace of their own, joined to the host by a
///   veth pair whose two ends are rate-limited to the class's `bandwidth_kbps` (or
///   `inbound_kbps` / `outbound_kbps`); guests get their NIC, shaped by libvirt where it can.
public enum WorkspaceNetwork: String, Codable, Sendable, CaseIterable, ExpressibleByBooleanLiteral {
    case none, host, shaped

    public init(booleanLiteral value: Bool) { self = value ? .host : .none }

    /// Whether the workspace has any network beyond loopback.
    public var isConnected: Bool { self != .none }

    /// Accepts the mode's name or, as stored and sent before there were three, a boolean.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let flag = try? c.decode(Bool.self) {
            self = flag ? .host : .none
            return
        }
        let name = try c.decode(String.self)
        guard let mode = WorkspaceNetwork(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "network is one of none, host, shaped, not \"\(name)\"")
        }
        self = mode
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
