#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
    /// Made once per channel: the coders may be shared by threads.
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()
    /// The direct reader of the incoming messages, where they have one (found once, not per message).
    private let directReader = Incoming.self as? any DirectJSONReadable.Type

    public init(fd: Int32, ownsDescriptor: Bool = true) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Sends one message; throws if the other side is gone.
    public func send(_ message: Outgoing) throws {
        var data = try (message as? DirectJSON)?.directJSON.map { Data($0) } ?? encoder.encode(message)
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
        var frame: [UInt8] = []
        // An empty line is no message: a daemon sends one first, to end whatever frame a daemon
        // before it left cut off in a channel that outlives connections (a guest's serial port).
        while frame.isEmpty {
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
            frame = ready.removeFirst()
        }
        if let message = directReader?.read(directJSON: frame) as? Incoming {
            return message
        }
        do {
            return try decoder.decode(Incoming.self, from: Data(frame))
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
