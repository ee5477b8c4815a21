import Foundation
import Testing
@testable import WorkspaceBridge

@Suite struct JobStateTests {
    @Test func terminalStatesAreFinal() {
        for from in JobState.allCases where from.isTerminal {
            for to in JobState.allCases { #expect(!from.canMove(to: to)) }
        }
    }

    @Test func illegalMoveIsRefused() throws {
        var j = Job(id: 7, spec: JobSpec(executable: "x"), owner: 0, state: .done, className: "d", submittedAt: 0)
        #expect(throws: IllegalTransition.self) { try j.move(to: .running) }
        j.state = .queued
        try j.move(to: .starting)
        #expect(j.state == .starting)
    }

    @Test func specDecodesFromShortJSON() throws {
        let spec = try JSONDecoder().decode(JobSpec.self, from: Data(#"{"executable":"/bin/echo","workspace":{"class":"big"},"origin":{"kind":"gram","gram":{"jobType":"multiple"}}}"#.utf8))
        #expect(spec.workspace == .named("big"))
        #expect(spec.origin == .gram(GRAMOrigin(jobType: "multiple")))
        let back = try JSONDecoder().decode(JobSpec.self, from: JSONEncoder().encode(spec))
        #expect(back == spec)
    }

    @Test func specValidation() {
        #expect(throws: JobSpecError.missingExecutable) { try JobSpec(executable: "").validate() }
        #expect(throws: JobSpecError.invalidCount(0)) { try JobSpec(executable: "x", count: 0).validate() }
    }
}

/// Every number of a spec has a range, and the error names the field and the range.
@Test func specNumbersAreBounded() {
    #expect(throws: JobSpecError.outOfRange(field: "priority", value: Int.min, range: SpecBounds.priority)) {
        try JobSpec(executable: "x", priority: Int.min).validate()
    }
    #expect(throws: JobSpecError.outOfRange(field: "count", value: 1_000_000_000, range: SpecBounds.count)) {
        try JobSpec(executable: "x", count: 1_000_000_000).validate()
    }
    #expect(throws: JobSpecError.outOfRange(field: "memoryMB", value: Int.max, range: SpecBounds.memoryMB)) {
        try JobSpec(executable: "x", resources: ResourceRequest(memoryMB: Int.max)).validate()
    }
    #expect(JobSpecError.outOfRange(field: "count", value: 0, range: 1...5).description == "count must be between 1 and 5, not 0")
    #expect(throws: Never.self) { try JobSpec(executable: "x", count: 100_000, priority: -1_000_000).validate() }
}
