import Foundation
import Testing
import WorkspaceBridge
@testable import AgentProtocol

/// Fields added to the protocol are optional: messages of an older daemon or agent still read.
@Suite struct CompatibilityTests {
    let key = RunKey(job: 7, attempt: 2)

    @Test func runLimitsWithoutAProcessLimitStillDecode() throws {
        let old = #"{"memoryMB":64,"wallTimeSeconds":30}"#
        let limits = try JSONDecoder().decode(RunLimits.self, from: Data(old.utf8))
        #expect(limits == RunLimits(memoryMB: 64, wallTimeSeconds: 30))
        #expect(limits.maxProcesses == nil)
        let new = RunLimits(memoryMB: 64, maxProcesses: 20)
        #expect(try JSONDecoder().decode(RunLimits.self, from: JSONEncoder().encode(new)) == new)
    }

    @Test func aRejectionIsTransientOnlyWhenItSaysSo() throws {
        let old = #"{"type":"rejected","key":{"job":7,"attempt":2},"reason":"cannot execute /x"}"#
        #expect(try JSONDecoder().decode(AgentMessage.self, from: Data(old.utf8)) == .rejected(key, reason: "cannot execute /x"))
        let transient = AgentMessage.rejected(key, reason: "fork: Resource temporarily unavailable", transient: true)
        let wire = try JSONEncoder().encode(transient)
        #expect(String(decoding: wire, as: UTF8.self).contains(#""transient":true"#))
        #expect(try JSONDecoder().decode(AgentMessage.self, from: wire) == transient)
        // A plain rejection reads exactly as before the field existed.
        let plain = try JSONEncoder().encode(AgentMessage.rejected(key, reason: "x"))
        #expect(!String(decoding: plain, as: UTF8.self).contains("transient"))
        var record = AgentRunRecord(key: key, phase: .rejected, reason: "fork: Resource temporarily unavailable")
        record.transient = true
        #expect(try JSONDecoder().decode(AgentRunRecord.self, from: JSONEncoder().encode(record)).transient == true)
    }

    /// An older agent's `exited` has no usage; an agent's figures that are not numbers, or out of
    /// range, are dropped, and the exit itself still reads.
    @Test func usageIsOptionalAndReadLeniently() throws {
        let old = #"{"type":"exited","key":{"job":7,"attempt":2},"exit":{"exitCode":0},"at":5}"#
        #expect(try JSONDecoder().decode(AgentMessage.self, from: Data(old.utf8)) == .exited(key, .exited(0), at: 5, reason: nil))
        let odd = [#""usage":{"cpuSeconds":-1,"peakMemoryBytes":1e300,"source":"cgroup-v1"}"#,
                   #""usage":{"cpuSeconds":"two","peakMemoryBytes":[1]}"#, #""usage":42"#, #""usage":{"cpuSeconds":1e400}"#]
        for usage in odd {
            let text = #"{"type":"exited","key":{"job":7,"attempt":2},"exit":{"exitCode":0},"at":5,"# + usage + "}"
            guard case .exited(let k, let exit, _, _, let u)? = try? JSONDecoder().decode(AgentMessage.self, from: Data(text.utf8)) else {
                Issue.record("not read: \(text)")
                continue
            }
            #expect(k == key && exit == .exited(0))
            #expect(u?.cpuSeconds == nil && u?.peakMemoryBytes == nil, "\(text)")
        }
        let fine = #"{"type":"exited","key":{"job":7,"attempt":2},"exit":{"exitCode":0},"at":5,"usage":{"cpuSeconds":2.5,"peakMemoryBytes":1048576.0}}"#
        #expect(try JSONDecoder().decode(AgentMessage.self, from: Data(fine.utf8))
                == .exited(key, .exited(0), at: 5, reason: nil, usage: RunUsage(cpuSeconds: 2.5, peakMemoryBytes: 1 << 20)))
        var record = AgentRunRecord(key: key, phase: .exited)
        record.usage = RunUsage(cpuSeconds: 1, peakMemoryBytes: 2, source: "rusage")
        #expect(try JSONDecoder().decode(AgentRunRecord.self, from: JSONEncoder().encode(record)) == record)
    }

    @Test func writableTreesAreOutermostFirstAndNeverTheRoot() {
        var r = RunRequest(key: key, executable: "/bin/true", arguments: [], environment: ["HOME": "/home/alice"],
                           directory: "/home/alice/job/", stdin: nil, stdout: nil, stderr: nil, uid: 1000, gid: 1000,
                           groups: [], limits: RunLimits())
        #expect(r.writableTrees == ["/home/alice"], "an older daemon's request: the directory and HOME; nested ones go")
        r.writablePaths = ["/data/./scratch", "/", "relative", "/a/../etc", "/home/alice/job", "/data", "/home/alice", "//tmp//x/"]
        #expect(r.writableTrees == ["/data", "/tmp/x", "/home/alice"])
        r.writablePaths = []
        #expect(r.writableTrees.isEmpty)
    }
}
