import Foundation
import Testing
import WorkspaceBridge
@testable import AgentProtocol

@Suite struct FramingTests {
    @Test func framesSplitAcrossChunksAndJoinedInOne() throws {
        var f = LineFramer()
        #expect(try f.push(Array("{\"a\":".utf8)).isEmpty)
        let frames = try f.push(Array("1}\n{\"b\":2}\n{\"c\"".utf8))
        #expect(frames.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}"])
        #expect(f.pending == 4)
    }

    @Test func anOversizedFrameIsAnError() {
        var f = LineFramer(maxFrame: 8)
        #expect(throws: FrameTooLong.self) { _ = try f.push(Array("0123456789".utf8)) }
    }

    @Test func messagesRoundTrip() throws {
        let key = RunKey(job: 7, attempt: 2)
        let run = RunRequest(key: key, executable: "/bin/sh", arguments: ["-c", "echo \"x\ny\""], environment: ["A": "1"],
                             directory: "/tmp", stdin: nil, stdout: "/tmp/o", stderr: nil, uid: 1000, gid: 1000,
                             groups: [1000, 27], limits: RunLimits(memoryMB: 64, cpuTimeSeconds: 10, wallTimeSeconds: nil))
        let out: [DaemonMessage] = [.hello, .run(run), .signal(key, .suspend), .ack(key), .shutdown]
        for m in out {
            let data = try JSONEncoder().encode(m)
            #expect(!data.contains(10), "one message is one line")
            #expect(try JSONDecoder().decode(DaemonMessage.self, from: data) == m)
        }
        let back: [AgentMessage] = [
            .state(AgentInfo(hostname: "ws-1", kernel: "6.1", pid: 2, version: "1"),
                   [AgentRunRecord(key: key, phase: .exited, pid: 5, exit: .exited(3))]),
            .started(key, pid: 5, at: 1), .exited(key, .signaled(9), at: 2, reason: "killed by the memory limit"),
            .rejected(key, reason: "cannot execute /x: No such file or directory"), .suspended(key, true), .error("bad"),
        ]
        for m in back { #expect(try JSONDecoder().decode(AgentMessage.self, from: JSONEncoder().encode(m)) == m) }
    }

    @Test func unknownMessageTypesAreRefused() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DaemonMessage.self, from: Data(#"{"type":"reboot"}"#.utf8)) }
    }

    /// Messages over a real socket pair, in order, with the end of stream seen as nil.
    @Test func channelOverASocketPair() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let daemon = MessageChannel<AgentMessage, DaemonMessage>(fd: fds[0])
        let agent = MessageChannel<DaemonMessage, AgentMessage>(fd: fds[1])
        try daemon.send(.hello)
        try daemon.send(.ack(RunKey(job: 1, attempt: 1)))
        #expect(try agent.receive() == .hello)
        #expect(try agent.receive() == .ack(RunKey(job: 1, attempt: 1)))
        try agent.send(.error("x"))
        #expect(try daemon.receive() == .error("x"))
        agent.shutdown()
        #expect(try daemon.receive() == nil)
    }
}
