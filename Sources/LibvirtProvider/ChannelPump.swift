import CLibvirt
import Foundation

/// Copies bytes both ways between a local socket and a libvirt stream opened on a guest channel
/// (`virDomainOpenChannel`), until either side ends. This is how a guest on another host is
/// reached: the channel's socket lives on that host, and libvirt carries its bytes over the
/// connection (ssh, TLS) like `virsh console` does.
///
/// Non-blocking on both sides, driven by libvirt's event loop (the one `LibvirtEventLoop` runs):
/// a side is read only while the other side has taken everything read before, so a slow reader
/// holds back the writer instead of filling memory.
final class ChannelPump: @unchecked Sendable {
    private let lock = NSLock()
    private var stream: OpaquePointer?
    private var fd: Int32
    private var watch: Int32 = -1
    /// Read from the socket, not yet taken by the stream.
    private var toStream: [UInt8] = []
    /// Read from the stream, not yet written to the socket.
    private var toSocket: [UInt8] = []
    private let onClose: @Sendable () -> Void

    private static let chunk = 65536

    /// Starts pumping; takes ownership of `stream` (a non-blocking stream with the channel open)
    /// and of `fd`. `onClose` runs once both are released.
    init(stream: OpaquePointer, fd: Int32, onClose: @escaping @Sendable () -> Void = {}) throws(LibvirtError) {
        self.stream = stream
        self.fd = fd
        self.onClose = onClose
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        // Each registration holds one reference, released by libvirt's free callback.
        let streamRef = Unmanaged.passRetained(self).toOpaque()
        if virStreamEventAddCallback(stream, Self.streamEvents(reading: true, writing: false),
                                     pumpStreamCallback, streamRef, releasePump) < 0 {
            Unmanaged<ChannelPump>.fromOpaque(streamRef).release()
            let error = LibvirtError.last("virStreamEventAddCallback")
            close()
            throw error
        }
        let fdRef = Unmanaged.passRetained(self).toOpaque()
        let w = virEventAddHandle(fd, Self.handleEvents(reading: true, writing: false), pumpSocketCallback, fdRef, releasePump)
        if w < 0 {
            Unmanaged<ChannelPump>.fromOpaque(fdRef).release()
            let error = LibvirtError.last("virEventAddHandle")
            close()
            throw error
        }
        lock.withLock { watch = w }
    }

    /// Whether `close` ran.
    var isClosed: Bool { lock.withLock { stream == nil } }

    /// Stops both directions and releases the stream and the socket. Idempotent.
    func close() {
        let (st, sock, w): (OpaquePointer?, Int32, Int32) = lock.withLock {
            defer { stream = nil; fd = -1; watch = -1 }
            return (stream, fd, watch)
        }
        guard st != nil || sock >= 0 else { return }
        if w >= 0 { _ = virEventRemoveHandle(w) }
        if let st {
            _ = virStreamEventRemoveCallback(st)
            if virStreamAbort(st) < 0 { virResetLastError() }
            _ = virStreamFree(st)
        }
        if sock >= 0 { Glibc.close(sock) }
        onClose()
    }

    // MARK: Events (on the libvirt event loop thread)

    func streamReady(_ events: Int32) {
        lock.lock()
        guard let st = stream else { lock.unlock(); return }
        var end = false
        if events & Int32(VIR_STREAM_EVENT_WRITABLE.rawValue) != 0, !toStream.isEmpty {
            let n = toStream.withUnsafeBufferPointer { b in
                b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { virStreamSend(st, $0, b.count) }
            }
            if n > 0 { toStream.removeFirst(Int(n)) } else if n == -1 { end = true }
        }
        if !end, events & Int32(VIR_STREAM_EVENT_READABLE.rawValue) != 0 {
            var buffer = [CChar](repeating: 0, count: Self.chunk)
            // Drain what is there (until the stream would block), unless the socket pushes back.
            while toSocket.isEmpty {
                let n = virStreamRecv(st, &buffer, buffer.count)
                if n == -2 { break }
                if n <= 0 { end = true; break } // the guest side closed (0), or the stream failed (-1)
                let bytes = buffer[..<Int(n)].map { UInt8(bitPattern: $0) }
                let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EAGAIN { toSocket = bytes } else { end = true; break }
                } else if written < bytes.count {
                    toSocket = Array(bytes[written...])
                }
            }
        }
        if events & Int32(VIR_STREAM_EVENT_ERROR.rawValue | VIR_STREAM_EVENT_HANGUP.rawValue) != 0 { end = true }
        if !end { updateInterest() }
        lock.unlock()
        if end { virResetLastError(); close() }
    }

    func socketReady(_ events: Int32) {
        lock.lock()
        guard let st = stream else { lock.unlock(); return }
        var end = false
        if events & Int32(VIR_EVENT_HANDLE_WRITABLE.rawValue) != 0, !toSocket.isEmpty {
            let n = toSocket.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n > 0 { toSocket.removeFirst(n) } else if n < 0, errno != EAGAIN { end = true }
        }
        if !end, events & Int32(VIR_EVENT_HANDLE_READABLE.rawValue) != 0 {
            var buffer = [UInt8](repeating: 0, count: Self.chunk)
            while toStream.isEmpty {
                let n = read(fd, &buffer, buffer.count)
                if n < 0, errno == EAGAIN { break }
                if n <= 0 { end = true; break } // the daemon side hung up
                let sent = buffer.withUnsafeBufferPointer { b in
                    b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: n) { virStreamSend(st, $0, n) }
                }
                if sent == -1 { end = true; break }
                if sent < n { toStream = Array(buffer[max(0, Int(sent))..<n]) }
            }
        }
        if events & Int32(VIR_EVENT_HANDLE_ERROR.rawValue | VIR_EVENT_HANDLE_HANGUP.rawValue) != 0,
           events & Int32(VIR_EVENT_HANDLE_READABLE.rawValue) == 0 { end = true }
        if !end { updateInterest() }
        lock.unlock()
        if end { virResetLastError(); close() }
    }

    /// Reads a side only while the other side has nothing pending; waits for writability only
    /// while something is pending. Called with the lock held.
    private func updateInterest() {
        guard let st = stream else { return }
        _ = virStreamEventUpdateCallback(st, Self.streamEvents(reading: toSocket.isEmpty, writing: !toStream.isEmpty))
        if watch >= 0 { virEventUpdateHandle(watch, Self.handleEvents(reading: toStream.isEmpty, writing: !toSocket.isEmpty)) }
    }

    private static func streamEvents(reading: Bool, writing: Bool) -> Int32 {
        Int32((reading ? VIR_STREAM_EVENT_READABLE.rawValue : 0) | (writing ? VIR_STREAM_EVENT_WRITABLE.rawValue : 0)
              | VIR_STREAM_EVENT_ERROR.rawValue | VIR_STREAM_EVENT_HANGUP.rawValue)
    }

    private static func handleEvents(reading: Bool, writing: Bool) -> Int32 {
        Int32((reading ? VIR_EVENT_HANDLE_READABLE.rawValue : 0) | (writing ? VIR_EVENT_HANDLE_WRITABLE.rawValue : 0)
              | VIR_EVENT_HANDLE_ERROR.rawValue | VIR_EVENT_HANDLE_HANGUP.rawValue)
    }
}

private let pumpStreamCallback: virStreamEventCallback = { _, events, opaque in
    guard let opaque else { return }
    Unmanaged<ChannelPump>.fromOpaque(opaque).takeUnretainedValue().streamReady(events)
}

private let pumpSocketCallback: virEventHandleCallback = { _, _, events, opaque in
    guard let opaque else { return }
    Unmanaged<ChannelPump>.fromOpaque(opaque).takeUnretainedValue().socketReady(events)
}

private let releasePump: virFreeCallback = { opaque in
    guard let opaque else { return }
    Unmanaged<ChannelPump>.fromOpaque(opaque).release()
}
