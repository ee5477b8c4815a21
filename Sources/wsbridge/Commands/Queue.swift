import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

/// `wsbridge q`: the queue summed up as `condor_q` sums it up, per owner and state.
struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "q",
        abstract: "Sum up the jobs you may see: how many per owner in each state.",
        discussion: """
            As condor_q's totals: per owner a line "Total for NAME: N jobs; X completed, Y removed, \
            Z idle, W running, V held, U suspended", and the same for the whole query (completed: \
            done or failed; removed: cancelled; idle: queued; running: starting or running). \
            Finished jobs count until the store forgets them ([store] keep_finished_days).
            """,
        aliases: ["queue"])

    @OptionGroup var daemon: DaemonSelection
    @OptionGroup var format: OutputFormat

    func run() throws {
        let summary = QueueSummary(call { () throws(ClientError) in try QueueSummary.allJobs(daemon.client) })
        if format.json { printJSON(summary) } else { print(summary.text, terminator: "") }
    }
}

/// Counts per owner and state, and condor_q's six totals.
struct QueueSummary: Encodable {
    struct Counts: Encodable {
        /// Per `JobState`, every state present (0 when none).
        var states: [String: Int] = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, 0) })
        var total = 0
        /// condor_q's words: completed, removed, idle, running, held, suspended.
        var condor: [String: Int] = Dictionary(uniqueKeysWithValues: QueueSummary.condorWords.map { ($0, 0) })

        mutating func add(_ state: JobState) {
            states[state.rawValue, default: 0] += 1
            total += 1
            condor[QueueSummary.condorWord(state), default: 0] += 1
        }

        /// "N jobs; X completed, Y removed, Z idle, W running, V held, U suspended".
        var line: String {
            "\(total) jobs; " + QueueSummary.condorWords.map { "\(condor[$0] ?? 0) \($0)" }.joined(separator: ", ")
        }
    }

    struct Owner: Encodable {
        var owner: UInt32
        var ownerName: String?
        var counts: Counts
    }

    static let condorWords = ["completed", "removed", "idle", "running", "held", "suspended"]

    static func condorWord(_ state: JobState) -> String {
        switch state {
        case .done, .failed: "completed"
        case .cancelled: "removed"
        case .queued: "idle"
        case .starting, .running: "running"
        case .held: "held"
        case .suspended: "suspended"
        }
    }

    var owners: [Owner]
    var total: Counts

    init(_ jobs: [JobStatus]) {
        var byOwner: [UInt32: Owner] = [:]
        var total = Counts()
        var names = OwnerNames()
        for s in jobs {
            let uid = s.job.owner
            if byOwner[uid] == nil { byOwner[uid] = Owner(owner: uid, ownerName: s.ownerName ?? names.name(of: uid), counts: Counts()) }
            byOwner[uid]!.counts.add(s.job.state)
            total.add(s.job.state)
        }
        owners = byOwner.values.sorted { ($0.ownerName ?? String($0.owner), $0.owner) < ($1.ownerName ?? String($1.owner), $1.owner) }
        self.total = total
    }

    /// Every job the caller may see, a page of the API's largest size at a time, oldest last.
    static func allJobs(_ client: BridgeClient) throws(ClientError) -> [JobStatus] {
        let page = 10_000
        var all: [JobStatus] = []
        var before: JobID?
        while true {
            let path = "/v1/jobs?limit=\(page)" + (before.map { "&before=\($0)" } ?? "")
            let list: [JobStatus] = try client.get(path)
            all += list
            // A page is in ascending ids; the next one is older than its first.
            guard list.count == page, let oldest = list.first?.job.id, oldest > 1 else { return all }
            before = oldest
        }
    }

    /// A table of owners by state, numbers right-aligned, then condor_q's total lines.
    var text: String {
        let states = JobState.allCases.map(\.rawValue)
        var rows = [["OWNER"] + states.map { $0.uppercased() } + ["TOTAL"]]
        for o in owners {
            rows.append([o.ownerName ?? String(o.owner)] + states.map { String(o.counts.states[$0] ?? 0) } + [String(o.counts.total)])
        }
        var widths = Array(repeating: 0, count: rows[0].count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for r in rows {
            out += r.enumerated().map { i, c in
                i == 0 ? c.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  ") + "\n"
        }
        out += "\n"
        for o in owners { out += "Total for \(o.ownerName ?? String(o.owner)): \(o.counts.line)\n" }
        out += "Total for query: \(total.line)\n"
        return out
    }
}
