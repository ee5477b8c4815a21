#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A framed, JSON-coded, bidirectional message channel over one file descriptor (a connected
/// Unix socket, or a serial device inside a guest). Reads block the calling thread; writes are
/// serialised, so several threads may send.
public final class MessageChannel<Incoming: Decodable, Outgoing: Encodable>: @unchecked Sendable {
    public let fd: Int32
    private let writeLock = Mutex(())
    private var framer = LineFramer()
    private var ready: [[UInt8]] = []
    private let ownsDescriptor: Bool

    public init(fd: Int32, ownsDescriptor: Bool = true) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Sends one message; throws if the other side is gone.
    public func send(_ message: Outgoing) throws {
        var data = try JSONEncoder().encode(message)
        data.append(10)
        try writeLock.withLock { _ in
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ChannelError.io("write", errno)
                    }
                    offset += n
                }
            }
        }
    }

    /// The next message, or nil at end of stream. Only one thread may receive.
    public func receive() throws -> Incoming? {
        while ready.isEmpty {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw ChannelError.io("read", errno)
            }
            if n == 0 { return nil }
            ready = try framer.push(chunk[0..<n])
        }
        let frame = ready.removeFirst()
        do {
            return try JSONDecoder().decode(Incoming.self, from: Data(frame))
        } catch {
            throw ChannelError.malformed(String(decoding: frame.prefix(200), as: UTF8.self), "\(error)")
        }
    }

    /// Wakes a blocked `receive` on another thread by shutting the descriptor down.
    public func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
}

public enum ChannelError: Error, CustomStringConvertible {
    case io(String, Int32)
    case malformed(String, String)
    public var description: String {
        switch self {
        case .io(let op, let e): "\(op): \(String(cString: strerror(e)))"
        case .malformed(let frame, let why): "malformed message \(frame): \(why)"
        }
    }
}

/// Unix stream sockets, the agent's transport on the host.
public enum UnixSocket {
    /// Connects to a listening socket; throws with the path and the cause.
    public static func connect(path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ChannelError.io("socket", errno) }
        var addr = try address(path)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc < 0 {
            let e = errno
            close(fd)
            throw ChannelError.io("connect \(path)", e)
        }
        return fd
    }

    /// Binds and listens, replacing a stale socket file.
    public static func listen(path: String, mode: mode_t = 0o600, backlog: Int32 = 64) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ChannelError.io("socket", errno) }
        unlink(path)
        var addr = try address(path)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc < 0 || chmod(path, mode) < 0 || Glibc.listen(fd, backlog) < 0 {
            let e = errno
            close(fd)
            throw ChannelError.io("listen \(path)", e)
        }
        return fd
    }

    static func address(_ path: String) throws -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            throw ChannelError.io("socket path too long: \(path)", ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return addr
    }
}
