import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
import WorkspaceProviders

/// The operator's TCP listener (`[metrics] listen`): `GET /metrics` in the Prometheus text format
/// and `GET /` the status page. Read-only and bounded: GET only, no request body, one request
/// per connection, a silent connection closed after a few seconds, at most `maxConnections`.
///
/// Nobody is authenticated here: TCP carries no peer credentials. So nothing served here holds
/// a job's arguments or environment; those stay on the API's Unix socket, where the kernel tells
/// the daemon who asks (`wsbridge status JOB`, owners and admins only).
struct MetricsService: Service {
    let host: String
    let port: Int
    let scheduler: Scheduler
    let metrics: DaemonMetrics
    let providers: [any WorkspaceProvider]
    let logger: Logger

    func run() async throws {
        let pages = OperatorPages(scheduler: scheduler, metrics: metrics, providers: providers)
        let open = ManagedCounter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(IdleStateHandler(allTimeout: .seconds(10)))
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try sync.addHandler(OperatorHandler(pages: pages, open: open))
                }
            }
            .bind(host: host, port: port).get()
        logger.info("metrics and status page listening", metadata: ["address": "\(host):\(port)"])
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// Open connections of the operator's listener, all together.
final class ManagedCounter: Sendable {
    private let value = Mutex(0)
    static let maxConnections = 64

    /// Counts a new connection in, unless `maxConnections` are open.
    func enter() -> Bool {
        value.withLock { n in
            guard n < Self.maxConnections else { return false }
            n += 1
            return true
        }
    }

    func leave() { value.withLock { $0 -= 1 } }
}

/// What the listener serves, rendered off the event loop.
struct OperatorPages: Sendable {
    let scheduler: Scheduler
    let metrics: DaemonMetrics
    let providers: [any WorkspaceProvider]

    func answer(path: String) async -> (status: HTTPResponseStatus, type: String, body: [UInt8]) {
        switch path {
        case "/metrics":
            let snapshot = await scheduler.metricsSnapshot()
            var hosts: [String: Bool] = [:]
            for p in providers {
                // A host with several hypervisors is up when all of them answered.
                for (h, up) in await p.hostReachability() {
                    let name = h ?? Scheduler.hostName
                    hosts[name] = (hosts[name] ?? true) && up
                }
            }
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition(snapshot, hosts: hosts))
        case "/":
            var page = await scheduler.statusSnapshot()
            page.names = UserNames.names(of: Set(page.queues.map(\.owner) + page.running.map(\.owner)
                                                 + page.waiting.map(\.owner) + page.failures.map(\.owner)))
            return (.ok, "text/html; charset=utf-8", Array(StatusPage.render(page).utf8))
        default:
            return (.notFound, "text/plain; charset=utf-8", Array("not found: /metrics and / are served here\n".utf8))
        }
    }
}

final class OperatorHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let pages: OperatorPages
    let open: ManagedCounter
    var admitted = false
    var head: HTTPRequestHead?
    var answered = false

    init(pages: OperatorPages, open: ManagedCounter) {
        self.pages = pages
        self.open = open
    }

    func channelActive(context: ChannelHandlerContext) {
        admitted = open.enter()
        guard admitted else { return context.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if admitted { open.leave() }
        admitted = false
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { return context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body:
            // Nothing here takes a body; a large one is dropped as it comes.
            break
        case .end:
            guard let head else { return }
            answered = true
            guard head.method == .GET || head.method == .HEAD else {
                return Self.respond(context, .methodNotAllowed, "text/plain", Array("GET only\n".utf8), head: false)
            }
            let path = String(head.uri.prefix { $0 != "?" })
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let pages = self.pages
            let headOnly = head.method == .HEAD
            context.eventLoop.makeFutureWithTask { await pages.answer(path: path) }.whenComplete { result in
                switch result {
                case .success(let r): Self.respond(bound.value, r.status, r.type, r.body, head: headOnly)
                case .failure: Self.respond(bound.value, .internalServerError, "text/plain", Array("internal error\n".utf8), head: false)
                }
            }
        }
    }

    static func respond(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ type: String, _ body: [UInt8], head headOnly: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        // The page runs no script and loads nothing from elsewhere.
        headers.add(name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        headers.add(name: "Connection", value: "close")
        context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !headOnly { context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil) }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
