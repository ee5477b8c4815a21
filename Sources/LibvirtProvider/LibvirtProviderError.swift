import WorkspaceProviders

/// What went wrong in the libvirt provider, with what the admin should look at.
public enum LibvirtProviderError: Error, Sendable, CustomStringConvertible {
    /// A libvirt call failed (includes hung and dead daemons: `.timedOut`, `.connectionClosed`).
    case libvirt(LibvirtError)
    /// The class's libvirt settings are unusable.
    case configuration(String)
    /// Preparing the guest's kernel, initramfs or disk failed.
    case image(String)
    /// No host of the class could take the workspace; each host's error is listed.
    case noHostAvailable([String: LibvirtError])
    /// The guest started but its agent channel did not become usable in time.
    case agentNotReady(domain: String, socket: String, seconds: Double, detail: String)
    /// The guest stopped while we waited for it.
    case guestStopped(domain: String, state: String, detail: String)
    /// The workspace handle does not name a libvirt domain of ours.
    case badHandle(String)
    /// A guest could not move to another host; it runs where it was.
    case migration(String)

    public var description: String {
        switch self {
        case .libvirt(let e): return e.description
        case .configuration(let m): return "configuration: \(m)"
        case .image(let m): return m
        case .noHostAvailable(let errors):
            let list = errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            return "no libvirt host could take the workspace: \(list)"
        case let .agentNotReady(domain, socket, seconds, detail):
            return "guest \(domain) started but its agent channel \(socket) was not ready within \(Int(seconds)) s"
                + (detail.isEmpty ? "" : "; serial log ends with:\n\(detail)")
        case let .guestStopped(domain, state, detail):
            return "guest \(domain) stopped while booting (\(state))" + (detail.isEmpty ? "" : "; serial log ends with:\n\(detail)")
        case .badHandle(let h): return "\"\(h)\" is not a libvirt workspace handle (URI#domain)"
        case .migration(let m): return m
        }
    }

    /// The same failure as the provider protocol's generic error.
    public var providerError: ProviderError { ProviderError(provider: "libvirt", message: description) }

    /// Whether the failure is the host's (hung/dead daemon) rather than the workspace's.
    public var isHostFailure: Bool {
        switch self {
        case .libvirt(let e): return e.isHostFailure
        case .noHostAvailable: return true
        default: return false
        }
    }
}
