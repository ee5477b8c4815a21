import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The API socket as a hostile client sees it: raw bytes in, raw bytes out.
enum RawAPI {
    static func connect(_ path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0 else { close(fd); return nil }
        return fd
    }

    /// Sends `bytes`, then reads until the daemon closes (or `timeout`); returns what came back
    /// and whether the daemon closed the connection.
    static func exchange(_ path: String, _ bytes: [UInt8], timeout: Double = 5) -> (reply: String, closed: Bool) {
        guard let fd = connect(path) else { return ("", false) }
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return (String(decoding: reply, as: UTF8.self), true) }
            // A close with our request still unread arrives as a reset.
            if n < 0 { return (String(decoding: reply, as: UTF8.self), errno == ECONNRESET) }
            reply += buffer[0..<n]
        }
    }

    static func get(_ path: String, _ target: String) -> (reply: String, closed: Bool) {
        exchange(path, Array("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    }

    static func status(_ reply: String) -> Int {
        Int(reply.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
