import AgentProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The CLI's client of the daemon's API: plain blocking HTTP/1.1, so that a short-lived `wsbridge`
/// invocation on the gatekeeper's path starts and finishes fast. On this host it speaks over the
/// daemon's Unix socket (the kernel names the caller); from another host over TCP to the first of
/// `servers` that answers, each request carrying a MUNGE credential made for it.
public struct BridgeClient: Sendable {
    /// The daemon's Unix socket, when no servers are named.
    public let socketPath: String
    /// `host:port` of the daemons' network APIs, tried in order.
    public let servers: [String]
    /// munged's socket (nil: munged's default).
    public let mungeSocket: String?

    public init(socketPath: String) {
        self.socketPath = socketPath
        servers = []
        mungeSocket = nil
    }

    public init(servers: [String], mungeSocket: String? = nil) {
        socketPath = ""
        self.servers = servers
        self.mungeSocket = mungeSocket
    }

    public func get<R: Decodable>(_ path: String, as: R.Type = R.self) throws(ClientError) -> R {
        try decode(try request("GET", path, body: nil))
    }

    public func post<R: Decodable>(_ path: String, _ body: some Encodable, as: R.Type = R.self) throws(ClientError) -> R {
        let data: Data
        do { data = try JSONEncoder().encode(body) } catch { throw .protocolError("cannot encode the request: \(error)") }
        return try decode(try request("POST", path, body: data))
    }

    public func post<R: Decodable>(_ path: String, as: R.Type = R.self) throws(ClientError) -> R {
        try decode(try request("POST", path, body: Data()))
    }

    /// Submits, safe to repeat: the request gets an idempotency key (a fresh one unless it has
    /// one), and when the daemon cannot be reached or closes without answering (a restart), the
    /// same request is sent again for up to `patience` seconds. The daemon records a key with its
    /// jobs, so a submit it committed before the reply was lost is answered, not repeated.
    public func submit(_ request: SubmitRequest, patience: Double = 30) throws(ClientError) -> SubmitReply {
        var request = request
        if request.idempotencyKey == nil { request.idempotencyKey = "cli-" + UUID().uuidString }
        let deadline = Date().addingTimeInterval(patience)
        while true {
            do {
                return try post("/v1/jobs", request, as: SubmitReply.self)
            } catch {
                switch error {
                case .cannotConnect, .protocolError:
                    guard Date() < deadline else { throw error }
                    usleep(300_000)
                default:
                    throw error
                }
            }
        }
    }

    public func delete<R: Decodable>(_ path: String, as: R.Type = R.self) throws(ClientError) -> R {
        try decode(try request("DELETE", path, body: nil))
    }

    func decode<R: Decodable>(_ data: Data) throws(ClientError) -> R {
        do { return try JSONDecoder().decode(R.self, from: data) } catch {
            throw .protocolError("unexpected reply from the daemon: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }

    /// Sends one request; returns the body of a 2xx reply or throws the daemon's error.
    public func request(_ method: String, _ path: String, body: Data?) throws(ClientError) -> Data {
        guard !servers.isEmpty else {
            let fd: Int32
            do { fd = try UnixSocket.connect(path: socketPath) } catch {
                if case .io(_, let code) = error as? ChannelError { throw .cannotConnect(socketPath, String(cString: strerror(code))) }
                throw .cannotConnect(socketPath, "\(error)")
            }
            defer { close(fd) }
            return try exchange(fd, method, path, body: body, authorization: nil)
        }
        // The first server that accepts the connection answers; a server that is down (or a
        // standby, which does not listen) is skipped.
        var failures: [String] = []
        for server in servers {
            let fd: Int32
            do { fd = try TCPConnection.connect(server) } catch {
                failures.append("\(server): \(error.message)")
                continue
            }
            defer { close(fd) }
            let credential: String
            do { credential = try MungeCredential.encode(method: method, target: path, body: body ?? Data(), socket: mungeSocket) } catch {
                throw .protocolError("cannot make a MUNGE credential (is munged running?): \(error.message)")
            }
            return try exchange(fd, method, path, body: body, authorization: MungeCredential.scheme + " " + credential)
        }
        throw .cannotConnect(servers.joined(separator: ", "), failures.joined(separator: "; "))
    }

    /// One request and its reply over a connected stream.
    func exchange(_ fd: Int32, _ method: String, _ path: String, body: Data?, authorization: String?) throws(ClientError) -> Data {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: wsbridge\r\nConnection: close\r\n"
        if let authorization { head += "Authorization: \(authorization)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var out = Data(head.utf8)
        if let body { out.append(body) }
        let sent = out.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        guard sent else { throw .protocolError("cannot send to the daemon: \(String(cString: strerror(errno)))") }

        var reply = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw .protocolError("cannot read the daemon's reply: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            reply.append(contentsOf: buffer[0..<n])
        }
        guard let split = reply.range(of: Data("\r\n\r\n".utf8)) else {
            throw .protocolError("the daemon closed the connection without a reply")
        }
        let header = String(decoding: reply[..<split.lowerBound], as: UTF8.self)
        let payload = reply[split.upperBound...]
        let statusLine = header.split(separator: "\r\n").first ?? ""
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        if (200..<300).contains(status) { return Data(payload) }
        if let err = try? JSONDecoder().decode(APIErrorBody.self, from: payload) { throw .daemon(status, err) }
        throw .protocolError("HTTP \(status): \(String(decoding: payload.prefix(200), as: UTF8.self))")
    }
}

public enum ClientError: Error, Sendable, CustomStringConvertible {
    case cannotConnect(String, String)
    case daemon(Int, APIErrorBody)
    case protocolError(String)

    public var description: String {
        switch self {
        case .cannotConnect(let place, let why) where place.hasPrefix("/"):
            "cannot reach the wsbridge daemon at \(place): \(why) (is `wsbridge serve` running with this --state-dir?)"
        case .cannotConnect(let place, let why):
            "cannot reach a wsbridge daemon at \(place): \(why) (is one active with `[api] listen`?)"
        case .daemon(_, let body): body.error
        case .protocolError(let why): why
        }
    }

    /// The daemon's error code, if the daemon answered.
    public var code: String? {
        if case .daemon(_, let body) = self { return body.code }
        return nil
    }
}
