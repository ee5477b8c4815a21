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
