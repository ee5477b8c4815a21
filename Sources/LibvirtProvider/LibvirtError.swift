import CLibvirt

/// A libvirt error number (`virErrorNumber`), with names for the ones callers branch on.
public struct LibvirtErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let internalError = Self(rawValue: Int32(VIR_ERR_INTERNAL_ERROR.rawValue))
    public static let noSupport = Self(rawValue: Int32(VIR_ERR_NO_SUPPORT.rawValue))
    public static let invalidArgument = Self(rawValue: Int32(VIR_ERR_INVALID_ARG.rawValue))
    public static let operationFailed = Self(rawValue: Int32(VIR_ERR_OPERATION_FAILED.rawValue))
    public static let xmlError = Self(rawValue: Int32(VIR_ERR_XML_ERROR.rawValue))
    public static let xmlDetail = Self(rawValue: Int32(VIR_ERR_XML_DETAIL.rawValue))
    public static let xmlInvalidSchema = Self(rawValue: Int32(VIR_ERR_XML_INVALID_SCHEMA.rawValue))
    public static let systemError = Self(rawValue: Int32(VIR_ERR_SYSTEM_ERROR.rawValue))
    public static let rpc = Self(rawValue: Int32(VIR_ERR_RPC.rawValue))
    public static let noDomain = Self(rawValue: Int32(VIR_ERR_NO_DOMAIN.rawValue))
    public static let operationInvalid = Self(rawValue: Int32(VIR_ERR_OPERATION_INVALID.rawValue))
    public static let operationTimeout = Self(rawValue: Int32(VIR_ERR_OPERATION_TIMEOUT.rawValue))
    public static let argumentUnsupported = Self(rawValue: Int32(VIR_ERR_ARGUMENT_UNSUPPORTED.rawValue))
    public static let noDomainMetadata = Self(rawValue: Int32(VIR_ERR_NO_DOMAIN_METADATA.rawValue))
    public static let noConnect = Self(rawValue: Int32(VIR_ERR_NO_CONNECT.rawValue))
    public static let authFailed = Self(rawValue: Int32(VIR_ERR_AUTH_FAILED.rawValue))
    public static let configUnsupported = Self(rawValue: Int32(VIR_ERR_CONFIG_UNSUPPORTED.rawValue))

    public var description: String { "\(rawValue)" }
}

/// Why a connection stopped being usable (`virConnectCloseReason`, plus our own close).
public enum LibvirtCloseReason: String, Sendable, Equatable {
    /// A transport error.
    case error
    /// The daemon closed the connection (it died or restarted).
    case endOfFile = "eof"
    /// The daemon stopped answering keepalive probes: it is hung or the host is unreachable.
    case keepalive
    /// This process closed it.
    case client
    case unknown

    init(cReason: Int32) {
        switch cReason {
        case Int32(VIR_CONNECT_CLOSE_REASON_ERROR.rawValue): self = .error
        case Int32(VIR_CONNECT_CLOSE_REASON_EOF.rawValue): self = .endOfFile
        case Int32(VIR_CONNECT_CLOSE_REASON_KEEPALIVE.rawValue): self = .keepalive
        case Int32(VIR_CONNECT_CLOSE_REASON_CLIENT.rawValue): self = .client
        default: self = .unknown
        }
    }
}

/// A failed libvirt operation.
///
/// libvirt reports errors through a thread-local "last error"; every call in this module runs
/// its C call and reads that error on the same worker thread, so the error here always belongs
/// to the call named in `operation`.
public enum LibvirtError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libvirt refused or failed the call.
    case call(operation: String, code: LibvirtErrorCode, domain: Int32, message: String)
    /// The call did not return within its deadline: the daemon is hung, overloaded or unreachable.
    /// The C call may still be running on a worker thread; its late result is discarded.
    case timedOut(operation: String, uri: String, seconds: Double)
    /// The connection is closed (by us, or lost: daemon died, keepalive expired).
    case connectionClosed(uri: String, reason: LibvirtCloseReason)

    /// The libvirt error number, when libvirt produced the error.
    public var code: LibvirtErrorCode? {
        if case .call(_, let code, _, _) = self { return code }
        return nil
    }

    /// Whether libvirt rejected a document: malformed, or not valid against its schema.
    public var isXMLError: Bool { code == .xmlError || code == .xmlDetail || code == .xmlInvalidSchema }

    /// Whether the named domain does not exist (any more).
    public var isNoDomain: Bool { code == .noDomain }

    /// Whether the host behind the connection cannot be relied upon (hung, dead, unreachable).
    public var isHostFailure: Bool {
        switch self {
        case .timedOut, .connectionClosed: return true
        case .call(_, let code, let domain, _):
            // RPC-layer errors ("client socket is closed", "End of file while reading data")
            // come from the transport, whatever their number.
            return code == .rpc || code == .noConnect || code == .systemError
                || domain == Int32(VIR_FROM_RPC.rawValue) || domain == Int32(VIR_FROM_REMOTE.rawValue)
        }
    }

    public var description: String {
        switch self {
        case let .call(operation, code, domain, message):
            return "libvirt \(operation) failed: \(message) (error \(code), domain \(domain))"
        case let .timedOut(operation, uri, seconds):
            return "libvirt \(operation) on \(uri) did not answer within \(seconds) s: the daemon is hung or unreachable; check libvirtd on that host"
        case let .connectionClosed(uri, reason):
            return "libvirt connection to \(uri) is closed (\(reason.rawValue)); check that libvirtd runs there"
        }
    }

    /// Reads libvirt's thread-local last error. Call on the thread that made the failing call,
    /// right after it, before any other libvirt call.
    static func last(_ operation: String) -> LibvirtError {
        guard let err = virGetLastError() else {
            return .call(operation: operation, code: .internalError, domain: 0,
                         message: "failed without an error report")
        }
        let message = err.pointee.message.map { String(cString: $0) } ?? "unknown error"
        let error = LibvirtError.call(operation: operation, code: LibvirtErrorCode(rawValue: err.pointee.code),
                                      domain: err.pointee.domain, message: message)
        virResetLastError()
        return error
    }
}
