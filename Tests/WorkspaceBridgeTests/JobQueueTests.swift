import Testing
@testable import WorkspaceBridge

struct JobQueueTests {
    /// Priority first, then age, across owners; the same order whatever the insertion order.
    @Test func ordersByPriorityThenIdAcrossOwners() {
        var q = JobQueue()
        let jobs: [(JobID, UInt32, Int)] = [(5, 1, 0), (1, 2, 0), (3, 1, 10), (2, 2, -5), (4, 3, 10), (6, 3, 0)]
        for (id, owner, p) in jobs.shuffled() { q.insert(id, owner: owner, priority: p) }
        #expect(q.ordered == [3, 4, 1, 5, 6, 2])
        #expect(q.count == 6)
        #expect(q.count(owner: 1) == 2)
        q.remove(4)
        q.remove(4)
        #expect(q.ordered == [3, 1, 5, 6, 2])
        #expect(!q.contains(4))
        // Re-inserting moves a job.
        q.insert(2, owner: 2, priority: 100)
        #expect(q.ordered.first == 2)
    }

    /// A pass can leave out the rest of an owner's jobs, or stop.
    @Test func passesSkipOwnersAndStop() {
        var q = JobQueue()
        for id in 1...6 { q.insert(JobID(id), owner: UInt32(id % 2), priority: 0) }
        var seen: [JobID] = []
        q.forEach { id, owner in
            seen.append(id)
            return owner == 1 ? .skipOwner : .next
        }
        #expect(seen == [1, 2, 4, 6])
        seen = []
        q.forEach { id, _ in seen.append(id); return id == 3 ? .stop : .next }
        #expect(seen == [1, 2, 3])
    }

    /// The extremes of Int, which `-priority` once trapped on, are clamped, not crashed on.
    @Test func extremePrioritiesDoNotTrap() {
        var q = JobQueue()
        q.insert(1, owner: 0, priority: Int.min)
        q.insert(2, owner: 0, priority: Int.max)
        q.insert(3, owner: 0, priority: 0)
        #expect(q.ordered == [2, 3, 1])
    }

    /// Against a plain sort, with random operations.
    @Test func agreesWithASortedArray() {
        var q = JobQueue()
        var model: [JobID: (owner: UInt32, priority: Int)] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<3000 {
            let id = JobID(Int.random(in: 1...400, using: &rng))
            if Bool.random(using: &rng) {
                let owner = UInt32.random(in: 0...5, using: &rng), p = Int.random(in: -3...3, using: &rng)
                q.insert(id, owner: owner, priority: p)
                model[id] = (owner, p)
            } else {
                q.remove(id)
                model[id] = nil
            }
            if step % 100 == 0 {
                let expected = model.sorted { ($0.value.priority, -$0.key) > ($1.value.priority, -$1.key) }.map(\.key)
                #expect(q.ordered == expected)
                for owner in UInt32(0)...5 { #expect(q.count(owner: owner) == model.values.filter { $0.owner == owner }.count) }
            }
        }
    }
}
