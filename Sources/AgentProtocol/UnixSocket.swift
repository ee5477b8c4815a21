#if canImport(Glibc)
import Glibc
#endif

/// Unix stream sockets: the agent's transport on the host, and the daemon's API socket.
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
