import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show jobs: the given ones, or all of yours.")

    @OptionGroup var daemon: DaemonSelection
    @OptionGroup var format: OutputFormat
    @Flag(help: "Include each job's history of state changes.") var history = false
    @Option(help: ArgumentHelp("Show at most this many jobs, the newest (1 to 10000).", valueName: "n")) var limit: Int = 1000
    @Option(help: ArgumentHelp("Show only jobs older than this id (the next page).", valueName: "id")) var before: Int64?
    @Argument(help: "Job ids.") var jobs: [String] = []

    @Flag(help: "Show the listing again every --interval seconds until interrupted (Ctrl-C): in place on a terminal, else as snapshots separated by a blank line.")
    var watch = false
    @Option(help: ArgumentHelp("Seconds between refreshes with --watch (0.5 to 3600).", valueName: "s")) var interval: Double = 2

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
        if let before, before < 1 { throw ValidationError("--before must be a job id") }
        guard (0.5...3600).contains(interval) else { throw ValidationError("--interval must be from 0.5 to 3600 seconds") }
    }

    func run() throws {
        guard watch else { return show() }
        let arguments = CommandLine.arguments.dropFirst().joined(separator: " ")
        Watcher(interval: interval).run { now in
            print("every \(interval) s: wsbridge \(arguments)    \(formatTime(now))\n")
            show()
        }
    }

    func show() {
        var path = "/v1/jobs"
        var query: [String] = []
        if !jobs.isEmpty { query.append("ids=" + parseJobIDs(jobs).map(String.init).joined(separator: ",")) }
        if history { query.append("history=1") }
        // One more than shown, to know whether the listing is cut.
        if jobs.isEmpty { query.append("limit=\(min(limit + 1, 10_000))") }
        if jobs.isEmpty, let before { query.append("before=\(before)") }
        if !query.isEmpty { path += "?" + query.joined(separator: "&") }
        var list: [JobStatus] = call { () throws(ClientError) in try daemon.client.get(path) }
        let cut = jobs.isEmpty && list.count > limit
        if cut { list.removeFirst(list.count - limit) }
        var names = OwnerNames()
        for i in list.indices where list[i].ownerName == nil { list[i].ownerName = names.name(of: list[i].job.owner) }
        if format.json { printJSON(list) } else { print(StatusTable.render(list, history: history), terminator: "") }
        if cut, let oldest = list.first {
            FileHandle.standardError.write(Data("showing the newest \(limit) jobs; older ones: wsbridge status --before \(oldest.job.id)\n".utf8))
        }
    }
}

enum StatusTable {
    static func render(_ list: [JobStatus], history: Bool) -> String {
        var rows = [["ID", "STATE", "OWNER", "CLASS", "WORKSPACE", "RUNS", "RESULT", "COMMAND / REASON"]]
        for s in list {
            let j = s.job
            let result = j.exit.map { exit in
                switch exit { case .exited(let c): "exit \(c)"; case .signaled(let sig): "signal \(sig)" }
            } ?? "-"
            let note = s.waiting ?? j.reason ?? ([j.spec.executable] + j.spec.arguments).joined(separator: " ")
            rows.append([String(j.id), j.state.rawValue, s.ownerName ?? String(j.owner), j.className, j.workspaceID ?? "-",
                         String(j.attempts), result, String(note.prefix(100))])
        }
        var out = table(rows)
        if history {
            for s in list {
                out += "\njob \(s.job.id):\n"
                for t in s.history ?? [] {
                    out += "  \(formatTime(t.at))  \(t.from?.rawValue ?? "-") -> \(t.to.rawValue)\(t.reason.map { "  \($0)" } ?? "")\n"
                }
            }
        }
        return out
    }
}

/// Left-aligned columns, the last one unpadded.
func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    var widths = Array(repeating: 0, count: first.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count - 1 { widths[i] = max(widths[i], c.count) } }
    return rows.map { r in
        r.enumerated().map { i, c in i < widths.count - 1 ? c.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0) : c }
            .joined()
    }.joined(separator: "\n") + "\n"
}

struct Wait: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wait until jobs finish.",
        discussion: "With one job, exits with its exit code (128+N if killed by signal N, 1 if it failed to start or was cancelled); with several, 0 when all are done."
    )

    @OptionGroup var daemon: DaemonSelection
    @OptionGroup var format: OutputFormat
    @Option(help: ArgumentHelp("Give up after this many seconds (exit 124).", valueName: "s")) var timeout: Double?
    @Argument(help: "Job ids.") var jobs: [String]

    func run() throws {
        let ids = parseJobIDs(jobs)
        guard !ids.isEmpty else { throw ValidationError("name at least one job") }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var finished: [JobStatus] = []
        for id in ids {
            while true {
                let left = deadline.map { $0.timeIntervalSinceNow } ?? 60
                if left <= 0 { fail("timed out waiting for job \(id)", code: 124) }
                let s: JobStatus = call { () throws(ClientError) in
                    try daemon.client.get("/v1/jobs/\(id)/wait?timeout=\(min(60, max(0.1, left)))")
                }
                if s.job.state.isTerminal { finished.append(s); break }
            }
        }
        if format.json { printJSON(finished) } else {
            for s in finished {
                print("\(s.job.id) \(s.job.state.rawValue)\(s.job.exit.map { " (\($0))" } ?? "")\(s.job.reason.map { ": \($0)" } ?? "")")
            }
        }
        if finished.count == 1 {
            let j = finished[0].job
            switch (j.state, j.exit) {
            case (_, .exited(let code)?) where j.state != .cancelled: throw ExitCode(code)
            case (_, .signaled(let sig)?) where j.state != .cancelled: throw ExitCode(128 + sig)
            case (.done, _): return
            default: throw ExitCode(1)
            }
        }
        if !finished.allSatisfy({ $0.job.state == .done }) { throw ExitCode(1) }
    }
}
