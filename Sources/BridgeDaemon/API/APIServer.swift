import BridgeAPI
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import WorkspaceBridge

/// How a listener learns who its caller is.
enum APIAuthentication: Sendable {
    /// The Unix socket's peer credentials (SO_PEERCRED): the kernel names the caller.
    case peerCredentials
    /// A MUNGE credential made for each request (`Authorization: MUNGE ...`), checked through
    /// munged at `socket` (nil: munged's default): the network API.
    case munge(socket: String?)
}

/// The HTTP/JSON API, on a Unix socket and, when `[api] listen` is set, on TCP. The caller's uid
/// comes from the socket's peer credentials (SO_PEERCRED) or from a MUNGE credential, never from
/// anything else the client says. Every connection is bounded: how many one uid may hold, how
/// long it may stay silent, how large a request may be, how fast a uid may ask.
final class APIServer: Sendable {
    let channel: any Channel
    let gate: APIConnectionGate

    /// The Unix socket at `path`, open to every local user.
    convenience init(path: String, router: APIRouter, gate: APIConnectionGate, group: MultiThreadedEventLoopGroup) async throws {
        try await self.init(router: router, gate: gate, authentication: .peerCredentials, group: group) {
            try await $0.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        }
        // Everyone may connect; what they may do is decided by their uid.
        chmod(path, 0o666)
    }

    /// The network API on `host:port`: every request proves its caller with MUNGE.
    convenience init(host: String, port: Int, mungeSocket: String?, router: APIRouter, gate: APIConnectionGate,
                     group: MultiThreadedEventLoopGroup) async throws {
        try await self.init(router: router, gate: gate, authentication: .munge(socket: mungeSocket), group: group) {
            try await $0.serverChannelOption(.socketOption(.so_reuseaddr), value: 1).bind(host: host, port: port).get()
        }
    }

    private init(router: APIRouter, gate: APIConnectionGate, authentication: APIAuthentication, group: MultiThreadedEventLoopGroup,
                 bind: (ServerBootstrap) async throws -> any Channel) async throws {
        self.gate = gate
        let limits = gate.limits
        let idle = TimeAmount.milliseconds(Int64(limits.idleTimeoutSeconds * 1000))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            // Accepting fails when descriptors run out: back off instead of spinning or dying.
            .serverChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(allTimeout: idle))
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
                    try sync.addHandler(APIHandler(router: router, gate: gate, authentication: authentication,
                                                   maxRequestBytes: limits.maxRequestBytes))
                }
            }
        channel = try await bind(bootstrap)
    }

    func close() async { try? await channel.close() }
}

/// One API connection: admitted by the gate when it opens, then one request and its answer.
final class APIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: APIRouter
    let gate: APIConnectionGate
    let authentication: APIAuthentication
    let maxRequestBytes: Int
    /// The caller named by the kernel (Unix socket), known from the start.
    var uid: UInt32?
    /// A network connection holds a slot of the total until it closes.
    var admittedAnonymously = false
    var head: HTTPRequestHead?
    var body = ByteBuffer()
    var answered = false

    init(router: APIRouter, gate: APIConnectionGate, authentication: APIAuthentication, maxRequestBytes: Int) {
        self.router = router
        self.gate = gate
        self.authentication = authentication
        self.maxRequestBytes = maxRequestBytes
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .munge = authentication {
            // Who calls is known only from the request's credential: until then the connection
            // counts against the total only.
            if let refusal = gate.admitAnonymously() {
                answer(context, 503, refusal, "too-many-connections")
                return
            }
            admittedAnonymously = true
            context.fireChannelActive()
            return
        }
        guard let provider = context.channel as? SocketOptionProvider else {
            context.close(promise: nil)
            return
        }
        // On the channel's own loop the option is read at once and the callback runs inline.
        let creds: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        creds.whenComplete { result in
            let (handler, context) = bound.value
            guard case .success(let cred) = result else {
                context.close(promise: nil)
                return
            }
            if let refusal = handler.gate.admit(uid: cred.uid) {
                handler.answer(context, 503, refusal, "too-many-connections")
                return
            }
            handler.uid = cred.uid
            context.fireChannelActive()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let uid { gate.release(uid: uid) }
        if admittedAnonymously { gate.releaseAnonymously() }
        uid = nil
        admittedAnonymously = false
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            answer(context, 408, "no complete request within api.idle_timeout_seconds", "timeout")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError {
            answer(context, 400, "not a valid HTTP request: \(error)", "bad-request")
        } else {
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard uid != nil || admittedAnonymously, !answered else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.clear()
            if let length = h.headers.first(name: "Content-Length").flatMap(Int.init), length > maxRequestBytes {
                answer(context, 413, "request body over \(maxRequestBytes) bytes (api.max_request_bytes)", "bad-request")
            }
        case .body(var chunk):
            guard body.readableBytes + chunk.readableBytes <= maxRequestBytes else {
                answer(context, 413, "request body over \(maxRequestBytes) bytes (api.max_request_bytes)", "bad-request")
                return
            }
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let request = APIRequest(method: head.method.rawValue, uri: head.uri, body: Data(body.readableBytesView))
            if let uid {
                serve(context, request, uid: uid)
                return
            }
            guard case .munge(let socket) = authentication else { return }
            let authorization = head.headers.first(name: "Authorization") ?? ""
            let prefix = MungeCredential.scheme + " "
            guard authorization.hasPrefix(prefix) else {
                answer(context, 401, "this listener needs a MUNGE credential made for the request (Authorization: MUNGE ...)",
                       "unauthenticated")
                return
            }
            // munged answers over its socket: not on the event loop.
            let credential = String(authorization.dropFirst(prefix.count))
            let method = head.method.rawValue, target = head.uri, body = request.body
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask {
                try MungeCredential.decode(credential, method: method, target: target, body: body,
                                           decoderUID: getuid(), decoderGID: getgid(), socket: socket)
            }.whenComplete { result in
                let (handler, context) = bound.value
                switch result {
                case .success(let caller): handler.serve(context, request, uid: caller.uid)
                case .failure(let error): handler.answer(context, 401, "refused: \(error)", "unauthenticated")
                }
            }
        }
    }

    /// Routes one request of a known caller, within the caller's request rate.
    func serve(_ context: ChannelHandlerContext, _ request: APIRequest, uid: UInt32) {
        guard gate.allowRequest(uid: uid, now: Date().timeIntervalSince1970) else {
            answer(context, 429, "uid \(uid) sends more than \(gate.limits.requestsPerSecondPerUser) requests per second "
                   + "(api.requests_per_second_per_user)", "over-limit")
            return
        }
        answered = true
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let router = self.router
        context.eventLoop.makeFutureWithTask { await router.handle(request, uid: uid) }.whenComplete { result in
            let response = (try? result.get()) ?? APIResponse(status: 500, body: Data(#"{"code":"internal","error":"no answer"}"#.utf8))
            Self.respond(bound.value, response)
        }
    }

    /// Answers with a JSON error and closes: after a protocol error, nothing more is read.
    func answer(_ context: ChannelHandlerContext, _ status: Int, _ message: String, _ code: String) {
        guard !answered else { return }
        answered = true
        let body = (try? JSONEncoder().encode(APIErrorBody(error: message, code: code))) ?? Data()
        Self.respond(context, APIResponse(status: status, body: body))
    }

    static func respond(_ context: ChannelHandlerContext, _ r: APIResponse) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(r.body.count))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: r.status), headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: r.body)))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}

/// The layout of Linux's `struct ucred`, which the C headers only declare under _GNU_SOURCE.
struct PeerCredentials: Sendable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32
}

/// The process's descriptor limit.
enum DescriptorLimit {
    /// Raises the soft limit to the hard one (systemd and shells often leave 1024) and returns it.
    static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(RLIMIT_NOFILE_VALUE, &raised) == 0 { limit = raised }
        }
        return Int(min(limit.rlim_cur, 1 << 30))
    }

    #if canImport(Glibc)
    static let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    static let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
    #endif
}
