import AgentProtocol
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The daemon's connection to one workspace's agent, on NIO's event loop: no thread per link.
/// Messages arrive in order: `arrivals` rings when there are some, `takeArrived` takes all that
/// came (what arrived while the scheduler was busy is handled together); the stream ends when the
/// connection does (the agent died, or its workspace did). `send` never blocks the caller: messages queue for the writer,
/// which waits for the socket (backpressure); an agent that stops reading while the queue fills
/// is cut off rather than allowed to grow the daemon's memory.
final class AgentLink: Sendable {
    let workspaceID: String
    let arrivals: AsyncStream<Void>
    private let arrived = MessageBox()
    /// Messages waiting for the writer, which takes them all at once: what a scheduling pass or
    /// a group commit sends to one agent goes out in one write.
    private let outgoing = OutgoingQueue()
    /// Rung when `outgoing` gets a message; rings while the writer is busy coalesce.
    private let doorbell: AsyncStream<Void>.Continuation
    private let pump: Task<Void, Never>

    final class MessageBox: Sendable {
        let messages = Mutex<[AgentMessage]>([])
    }

    final class OutgoingQueue: Sendable {
        struct State {
            var queue: [(message: DaemonMessage, written: (@Sendable () -> Void)?)] = []
            var closed = false
        }
        let state = Mutex(State())
    }

    /// Messages waiting for the writer; beyond this the link is closed.
    static let maxQueued = 10_000
    /// A frame longer than this from an agent is a protocol error (a guest is not trusted).
    static let maxFrame = 16 << 20

    /// Connects to the agent's socket.
    static func connect(workspaceID: String, endpoint: String) async throws -> AgentLink {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(unixDomainSocketPath: endpoint) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(BoundedLineDecoder(maxLength: maxFrame)))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return AgentLink(workspaceID: workspaceID, channel: channel)
    }

    private init(workspaceID: String, channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.workspaceID = workspaceID
        let (arrivals, arrivalBell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let (bell, doorbell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.arrivals = arrivals
        self.doorbell = doorbell
        let outgoing = self.outgoing, arrived = self.arrived
        @Sendable func incoming(_ m: AgentMessage) {
            arrived.messages.withLock { $0.append(m) }
            arrivalBell.yield()
        }
        pump = Task {
            try? await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let decoder = JSONDecoder()
                        for try await frame in inbound {
                            do {
                                let direct = frame.withUnsafeReadableBytes {
                                    AgentMessage.read(directJSON: $0.assumingMemoryBound(to: UInt8.self))
                                }
                                incoming(try direct ?? decoder.decode(AgentMessage.self, from: Data(frame.readableBytesView)))
                            } catch {
                                let text = String(decoding: frame.readableBytesView.prefix(200), as: UTF8.self)
                                incoming(.error("malformed message from agent: \(text): \(error)"))
                            }
                        }
                    }
                    group.addTask {
                        let encoder = JSONEncoder()
                        // A guest's channel outlives connections: a daemon killed mid-message left
                        // part of a line in it. An empty line ends that line (the agent drops it as
                        // malformed) before our first message, which then arrives whole.
                        try await outbound.write(ByteBuffer(bytes: [10]))
                        for await _ in bell {
                            let batch = outgoing.state.withLock { o in
                                defer { o.queue = [] }
                                return o.queue
                            }
                            guard !batch.isEmpty else { continue }
                            var buffer = ByteBuffer()
                            for (message, _) in batch {
                                if let direct = message.directJSON { buffer.writeBytes(direct) } else { buffer.writeBytes(try encoder.encode(message)) }
                                buffer.writeInteger(UInt8(10))
                            }
                            try await outbound.write(buffer)
                            for (_, written) in batch { written?() }
                        }
                    }
                    // Either side's end is the link's end.
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
            arrivalBell.finish()
        }
    }

    /// Every message that arrived and was not yet taken, in order.
    func takeArrived() -> [AgentMessage] {
        arrived.messages.withLock { m in
            defer { m = [] }
            return m
        }
    }

    /// Queues a message; a failure shows as the end of `arrivals`.
    func send(_ m: DaemonMessage) {
        _ = enqueue(m, written: nil)
    }

    /// Whether the message was queued; a link whose agent does not read is closed instead.
    private func enqueue(_ m: DaemonMessage, written: (@Sendable () -> Void)?) -> Bool {
        let queued = outgoing.state.withLock { o -> Bool in
            guard !o.closed, o.queue.count < Self.maxQueued else { return false }
            o.queue.append((m, written))
            return true
        }
        if queued { doorbell.yield() } else { close() }
        return queued
    }

    /// Sends and waits (blocking the calling thread, never the scheduler's) until the socket took
    /// the message, at most `timeout` seconds: bulk transfers go at the pace the agent reads.
    func sendWaiting(_ m: DaemonMessage, timeout: Double) -> Bool {
        let done = DispatchSemaphore(value: 0)
        guard enqueue(m, written: { done.signal() }) else { return false }
        return done.wait(timeout: .now() + timeout) == .success
    }

    func close() {
        outgoing.state.withLock { $0.closed = true }
        doorbell.finish()
        pump.cancel()
    }
}

/// Newline-delimited frames with a length bound (NIO's own line decoder has none).
struct BoundedLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maxLength: Int

    struct FrameTooLong: Error {}

    /// Readable bytes already known to hold no newline: a long frame is scanned once, not once
    /// per read that brings a piece of it.
    var scanned = 0

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view[(view.startIndex + min(scanned, view.count))...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if buffer.readableBytes > maxLength { throw FrameTooLong() }
            return .needMoreData
        }
        scanned = 0
        let length = newline - buffer.readerIndex
        let frame = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(NIOAny(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without its newline is an incomplete message: dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
