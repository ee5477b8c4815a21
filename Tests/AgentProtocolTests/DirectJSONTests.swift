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

    // Reading.

    static var daemonMessages: [DaemonMessage] { runs.map { .run($0) } + [.ack(key), .hello, .shutdown] }

    @Test func messagesReadDirectlyAreThoseTheDecoderReads() throws {
        for message in Self.daemonMessages {
            for text in try [message.directJSON, Array(JSONEncoder().encode(message))].compactMap({ $0 }) {
                #expect(DaemonMessage.read(directJSON: text) == message, "\(String(decoding: text, as: UTF8.self))")
            }
        }
        for message in Self.agentMessages {
            for text in try [message.directJSON, Array(JSONEncoder().encode(message))].compactMap({ $0 }) {
                #expect(AgentMessage.read(directJSON: text) == message, "\(String(decoding: text, as: UTF8.self))")
            }
        }
    }

    @Test func plainJSONInAnyFormIsRead() throws {
        let text = #" { "at" : 1.5e3 , "type":"exited","key":{"attempt":0,"job":-7},"exit":{"exitCode":null,"signal":15},"#
            + #" "reason" : "\u00e9\ud83d\ude00 \/ \"\\\b\f\n\r\t" } "# + "\n"
        let expected = AgentMessage.exited(RunKey(job: -7, attempt: 0), .signaled(15), at: 1500, reason: "é😀 / \"\\\u{8}\u{c}\n\r\t")
        #expect(try JSONDecoder().decode(AgentMessage.self, from: Data(text.utf8)) == expected)
        #expect(AgentMessage.read(directJSON: Array(text.utf8)) == expected)
    }

    /// What the reader does not take is left to the decoder (nil), whether the decoder then
    /// accepts it or not.
    @Test(arguments: [
        #"{"type":"started","key":{"job":1,"attempt":2},"pid":3,"at":4,"extra":1}"#,  // a field it does not know
        #"{"type":"started","type":"started","key":{"job":1,"attempt":2},"pid":3,"at":4}"#,  // twice
        #"{"type":"started","key":{"job":1,"attempt":2},"pid":3.0,"at":4}"#,  // a fraction for an integer
        #"{"type":"started","key":{"job":1,"attempt":2},"pid":2147483648,"at":4}"#,  // out of range
        #"{"type":"started","key":{"job":1,"attempt":2},"pid":03,"at":4}"#,  // not JSON
        #"{"type":"started","key":{"job":1,"attempt":2},"pid":3,"at":1e999}"#,  // not finite
        #"{"type":"exited","key":{"job":1,"attempt":2},"exit":{"exitCode":0},"at":4,"reason":"\ud800"}"#,  // lone surrogate
        #"{"type":"exited","key":{"job":1,"attempt":2},"exit":{"exitCode":0},"at":4,"reason":"a\u0000 b\x"}"#,  // bad escape
        #"{"type":"started","key":{"job":1,"attempt":2},"pid":3,"at":4} x"#,  // more after it
        #"{"type":"started","key":{"job":1,"attempt":2},"pid":3}"#,  // a field missing
        #"{"type":"state","info":{},"runs":[]}"#,  // another message
    ])
    func whatTheReaderDoesNotTakeIsLeftToTheDecoder(text: String) {
        #expect(AgentMessage.read(directJSON: Array(text.utf8)) == nil)
    }

    @Test func bytesThatAreNotUTF8AreLeftToTheDecoder() {
        var text = Array(#"{"type":"exited","key":{"job":1,"attempt":2},"exit":{"exitCode":0},"at":4,"reason":"ab"}"#.utf8)
        text[text.count - 3] = 0xC3  // a lead byte without its continuation
        #expect(AgentMessage.read(directJSON: text) == nil)
    }

    /// Differential: texts made by changing one byte of real messages; whatever the reader
    /// takes, the decoder reads as the same message.
    @Test func whatTheReaderTakesTheDecoderReadsTheSame() throws {
        var rng = SplitMix64(seed: 13)
        let alphabet = Array(#"{}[],:"\ 0123456789.-+eEtrufalsn/ux"#.utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        let agentTexts = Self.agentMessages.compactMap(\.directJSON)
        let daemonTexts = Self.daemonMessages.compactMap(\.directJSON)
        var taken = 0
        for _ in 0..<4000 {
            let agentSide = rng.next() % 2 == 0
            var text = agentSide ? agentTexts[Int(rng.next() % UInt64(agentTexts.count))]
                                 : daemonTexts[Int(rng.next() % UInt64(daemonTexts.count))]
            let at = Int(rng.next() % UInt64(text.count))
            switch rng.next() % 3 {
            case 0: text[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            case 1: text.remove(at: at)
            default: text.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
            }
            if agentSide, let direct = AgentMessage.read(directJSON: text) {
                taken += 1
                #expect(try JSONDecoder().decode(AgentMessage.self, from: Data(text)) == direct, "\(String(decoding: text, as: UTF8.self))")
            } else if !agentSide, let direct = DaemonMessage.read(directJSON: text) {
                taken += 1
                #expect(try JSONDecoder().decode(DaemonMessage.self, from: Data(text)) == direct, "\(String(decoding: text, as: UTF8.self))")
            }
        }
        // Changes inside strings and numbers keep many texts valid: the comparison had work.
        #expect(taken > 400)
    }

    // The agent's journal.

    /// A record with every field set: a field added to the record and not to its direct
    /// writer fails here.
    static var fullRecord: AgentRunRecord {
        var r = AgentRunRecord(key: key, phase: .exited, pid: 77, startedAt: 1_765_012_345.25, endedAt: 1_765_012_346.5,
                               exit: .signaled(9), reason: "killed by the memory limit of 512 MB \"x\"", suspended: true,
                               scratch: "/var/lib/wsbridge-agent/runs/1")
        r.startTicks = 123_456_789_012
        r.lost = true
        r.transient = false
        r.cgroup = "slot-3"
        return r
    }

    @Test func aRunRecordIsWrittenAsItsEncoderWritesIt() throws {
        let record = Self.fullRecord
        for child in Mirror(reflecting: record).children where child.label != "staged" {
            let inner = Mirror(reflecting: child.value)
            if inner.displayStyle == .optional, inner.children.isEmpty { Issue.record("field \(child.label ?? "?") is nil") }
        }
        for r in [record, AgentRunRecord(key: Self.key, phase: .accepted)] {
            let direct = try #require(r.directJSON)
            #expect(try JSONDecoder().decode(AgentRunRecord.self, from: Data(direct)) == r)
            let viaEncoder = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? NSDictionary
            let viaDirect = try JSONSerialization.jsonObject(with: Data(direct)) as? NSDictionary
            #expect(viaEncoder == viaDirect)
        }
    }
}

/// A small seeded generator: the same texts on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
