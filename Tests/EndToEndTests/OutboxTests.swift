import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// The front doors' side effects (SEG lines, user-log events) are stored with the change they
/// describe and delivered off the scheduler, at least once and without duplicates.
@Suite("Outbox: SEG lines and user logs", .serialized) struct OutboxTests {
    func gramJob(_ d: TestDaemon) throws -> JobID {
        let spec = #"{"specs":[{"executable":"/bin/true","directory":"\#(d.work)","origin":{"kind":"gram","gram":{}}}]}"#
        let reply = try JSONDecoder().decode(SubmitReply.self, from: try d.client.request("POST", "/v1/jobs", body: Data(spec.utf8)))
        return reply.jobs[0][0]
    }

    /// The DONE lines in the SEG directory (state 8 in `001;TIME;ID;STATE;CODE`).
    func doneLines(_ seg: SEGDirectory) -> [String] {
        ((try? seg.lines()) ?? []).filter { line in
            let fields = line.split(separator: ";", omittingEmptySubsequences: false)
            return fields.count > 3 && fields[3] == "8"
        }
    }

    /// kill -9 between the commit of a GRAM job's DONE and its SEG line, and again between the
    /// line's write and the outbox's bookkeeping: after a restart the line is there exactly once.
    @Test(arguments: ["outbox-kill-before-write", "outbox-kill-after-write"])
    func aCrashAroundTheSEGLineLosesAndDoublesNothing(_ fault: String) throws {
        let seg = try SEGDirectory()
        defer { seg.remove() }
        let d = try TestDaemon(config: config(extra: seg.config))
        defer { d.cleanUp() }
        d.environment = ["WSBRIDGE_FAULT": "\(fault):;8;"]
        try d.start()
        let id = try gramJob(d)
        d.process?.waitUntilExit()
        #expect(d.process?.terminationReason == .uncaughtSignal, "the fault point was not reached")
        d.process = nil
        #expect(doneLines(seg).count == (fault == "outbox-kill-before-write" ? 0 : 1))
        d.environment = [:]
        try d.start()
        #expect(try d.waitAll([id])[0].state == .done)
        try d.waitUntil("the DONE line") { doneLines(seg).count >= 1 }
        usleep(1_500_000)
        #expect(doneLines(seg).count == 1, "\(doneLines(seg))")
    }

    /// A user log on a FIFO that nobody reads (a stand-in for a hung NFS home): other users'
    /// submits and status calls stay fast while it waits, and the events arrive once a reader does.
    @Test func aUserLogThatBlocksHoldsOnlyItself() throws {
        let d = try TestDaemon(config: config(maxRunning: 20, slots: 4))
        defer { d.cleanUp() }
        try d.start()
        let fifo = d.work + "/user.log"
        #expect(mkfifo(fifo, 0o666) == 0)
        let spec = #"{"specs":[{"executable":"/bin/true","directory":"\#(d.work)","origin":{"kind":"condor","condor":{"cluster":7,"proc":0,"ad":{},"userLog":"\#(fifo)"}}}]}"#
        let stuck = try JSONDecoder().decode(SubmitReply.self, from: try d.client.request("POST", "/v1/jobs", body: Data(spec.utf8))).jobs[0][0]
        var latencies: [Double] = []
        var others: [JobID] = []
        let until = Date().addingTimeInterval(3)
        while Date() < until {
            var t = Date()
            others += try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
            latencies.append(Date().timeIntervalSince(t))
            t = Date()
            _ = try d.client.get("/v1/jobs?limit=20", as: [JobStatus].self)
            latencies.append(Date().timeIntervalSince(t))
        }
        latencies.sort()
        let p99 = latencies[Int(Double(latencies.count) * 0.99)]
        print("while a user log blocks: \(latencies.count) calls, p50 \(latencies[latencies.count / 2] * 1000) ms, p99 \(p99 * 1000) ms")
        // A figure to report, not a timing to assert (tests on a loaded machine vary): what must
        // hold is that no call waits on the blocked file (before the outbox, none answered in 10 s).
        #expect(latencies.last! < 2, "a call waited \(latencies.last!) s")
        #expect(try d.waitAll(others + [stuck]).allSatisfy { $0.state == .done })
        // A reader appears: the events that waited come, in order.
        let fd = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(fd >= 0)
        defer { close(fd) }
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !text.contains("005 (007.000.000)") && Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { text += String(decoding: buffer[0..<n], as: UTF8.self) } else { usleep(50_000) }
        }
        #expect(text.hasPrefix("000 (007.000.000)"), "\(text)")
        #expect(text.contains("001 (007.000.000)") && text.contains("005 (007.000.000)"), "\(text)")
    }
}
