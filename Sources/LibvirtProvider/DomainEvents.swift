import CLibvirt
import Foundation

/// A domain lifecycle event (`VIR_DOMAIN_EVENT_ID_LIFECYCLE`).
public struct DomainLifecycleEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Int32, Sendable {
        case defined = 0, undefined, started, suspended, resumed, stopped, shutdown, pmSuspended, crashed
    }
    public var domainName: String
    public var domainUUID: String
    public var kind: Kind
    /// The kind-specific detail (`virDomainEventStoppedDetailType` ...): for `stopped`,
    /// 0 shutdown, 1 destroyed, 2 crashed, 3 migrated, 4 saved, 5 failed.
    public var detail: Int32

    public var description: String { "\(domainName): \(kind) (detail \(detail))" }
}

/// A registered event callback; `cancel()` deregisters it.
public final class EventRegistration: Sendable {
    let connection: LibvirtConnection
    let callbackID: Int32

    init(connection: LibvirtConnection, callbackID: Int32) {
        self.connection = connection
        self.callbackID = callbackID
    }

    /// Deregisters the callback. libvirt releases the handler afterwards, from its event loop,
    /// once no callback can be running any more. Idempotent.
    public func cancel() async {
        guard connection.forgetEventCallback(callbackID) else { return }
        let id = callbackID
        _ = try? await connection.perform("virConnectDomainEventDeregisterAny") { (c) throws(LibvirtError) in
            if virConnectDomainEventDeregisterAny(c, id) < 0 { virResetLastError() }
        }
    }
}

extension LibvirtConnection {
    /// Calls `handler` on libvirt's event thread for every lifecycle event of every domain.
    /// The handler must return quickly; hand work off to a task.
    public func onLifecycleEvent(_ handler: @escaping @Sendable (DomainLifecycleEvent) -> Void)
        async throws(LibvirtError) -> EventRegistration {
        let box = Unmanaged.passRetained(LifecycleHandlerBox(handler))
        let opaque = SendableRawPointer(box.toOpaque())
        let id = try await perform("virConnectDomainEventRegisterAny") { (c) throws(LibvirtError) -> Int32 in
            // From here on libvirt owns the box's +1 and releases it through the free callback,
            // after deregistration; a late event therefore never sees a freed handler.
            let id = wsb_register_lifecycle_callback(c, lifecycleCallback, opaque.pointer, releaseLifecycleBox)
            if id < 0 {
                let error = LibvirtError.last("virConnectDomainEventRegisterAny")
                Unmanaged<LifecycleHandlerBox>.fromOpaque(opaque.pointer).release()
                throw error
            }
            return id
        }
        rememberEventCallback(id)
        return EventRegistration(connection: self, callbackID: id)
    }

    /// Lifecycle events as an async sequence; ending the iteration deregisters the callback.
    public func lifecycleEvents() async throws(LibvirtError) -> AsyncStream<DomainLifecycleEvent> {
        let (stream, continuation) = AsyncStream<DomainLifecycleEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let registration = try await onLifecycleEvent { continuation.yield($0) }
        continuation.onTermination = { _ in Task { await registration.cancel() } }
        onClose { _ in continuation.finish() }
        return stream
    }
}

private final class LifecycleHandlerBox {
    let handler: @Sendable (DomainLifecycleEvent) -> Void
    init(_ handler: @escaping @Sendable (DomainLifecycleEvent) -> Void) { self.handler = handler }
}

struct SendableRawPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}

private let lifecycleCallback: virConnectDomainEventCallback = { _, dom, event, detail, opaque in
    guard let dom, let opaque else { return 0 }
    // The domain pointer is valid only during the callback: copy what we need now.
    let name = virDomainGetName(dom).map { String(cString: $0) } ?? ""
    var buf = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
    let uuid = virDomainGetUUIDString(dom, &buf) == 0 ? cString(buf) : ""
    guard let kind = DomainLifecycleEvent.Kind(rawValue: event) else { return 0 }
    let box = Unmanaged<LifecycleHandlerBox>.fromOpaque(opaque).takeUnretainedValue()
    box.handler(DomainLifecycleEvent(domainName: name, domainUUID: uuid, kind: kind, detail: detail))
    return 0
}

private let releaseLifecycleBox: virFreeCallback = { opaque in
    guard let opaque else { return }
    Unmanaged<LifecycleHandlerBox>.fromOpaque(opaque).release()
}
