import Testing
import WorkspaceBridge
@testable import GRAMFrontend

private func job(_ id: JobID, _ state: JobState, exit: WorkspaceBridge.ExitStatus? = nil) -> Job {
    Job(id: id, spec: JobSpec(executable: "/bin/true"), owner: 1000, state: state, className: "default",
        submittedAt: 0, exit: exit)
}

/// Lines from GCT `scheduler_event_generator/source/test/seg_api_test_data.txt`.
@Test("lines are byte-identical to the SEG test data")
func upstreamLines() throws {
    #expect(try SEGFormatter.line(SEGEvent(timestamp: 1076962310, jobID: "117.test.globus.org", state: .pending))
            == "001;1076962310;117.test.globus.org;1;0\n")
    #expect(try SEGFormatter.line(SEGEvent(timestamp: 1076962311, jobID: "117.test.globus.org", state: .done))
            == "001;1076962311;117.test.globus.org;8;0\n")
    #expect(try SEGFormatter.line(SEGEvent(timestamp: 5, jobID: "12", state: .failed, code: 17)) == "001;5;12;4;17\n")
}

@Test("day files are named by UTC date", arguments: [
    (Int64(0), "19700101"), (1076962310, "20040216"), (1706745599, "20240131"), (1706745600, "20240201"),
    (951782400, "20000229"), (4102444800, "21000101"), (-1, "19691231"),
])
func dayFiles(timestamp: Int64, name: String) {
    #expect(SEGFormatter.dayFileName(timestamp: timestamp) == name)
}

@Test("job ids and states the reader cannot take are refused")
func invalidEvents() {
    #expect(throws: SEGError.self) { try SEGFormatter.line(SEGEvent(timestamp: 1, jobID: "a;b", state: .done)) }
    #expect(throws: SEGError.self) { try SEGFormatter.line(SEGEvent(timestamp: 1, jobID: "", state: .done)) }
    #expect(throws: SEGError.self) {
        try SEGFormatter.line(SEGEvent(timestamp: 1, jobID: String(repeating: "9", count: 129), state: .done))
    }
    #expect(throws: SEGError.self) { try SEGFormatter.line(SEGEvent(timestamp: 1, jobID: "1", state: .suspended)) }
    #expect((try? SEGFormatter.line(SEGEvent(timestamp: 1, jobID: String(repeating: "9", count: 128), state: .active))) != nil)
}

@Test("events for our jobs: exit codes ride on DONE")
func jobEvents() {
    #expect(SEGFormatter.event(for: job(7, .queued), at: 10, store: nil) == SEGEvent(timestamp: 10, jobID: "7", state: .pending))
    #expect(SEGFormatter.event(for: job(7, .running), at: 11, store: nil)?.state == .active)
    #expect(SEGFormatter.event(for: job(7, .held), at: 12, store: nil) == nil)
    #expect(SEGFormatter.event(for: job(7, .suspended), at: 12, store: nil) == nil)
    #expect(SEGFormatter.event(for: job(7, .done, exit: .exited(0)), at: 13, store: nil) == SEGEvent(timestamp: 13, jobID: "7", state: .done))
    #expect(SEGFormatter.event(for: job(7, .failed, exit: .exited(3)), at: 14, store: nil) == SEGEvent(timestamp: 14, jobID: "7", state: .done, code: 3))
    #expect(SEGFormatter.event(for: job(7, .failed, exit: .signaled(9)), at: 15, store: nil)?.code == 137)
    #expect(SEGFormatter.event(for: job(7, .failed), at: 16, store: nil) == SEGEvent(timestamp: 16, jobID: "7", state: .failed, code: 17))
    #expect(SEGFormatter.event(for: job(7, .cancelled), at: 17, store: nil) == SEGEvent(timestamp: 17, jobID: "7", state: .failed, code: 9))
    #expect(SEGFormatter.directory() == "/var/lib/globus/globus-seg-workspace")
}
