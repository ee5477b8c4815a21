import Testing
@testable import WorkspaceBridge

/// The rollout decision as a table: the class's workspaces (id, outdated or not, phase) and its
/// limits in, the workspaces to retire now and the counts out.
struct ImageRolloutTests {
    struct Row: Sendable, CustomStringConvertible {
        var name: String
        /// "id:o:phase" with o = `o` (outdated) or `c` (current), phase = coming, idle, parked, busy, retired.
        var members: [String]
        var maxSurge = 1
        var maxUnavailable = 1
        var retire: [String]
        var outdated: Int
        var unavailable: Int
        var surge: Int
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "nothing outdated: no rollout, no surge", members: ["a:c:idle", "b:c:busy"],
            retire: [], outdated: 0, unavailable: 0, surge: 0),
        Row(name: "an empty class", members: [], retire: [], outdated: 0, unavailable: 0, surge: 0),
        Row(name: "4 busy and 2 warm, one at a time: a parked one first", members:
                ["w1:o:busy", "w2:o:busy", "w3:o:busy", "w4:o:busy", "w5:o:parked", "w6:o:idle"],
            retire: ["w5"], outdated: 6, unavailable: 1, surge: 1),
        Row(name: "one retired already: the budget is spent", members:
                ["w1:o:busy", "w5:o:retired", "w6:o:idle", "n1:c:coming"],
            retire: [], outdated: 3, unavailable: 1, surge: 1),
        Row(name: "busy outdated ones are never retired while they run", members: ["w1:o:busy", "w2:o:busy"],
            maxUnavailable: 5, retire: [], outdated: 2, unavailable: 0, surge: 1),
        Row(name: "coming outdated ones wait until they settle", members: ["w1:o:coming", "w2:o:idle"],
            retire: ["w2"], outdated: 2, unavailable: 1, surge: 1),
        Row(name: "a larger budget retires several, parked then idle, by id", members:
                ["b:o:idle", "a:o:idle", "z:o:parked", "c:c:idle"],
            maxUnavailable: 2, retire: ["z", "a"], outdated: 3, unavailable: 2, surge: 1),
        Row(name: "more unavailable than allowed (the limit was lowered): none retired", members:
                ["a:o:retired", "b:o:retired", "c:o:idle"],
            retire: [], outdated: 3, unavailable: 2, surge: 1),
        Row(name: "max_surge 0: replacements only as outdated ones go", members: ["a:o:idle"],
            maxSurge: 0, retire: ["a"], outdated: 1, unavailable: 1, surge: 0),
        Row(name: "max_surge 3 while any outdated one is left", members: ["a:o:busy", "b:c:busy"],
            maxSurge: 3, retire: [], outdated: 1, unavailable: 0, surge: 3),
        Row(name: "current workspaces draining or idle are not the rollout's", members:
                ["a:c:retired", "b:c:idle", "c:o:idle"],
            retire: ["c"], outdated: 1, unavailable: 1, surge: 1),
    ]

    @Test(arguments: rows) func plan(_ row: Row) {
        let members = row.members.map { text -> ImageRollout.Member in
            let f = text.split(separator: ":").map(String.init)
            let phase: ImageRollout.Phase = switch f[2] {
            case "coming": .coming
            case "idle": .idle
            case "parked": .parked
            case "busy": .busy
            default: .retired
            }
            return .init(id: f[0], outdated: f[1] == "o", phase: phase)
        }
        let plan = ImageRollout.plan(members, maxSurge: row.maxSurge, maxUnavailable: row.maxUnavailable)
        #expect(plan.retire == row.retire)
        #expect(plan.outdated == row.outdated)
        #expect(plan.unavailable == row.unavailable)
        #expect(plan.surge == row.surge)
        #expect(plan.inProgress == (row.outdated > 0))
    }

    /// Passes of a simulated rollout of 4 busy and 2 warm workspaces, each pass retiring what the
    /// plan says and replacing it, with a busy one's jobs ending every pass: never more than
    /// max_unavailable out of service, and every workspace current at the end.
    @Test func aWholeRolloutStaysWithinItsLimits() {
        var members: [ImageRollout.Member] = (1...4).map { .init(id: "b\($0)", outdated: true, phase: .busy) }
            + [.init(id: "p1", outdated: true, phase: .parked), .init(id: "p2", outdated: true, phase: .parked)]
        var passes = 0
        var made = 0
        while members.contains { $0.outdated } && passes < 50 {
            passes += 1
            let plan = ImageRollout.plan(members, maxSurge: 1, maxUnavailable: 1)
            #expect(plan.unavailable <= 1)
            #expect(members.count <= 6 + plan.surge)
            // Last pass's retired ones are gone now and replaced by current ones.
            let gone = members.filter { $0.outdated && $0.phase == .retired }.count
            members.removeAll { $0.outdated && $0.phase == .retired }
            for _ in 0..<gone { made += 1; members.append(.init(id: "n\(made)", outdated: false, phase: .idle)) }
            for i in members.indices where plan.retire.contains(members[i].id) { members[i].phase = .retired }
            if let i = members.firstIndex(where: { $0.outdated && $0.phase == .busy }) { members[i].phase = .idle }
            #expect(members.filter { $0.outdated && $0.phase == .retired }.count <= 1)
        }
        #expect(!members.contains { $0.outdated })
        #expect(members.count == 6)
        #expect(made == 6)
    }
}
