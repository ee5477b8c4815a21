import AgentProtocol
import Foundation
import Testing
import WorkspaceBridge

/// The messages written without `JSONEncoder` read back as the same messages, as those it writes.
@Suite struct DirectJSONTests {
    static let key = RunKey(job: 1_234_567_890_123, attempt: 3)

    static let agentMessages: [AgentMessage] = [
        .started(key, pid: 4_194_304, at: 1_765_012_345.123456),
        .started(key, pid: 1, at: 0),
        .exited(key, .exited(0), at: 1_765_012_345.5, reason: nil),
        .exited(key, .exited(-1), at: 1e-7, reason: "killed by the memory limit of 512 MB"),
        .exited(key, .signaled(9), at: 12, reason: "a \"quoted\" \\ back\\slash, a\nnewline, a\ttab, \u{1} and é 😀"),
    ]

    @Test(arguments: agentMessages)
    func agentMessagesReadBackTheSame(message: AgentMessage) throws {
        let direct = try #require(message.directJSON)
        #expect(try JSONDecoder().decode(AgentMessage.self, from: Data(direct)) == message)
        // And the same object as the encoder's, field for field.
        let viaEncoder = try JSONSerialization.jsonObject(with: JSONEncoder().encode(message)) as? NSDictionary
        let viaDirect = try JSONSerialization.jsonObject(with: Data(direct)) as? NSDictionary
        #expect(viaEncoder == viaDirect)
    }

    @Test func anAckReadsBackTheSame() throws {
        let direct = try #require(DaemonMessage.ack(Self.key).directJSON)
        #expect(try JSONDecoder().decode(DaemonMessage.self, from: Data(direct)) == .ack(Self.key))
    }

    @Test func otherMessagesAndOddValuesGoThroughTheEncoder() {
        #expect(AgentMessage.started(Self.key, pid: 1, at: .infinity).directJSON == nil)
        #expect(AgentMessage.error("x").directJSON == nil)
        #expect(DaemonMessage.hello.directJSON == nil)
    }
}
