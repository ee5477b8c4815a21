import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP connection to `host:port` (`[v6addr]:port` for IPv6), tried on each address
/// the name resolves to, each within a few seconds: a dead server must not hold a gatekeeper's
/// call for the kernel's minutes-long connect timeout before the next server is tried.
enum TCPConnection {
    struct Failure: Error { var message: String }

    static let connectTimeoutMilliseconds: Int32 = 3000
    /// A daemon that accepted but never answers is given up on, so that the next one is tried.
    static let replyTimeoutSeconds = 120

    static func split(_ server: String) throws(Failure) -> (host: String, port: String) {
        var host = Substring(server)
        var port = Substring("")
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let rest = host[host.index(after: close)...]
            guard rest.hasPrefix(":") else { throw Failure(message: "\"\(server)\" is not host:port") }
            port = rest.dropFirst()
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty, let p = Int(port), (1...65535).contains(p) else {
            throw Failure(message: "\"\(server)\" is not host:port")
        }
        return (String(host), String(port))
    }

    static func connect(_ server: String) throws(Failure) -> Int32 {
        let (host, port) = try split(server)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, port, &hints, &list)
        guard rc == 0, let list else { throw Failure(message: String(cString: gai_strerror(rc))) }
        defer { freeaddrinfo(list) }
        var last = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let ai = next {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), ai.pointee.ai_protocol)
            guard fd >= 0 else { last = String(cString: strerror(errno)); continue }
            if let why = connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) {
                last = why
                close(fd)
                continue
            }
            var timeout = timeval(tv_sec: replyTimeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return fd
        }
        throw Failure(message: last)
    }

    /// Connects within the timeout; nil, or why not.
    private static func connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> String? {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, address, length) != 0 {
            guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, connectTimeoutMilliseconds)
            if ready == 0 { return "no answer within \(connectTimeoutMilliseconds / 1000) s" }
            if ready < 0 { return String(cString: strerror(errno)) }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
            if error != 0 { return String(cString: strerror(error)) }
        }
        _ = fcntl(fd, F_SETFL, flags)
        return nil
    }
}
