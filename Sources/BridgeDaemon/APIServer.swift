import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP/JSON API on a Unix socket. The caller's uid comes from the socket's peer credentials
/// (SO_PEERCRED), never from anything the client says.
final class APIServer: Sendable {
    let channel: any Channel

    static let maxBody = 16 << 20

    init(path: String, router: APIRouter, group: MultiThreadedEventLoopGroup) async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(APIHandler(router: router))
                }
            }
        channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        // Everyone may connect; what they may do is decided by their uid.
        chmod(path, 0o666)
    }

    func close() async { try? await channel.close() }
}

final class APIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: APIRouter
    var head: HTTPRequestHead?
    var body = ByteBuffer()
    var tooLarge = false

    init(router: APIRouter) { self.router = router }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.clear()
            tooLarge = false
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes > APIServer.maxBody { tooLarge = true } else { body.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            let request = APIRequest(method: head.method.rawValue, uri: head.uri, body: Data(body.readableBytesView))
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let respond = NIOLoopBound(Self.respond, eventLoop: context.eventLoop)
            let router = self.router
            let loop = context.eventLoop
            if tooLarge {
                Self.respond(context, APIResponse(status: 413, body: Data(#"{"code":"bad-request","error":"request body over 16 MiB"}"#.utf8)))
                return
            }
            guard let provider = context.channel as? SocketOptionProvider else {
                Self.respond(context, APIResponse(status: 500, body: Data(#"{"code":"internal","error":"no peer credentials"}"#.utf8)))
                return
            }
            let creds: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            creds.flatMap { cred in
                loop.makeFutureWithTask { await router.handle(request, uid: cred.uid) }
            }.whenComplete { result in
                let response = (try? result.get())
                    ?? APIResponse(status: 500, body: Data(#"{"code":"internal","error":"cannot read peer credentials"}"#.utf8))
                respond.value(bound.value, response)
            }
        }
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
