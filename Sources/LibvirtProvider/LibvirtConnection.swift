import CLibvirt
import Dispatch
import Foundation

/// One connection to one libvirt URI (`qemu:///system`, `xen:///system`, `qemu+ssh://node/system`,
/// `test:///default` ...).
///
/// Every C call runs on a thread of its own and the caller waits with a deadline: a hung daemon
/// makes calls fail with `LibvirtError.timedOut` instead of blocking the caller (one hung host
/// must not stall work on the others). Not on a concurrent dispatch queue: those share a pool of
/// about one thread per CPU, which calls blocked in a hung host's RPCs would fill, stalling every
/// other call and even the deadlines' timers until they return. Keepalive probes and a close
/// callback turn a dead daemon into `LibvirtError.connectionClosed`.
///
/// Thread safe: libvirt allows concurrent calls on one connection, and our own state is locked.
public final class LibvirtConnection: @unchecked Sendable {
    /// The URI this connection was opened with.
    public let uri: String
    /// Deadline applied to each call when the call does not give its own; `nil` waits forever.
    public let callTimeout: Double?

    private let lock = NSLock()
    private var handle: OpaquePointer?
    private var closeReason: LibvirtCloseReason?
    private var closeContext: Unmanaged<CloseContext>?
    private var eventCallbackIDs: Set<Int32> = []
    private var closeHandlers: [@Sendable (LibvirtCloseReason) -> Void] = []

    /// How the connection probes its peer. Only remote connections (through a daemon) support
    /// keepalive; local drivers such as `test:///` ignore it.
    public struct KeepAlive: Sendable {
        /// Seconds between probes when the peer is silent.
        public var interval: Int32
        /// Unanswered probes after which the connection is closed with reason `keepalive`.
        public var count: UInt32
        public init(interval: Int32, count: UInt32) {
            self.interval = interval
            self.count = count
        }
        public static let `default` = KeepAlive(interval: 5, count: 3)
    }

    private init(uri: String, callTimeout: Double?) {
        self.uri = uri
        self.callTimeout = callTimeout
    }

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - openTimeout: how long to wait for the daemon to answer. The first `qemu:///system`
    ///     connection after libvirtd starts probes QEMU and may take several seconds.
    ///   - callTimeout: the default deadline of later calls.
    ///   - keepAlive: keepalive probing for remote connections; `nil` leaves libvirt's default.
    public static func open(_ uri: String, readOnly: Bool = false, openTimeout: Double = 30,
                            callTimeout: Double? = 60,
                            keepAlive: KeepAlive? = .default) async throws(LibvirtError) -> LibvirtConnection {
        try LibvirtEventLoop.start()
        let connection = LibvirtConnection(uri: uri, callTimeout: callTimeout)
        try await connection.run("virConnectOpen", timeout: openTimeout) { () throws(LibvirtError) in
            let ptr = readOnly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri)
            guard let ptr else { throw LibvirtError.last("virConnectOpen(\(uri))") }
            // If the caller already gave up (deadline passed), the connection object is dropped
            // with this closure and its deinit closes the handle.
            connection.adopt(ptr, keepAlive: keepAlive)
        }
        return connection
    }

    private func adopt(_ ptr: OpaquePointer, keepAlive: KeepAlive?) {
        if let keepAlive {
            // -1 with VIR_ERR_NO_SUPPORT on local drivers: nothing to probe there.
            if virConnectSetKeepAlive(ptr, keepAlive.interval, keepAlive.count) < 0 { virResetLastError() }
        }
        let context = Unmanaged.passRetained(CloseContext(self))
        if virConnectRegisterCloseCallback(ptr, connectionClosedCallback, context.toOpaque(),
                                           releaseCloseContext) == 0 {
            lock.withLock { closeContext = context }
        } else {
            // Local drivers have no transport to lose; the context was not taken.
            virResetLastError()
            context.release()
        }
        lock.withLock { handle = ptr }
    }

    deinit {
        guard let ptr = handle else { return }
        let h = SendablePointer(ptr)
        let ids = eventCallbackIDs
        let closeRegistered = closeContext != nil
        // Closing a remote connection is an RPC; never block whoever dropped the last reference.
        Self.blocking {
            for id in ids { _ = virConnectDomainEventDeregisterAny(h.pointer, id) }
            if closeRegistered { _ = virConnectUnregisterCloseCallback(h.pointer, connectionClosedCallback) }
            _ = virConnectClose(h.pointer)
        }
    }

    /// Why the connection is closed, or `nil` while it is usable.
    public var closedReason: LibvirtCloseReason? { lock.withLock { closeReason } }

    /// Calls `handler` once when the connection is lost (daemon died, keepalive expired) or closed.
    public func onClose(_ handler: @escaping @Sendable (LibvirtCloseReason) -> Void) {
        let reason: LibvirtCloseReason? = lock.withLock {
            if closeReason == nil { closeHandlers.append(handler) }
            return closeReason
        }
        if let reason { handler(reason) }
    }

    func markClosed(_ reason: LibvirtCloseReason) {
        let handlers: [@Sendable (LibvirtCloseReason) -> Void] = lock.withLock {
            guard closeReason == nil else { return [] }
            closeReason = reason
            defer { closeHandlers = [] }
            return closeHandlers
        }
        for h in handlers { h(reason) }
    }

    /// Closes the connection: deregisters event callbacks first (a late callback must not find
    /// freed state), then closes. Idempotent.
    public func close() async {
        // A lost connection still holds its handle: it is released here too.
        let taken: (OpaquePointer, Set<Int32>, Bool)? = lock.withLock {
            guard let ptr = handle else { return nil }
            defer { handle = nil; eventCallbackIDs = []; closeContext = nil }
            return (ptr, eventCallbackIDs, closeContext != nil)
        }
        markClosed(.client)
        guard let (ptr, ids, closeRegistered) = taken else { return }
        let h = SendablePointer(ptr)
        _ = try? await run("virConnectClose", timeout: callTimeout) { () throws(LibvirtError) in
            for id in ids { _ = virConnectDomainEventDeregisterAny(h.pointer, id) }
            if closeRegistered { _ = virConnectUnregisterCloseCallback(h.pointer, connectionClosedCallback) }
            _ = virConnectClose(h.pointer)
            virResetLastError()
        }
    }

    // MARK: Running calls

    /// Runs `body` with the connection handle on the connection's queue, with a deadline.
    ///
    /// A libvirt failure inside `body` must be thrown as `LibvirtError.last(...)` right after the
    /// failing call (same thread). A transport failure on a connection that libvirt reports dead
    /// is turned into `connectionClosed`.
    public func perform<T: Sendable>(_ operation: String, timeout: Double? = nil,
                                     _ body: @escaping @Sendable (OpaquePointer) throws(LibvirtError) -> T)
        async throws(LibvirtError) -> T {
        let (current, reason) = lock.withLock { (handle, closeReason) }
        if let reason { throw LibvirtError.connectionClosed(uri: uri, reason: reason) }
        guard let ptr = current else { throw LibvirtError.connectionClosed(uri: uri, reason: .client) }
        let h = SendablePointer(ptr)
        return try await run(operation, timeout: timeout ?? callTimeout) { () throws(LibvirtError) -> T in
            do throws(LibvirtError) {
                return try body(h.pointer)
            } catch {
                if error.isHostFailure, virConnectIsAlive(h.pointer) == 0 {
                    self.markClosed(.error)
                    throw LibvirtError.connectionClosed(uri: self.uri, reason: self.closedReason ?? .error)
                }
                throw error
            }
        }
    }

    /// The deadline machinery: the body runs on the queue; whichever of body and timer finishes
    /// first answers the caller, the other's result is dropped.
    func run<T: Sendable>(_ operation: String, timeout: Double?,
                          _ body: @escaping @Sendable () throws(LibvirtError) -> T) async throws(LibvirtError) -> T {
        let result: Result<T, LibvirtError> = await withCheckedContinuation { continuation in
            let once = Once()
            Self.blocking {
                let r: Result<T, LibvirtError>
                do throws(LibvirtError) { r = .success(try body()) } catch { r = .failure(error) }
                if once.claim() { continuation.resume(returning: r) }
            }
            if let timeout {
                Self.deadlines.asyncAfter(deadline: .now() + timeout) { [uri] in
                    if once.claim() {
                        continuation.resume(returning: .failure(.timedOut(operation: operation, uri: uri, seconds: timeout)))
                    }
                }
            }
        }
        return try result.get()
    }

    /// Runs a blocking C call on a new thread (see the type's notes).
    static func blocking(_ work: @escaping @Sendable () -> Void) {
        let thread = Thread(block: work)
        thread.name = "libvirt call"
        thread.start()
    }

    /// The deadlines' timers: a serial queue has a thread of its own when the shared ones are busy.
    static let deadlines = DispatchQueue(label: "libvirt deadlines")

    // MARK: Events bookkeeping

    func rememberEventCallback(_ id: Int32) { lock.withLock { _ = eventCallbackIDs.insert(id) } }
    func forgetEventCallback(_ id: Int32) -> Bool { lock.withLock { eventCallbackIDs.remove(id) != nil } }

    // MARK: Host

    /// The hypervisor driver name (`QEMU`, `Xen`, `TEST` ...).
    public func driverType() async throws(LibvirtError) -> String {
        try await perform("virConnectGetType") { (c) throws(LibvirtError) -> String in
            guard let t = virConnectGetType(c) else { throw LibvirtError.last("virConnectGetType") }
            return String(cString: t) // static string owned by libvirt, not freed
        }
    }

    /// libvirt library version of the daemon side, as `major * 1_000_000 + minor * 1000 + release`.
    public func libraryVersion() async throws(LibvirtError) -> UInt {
        try await perform("virConnectGetLibVersion") { (c) throws(LibvirtError) -> UInt in
            var v: UInt = 0
            if virConnectGetLibVersion(c, &v) < 0 { throw LibvirtError.last("virConnectGetLibVersion") }
            return v
        }
    }

    /// The host name of the hypervisor host.
    public func hostname() async throws(LibvirtError) -> String {
        try await perform("virConnectGetHostname") { (c) throws(LibvirtError) -> String in
            guard let p = virConnectGetHostname(c) else { throw LibvirtError.last("virConnectGetHostname") }
            defer { free(p) }
            return String(cString: p)
        }
    }

    /// Whether libvirt still considers the connection alive; `false` once closed or lost.
    public func isAlive() async -> Bool {
        (try? await perform("virConnectIsAlive") { (c) throws(LibvirtError) -> Bool in virConnectIsAlive(c) == 1 }) ?? false
    }
}

/// Resumes a continuation exactly once, from whichever side gets there first.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool { lock.withLock { if done { return false }; done = true; return true } }
}

/// A C handle carried across threads; libvirt objects are thread safe.
struct SendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// What the close callback's opaque pointer holds. Weak: libvirt keeps it until we unregister,
/// and it must not keep the connection object alive.
private final class CloseContext {
    weak var connection: LibvirtConnection?
    init(_ connection: LibvirtConnection) { self.connection = connection }
}

private let connectionClosedCallback: virConnectCloseFunc = { _, reason, opaque in
    guard let opaque else { return }
    let context = Unmanaged<CloseContext>.fromOpaque(opaque).takeUnretainedValue()
    context.connection?.markClosed(LibvirtCloseReason(cReason: reason))
}

private let releaseCloseContext: virFreeCallback = { opaque in
    guard let opaque else { return }
    Unmanaged<CloseContext>.fromOpaque(opaque).release()
}
