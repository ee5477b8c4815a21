import AgentProtocol
import Foundation

/// The daemon's connection to one workspace's agent. Messages arrive in order on `messages`;
/// the stream ends when the connection does (the agent died, or its workspace did).
final class AgentLink: Sendable {
    let workspaceID: String
    let channel: MessageChannel<AgentMessage, DaemonMessage>
    let messages: AsyncStream<AgentMessage>

    /// Connects; a reader thread starts at once.
    init(workspaceID: String, endpoint: String) throws {
        self.workspaceID = workspaceID
        let fd = try UnixSocket.connect(path: endpoint)
        let channel = MessageChannel<AgentMessage, DaemonMessage>(fd: fd)
        self.channel = channel
        let (stream, continuation) = AsyncStream.makeStream(of: AgentMessage.self)
        messages = stream
        Thread.detachNewThread {
            while true {
                do {
                    guard let m = try channel.receive() else { break }
                    continuation.yield(m)
                } catch ChannelError.malformed(let frame, let why) {
                    continuation.yield(.error("malformed message from agent: \(frame): \(why)"))
                } catch {
                    break
                }
            }
            continuation.finish()
        }
    }

    /// Sends; a failure means the agent is gone, which the end of `messages` will also say.
    func send(_ m: DaemonMessage) {
        do { try channel.send(m) } catch { channel.shutdown() }
    }

    func close() { channel.shutdown() }
}
