/// Queued jobs in the order the scheduler considers them: higher priority first, then older
/// first. Kept per owner, so that a pass can pass over an owner who may start nothing more in one
/// step (`skipOwner`), and so that inserting, removing and counting cost the same whether an owner
/// has ten queued jobs or a hundred thousand.
public struct JobQueue: Sendable {
    /// Orders jobs: a smaller key goes first.
    struct Key: Comparable, Sendable {
        var negatedPriority: Int
        var id: JobID
        static func < (a: Key, b: Key) -> Bool { (a.negatedPriority, a.id) < (b.negatedPriority, b.id) }
    }

    /// Each owner's queued jobs, sorted by key.
    private var byOwner: [UInt32: [Key]] = [:]
    private var entries: [JobID: (owner: UInt32, key: Key)] = [:]

    public init() {}

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public func contains(_ id: JobID) -> Bool { entries[id] != nil }
    public func count(owner: UInt32) -> Int { byOwner[owner]?.count ?? 0 }

    /// Adds a job, or moves it if it is already queued. `priority` must be within
    /// `SpecBounds.priority` (negating `Int.min` would trap); it is clamped to be safe.
    public mutating func insert(_ id: JobID, owner: UInt32, priority: Int) {
        remove(id)
        let p = min(max(priority, SpecBounds.priority.lowerBound), SpecBounds.priority.upperBound)
        let key = Key(negatedPriority: -p, id: id)
        var list = byOwner.removeValue(forKey: owner) ?? []
        // The common case, a new job behind the owner's others: no search.
        if let last = list.last, key < last {
            list.insert(key, at: Self.position(of: key, in: list))
        } else {
            list.append(key)
        }
        byOwner[owner] = list
        entries[id] = (owner, key)
    }

    public mutating func remove(_ id: JobID) {
        guard let (owner, key) = entries.removeValue(forKey: id) else { return }
        var list = byOwner.removeValue(forKey: owner) ?? []
        let i = Self.position(of: key, in: list)
        if i < list.count, list[i] == key { list.remove(at: i) }
        if !list.isEmpty { byOwner[owner] = list }
    }

    /// What to do after visiting one job of a pass.
    public enum Visit: Sendable {
        /// Go on with the next job in order.
        case next
        /// Go on, but leave out the rest of this owner's jobs in this pass.
        case skipOwner
        /// End the pass.
        case stop
    }

    /// Visits queued jobs in order (all owners merged). The queue may not change during a pass;
    /// collect the changes and apply them after.
    public func forEach(_ body: (JobID, UInt32) -> Visit) {
        // A heap of each owner's next job: each step costs log(owners), not the queue's length.
        var heads = MinHeap<Head>()
        for (owner, list) in byOwner where !list.isEmpty { heads.push(Head(key: list[0], owner: owner, index: 0)) }
        while let head = heads.pop() {
            switch body(head.key.id, head.owner) {
            case .stop: return
            case .skipOwner: continue
            case .next:
                let list = byOwner[head.owner]!
                if head.index + 1 < list.count {
                    heads.push(Head(key: list[head.index + 1], owner: head.owner, index: head.index + 1))
                }
            }
        }
    }

    /// All queued ids in order.
    public var ordered: [JobID] {
        var out: [JobID] = []
        out.reserveCapacity(count)
        forEach { id, _ in out.append(id); return .next }
        return out
    }

    struct Head: Comparable {
        var key: Key
        var owner: UInt32
        var index: Int
        static func < (a: Head, b: Head) -> Bool { a.key < b.key }
    }

    /// The first index whose key is not below `key`.
    static func position(of key: Key, in list: [Key]) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// A binary min-heap, for merging sorted lists.
struct MinHeap<Element: Comparable> {
    private var items: [Element] = []

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i] < items[parent] else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < items.count, items[l] < items[smallest] { smallest = l }
            if r < items.count, items[r] < items[smallest] { smallest = r }
            if smallest == i { break }
            items.swapAt(i, smallest)
            i = smallest
        }
        return top
    }
}
