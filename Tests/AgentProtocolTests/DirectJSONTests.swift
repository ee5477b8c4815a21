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
        .exited(key, .exited(0), at: 1_765_012_345.5, reason: nil,
                usage: RunUsage(cpuSeconds: 2.002879806, peakMemoryBytes: 213_368_832, source: "cgroup-v1")),
        .exited(key, .exited(137), at: 3, reason: "killed by the memory limit of 64 MB",
                usage: RunUsage(cpuSeconds: 0, peakMemoryBytes: nil, source: "cgroup-v2+rusage")),
        .exited(key, .exited(1), at: 3, reason: nil, usage: RunUsage(cpuSeconds: nil, peakMemoryBytes: 1 << 54, source: nil)),
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

    static var runs: [RunRequest] {
        var plain = RunRequest(key: key, executable: "/bin/true", arguments: [], environment: [:], directory: "/tmp",
                               stdin: nil, stdout: nil, stderr: nil, uid: 1000, gid: 1000, groups: [], limits: RunLimits())
        var full = RunRequest(key: key, executable: "/usr/bin/env", arguments: ["a b", "\"q\"", "é\n"],
                              environment: ["HOME": "/home/u", "X": "1=2;\t3", "WSBRIDGE_JOB_ID": "42"], directory: "/home/u/w d",
                              stdin: "/dev/null", stdout: "/home/u/o", stderr: "/home/u/e", uid: 4_294_967_294, gid: 7,
                              groups: [7, 8, 4_294_967_294], limits: RunLimits(memoryMB: 512, cpuTimeSeconds: 60, wallTimeSeconds: 3600, maxProcesses: 32))
        full.appendOutput = true
        full.writablePaths = ["/home/u/w d", "/home/u"]
        plain.limits.memoryMB = 1
        return [plain, full]
    }

    @Test(arguments: runs)
    func aRunOnTheHostsFilesReadsBackTheSame(run: RunRequest) throws {
        let message = DaemonMessage.run(run)
        let direct = try #require(message.directJSON)
        #expect(try JSONDecoder().decode(DaemonMessage.self, from: Data(direct)) == message)
        let viaEncoder = try JSONSerialization.jsonObject(with: JSONEncoder().encode(message)) as? NSDictionary
        let viaDirect = try JSONSerialization.jsonObject(with: Data(direct)) as? NSDictionary
        #expect(viaEncoder == viaDirect)
    }

    @Test func aStagedRunGoesThroughTheEncoder() {
        var run = Self.runs[0]
        run.staging = RunStaging(stdin: nil, captureStdout: true, captureStderr: false, joined: false)
        #expect(DaemonMessage.run(run).directJSON == nil)
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
