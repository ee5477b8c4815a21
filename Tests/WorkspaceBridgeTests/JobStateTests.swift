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
