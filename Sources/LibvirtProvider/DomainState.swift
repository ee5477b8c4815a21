import CLibvirt

/// A domain's run state (`virDomainState`) with libvirt's reason number for it.
public struct DomainState: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Int32, Sendable {
        case noState = 0, running, blocked, paused, shuttingDown, shutOff, crashed, pmSuspended
    }
    public var kind: Kind
    /// The state-specific reason (`virDomainRunningReason`, `virDomainShutoffReason` ...).
    public var reason: Int32

    public init(kind: Kind, reason: Int32) {
        self.kind = kind
        self.reason = reason
    }

    init(cState: Int32, reason: Int32) {
        self.kind = Kind(rawValue: cState) ?? .noState
        self.reason = reason
    }

    /// Whether a guest (or its QEMU process) exists: running, blocked, paused, shutting down or
    /// suspended to RAM.
    public var isActive: Bool {
        switch kind {
        case .running, .blocked, .paused, .shuttingDown, .pmSuspended: return true
        case .noState, .shutOff, .crashed: return false
        }
    }

    /// Shut off because it was saved to a file (`virDomainSave`).
    public var isSaved: Bool { kind == .shutOff && reason == Int32(VIR_DOMAIN_SHUTOFF_SAVED.rawValue) }

    public var description: String { "\(kind) (reason \(reason))" }
}

/// What `virDomainGetInfo` reports.
public struct DomainInfo: Sendable, Equatable {
    public var state: DomainState.Kind
    /// Maximum memory, KiB.
    public var maxMemoryKiB: UInt
    /// Current (balloon) memory, KiB.
    public var memoryKiB: UInt
    public var vcpus: Int
    /// CPU time used, nanoseconds.
    public var cpuTimeNanoseconds: UInt64
}

/// A value of a libvirt typed parameter (scheduler, memory, bandwidth parameters).
public enum TypedParameterValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int32)
    case uint(UInt32)
    case llong(Int64)
    case ullong(UInt64)
    case double(Double)
    case bool(Bool)
    case string(String)

    /// The value as a signed integer, when it is one.
    public var integer: Int64? {
        switch self {
        case .int(let v): return Int64(v)
        case .uint(let v): return Int64(v)
        case .llong(let v): return v
        case .ullong(let v): return v > UInt64(Int64.max) ? nil : Int64(v)
        case .bool(let v): return v ? 1 : 0
        case .double, .string: return nil
        }
    }

    public var description: String {
        switch self {
        case .int(let v): return "\(v)"
        case .uint(let v): return "\(v)"
        case .llong(let v): return "\(v)"
        case .ullong(let v): return "\(v)"
        case .double(let v): return "\(v)"
        case .bool(let v): return "\(v)"
        case .string(let v): return v
        }
    }
}

/// Which definition a runtime change affects (`virDomainModificationImpact`).
public struct ModificationImpact: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The running guest if active, else the persistent config.
    public static let current: ModificationImpact = []
    public static let live = ModificationImpact(rawValue: VIR_DOMAIN_AFFECT_LIVE.rawValue)
    public static let config = ModificationImpact(rawValue: VIR_DOMAIN_AFFECT_CONFIG.rawValue)
}
