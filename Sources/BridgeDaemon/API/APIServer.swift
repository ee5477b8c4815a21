import BridgeAPI
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import WorkspaceBridge

/// The HTTP/JSON API on a Unix socket. The caller's uid comes from the socket's peer credentials
/// (SO_PEERCRED), never from anything the client says. Every connection is bounded: how many one
/// uid may hold, how long it may stay silent, how large a request may be, how fast a uid may ask.
final class APIServer: Sendable {
    let channel: any Channel
    let gate: APIConnectionGate

    init(path: String, router: APIRouter, limits: APILimits, group: MultiThreadedEventLoopGroup) async throws {
        let gate = APIConnectionGate(limits: limits, descriptorLimit: DescriptorLimit.raise())
        self.gate = gate
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
                    try sync.addHandler(APIHandler(router: router, gate: gate, maxRequestBytes: limits.maxRequestBytes))
                }
            }
        channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        // Everyone may connect; what they may do is decided by their uid.
        chmod(path, 0o666)
    }

    func close() async { try? await channel.close() }
}

/// One API connection: admitted by the gate when it opens, then one request and its answer.
final class APIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: APIRouter
    let gate: APIConnectionGate
    let maxRequestBytes: Int
    var uid: UInt32?
    var head: HTTPRequestHead?
    var body = ByteBuffer()
    var answered = false

    init(router: APIRouter, gate: APIConnectionGate, maxRequestBytes: Int) {
        self.router = router
        self.gate = gate
        self.maxRequestBytes = maxRequestBytes
    }

    func channelActive(context: ChannelHandlerContext) {
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
        uid = nil
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
        guard let uid, !answered else { return }
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
            guard gate.allowRequest(uid: uid, now: Date().timeIntervalSince1970) else {
                answer(context, 429, "uid \(uid) sends more than \(gate.limits.requestsPerSecondPerUser) requests per second "
                       + "(api.requests_per_second_per_user)", "over-limit")
                return
            }
            answered = true
            let request = APIRequest(method: head.method.rawValue, uri: head.uri, body: Data(body.readableBytesView))
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let router = self.router
            context.eventLoop.makeFutureWithTask { await router.handle(request, uid: uid) }.whenComplete { result in
                let response = (try? result.get()) ?? APIResponse(status: 500, body: Data(#"{"code":"internal","error":"no answer"}"#.utf8))
                Self.respond(bound.value, response)
            }
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
