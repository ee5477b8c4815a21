import Testing
@testable import WorkspaceBridge

/// The workspace state machine as a table: every pair of states, allowed or not, with no I/O.
struct WorkspaceStateTests {
    /// The allowed moves, and only these.
    static let allowed: Set<String> = [
        "creating→booting",
        "booting→ready", "booting→busy", "booting→draining",
        "ready→busy", "ready→parking", "ready→draining", "ready→booting",
        "busy→ready", "busy→draining", "busy→booting",
        "parking→paused", "parking→saved", "parking→ready", "parking→booting",
        "paused→restoring", "saved→restoring",
        "restoring→booting",
        "draining→booting",
        "lost→destroyed", "destroying→destroyed",
    ]

    @Test func theTransitionTable() {
        var expected = Self.allowed
        // Whatever exists can die or be destroyed.
        for s in WorkspaceState.allCases where s != .lost && s != .destroyed {
            expected.insert("\(s.rawValue)→lost")
            if s != .destroying { expected.insert("\(s.rawValue)→destroying") }
        }
        for from in WorkspaceState.allCases {
            for to in WorkspaceState.allCases {
                let key = "\(from.rawValue)→\(to.rawValue)"
                #expect(from.canMove(to: to) == expected.contains(key), "\(key)")
            }
        }
    }

    @Test func movesAreCheckedAndNamed() throws {
        var w = Workspace(id: "ws-1", className: "c", provider: "local", state: .creating, pid: nil, endpoint: "", handle: "",
                          createdAt: 0, leaseExpiresAt: 0, lastUsedAt: 0)
        try w.move(to: .booting)
        try w.move(to: .busy)
        #expect(throws: IllegalWorkspaceTransition.self) { try w.move(to: .parking) }
        #expect(w.state == .busy, "a refused move changes nothing")
        try w.move(to: .destroying)
        #expect(throws: IllegalWorkspaceTransition.self) { try w.move(to: .ready) }
        try w.move(to: .destroyed)
        #expect(WorkspaceState.allCases.allSatisfy { !WorkspaceState.destroyed.canMove(to: $0) })
    }

    @Test func whatEachStateMeansForJobs() {
        #expect(WorkspaceState.allCases.filter(\.takesJobs) == [.ready, .busy])
        #expect(WorkspaceState.allCases.filter(\.isComing) == [.creating, .booting, .parking, .restoring])
        #expect(WorkspaceState.allCases.filter(\.isParked) == [.paused, .saved])
        #expect(!WorkspaceState.draining.isUsable && !WorkspaceState.destroying.isUsable && WorkspaceState.saved.isUsable)
    }
}
