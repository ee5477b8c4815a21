import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

struct Accounting: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the accounting records of finished runs: wall and CPU time, peak memory, cores, owner and grid identity.",
        discussion: """
            One record per run that ended in the period (a retried job has one per run). Root and the \
            admin group see everyone's records, other users their own. Times are seconds since 1970, \
            dates (2026-12-01, 2026-12-01T12:00:00Z, UTC), or ages (90m, 24h, 7d).
            """
    )

    @OptionGroup var daemon: DaemonSelection
    @OptionGroup var format: OutputFormat
    @Option(help: ArgumentHelp("Runs that ended at or after this time.", valueName: "time")) var since: String
    @Option(help: ArgumentHelp("Runs that ended before this time (default: now).", valueName: "time")) var until: String?
    @Option(help: ArgumentHelp("Only this user's runs (a name or uid; others than yourself: admins only).", valueName: "user"))
    var owner: String?

    func run() throws {
        let now = Date().timeIntervalSince1970
        guard let from = AccountingTime.parse(since, now: now) else { throw ValidationError("--since: \(AccountingTime.help(since))") }
        var query = ["since=\(from)"]
        if let until {
            guard let to = AccountingTime.parse(until, now: now) else { throw ValidationError("--until: \(AccountingTime.help(until))") }
            query.append("until=\(to)")
        }
        if let owner {
            guard let uid = UInt32(owner) ?? getpwnam(owner).map({ UInt32($0.pointee.pw_uid) }) else {
                throw ValidationError("--owner: no user \"\(owner)\"")
            }
            query.append("owner=\(uid)")
        }
        let records: [AccountingRecord] = call { () throws(ClientError) in
            try daemon.client.get("/v1/accounting?" + query.joined(separator: "&"))
        }
        if format.json { printJSON(records) } else { print(AccountingTable.render(records), terminator: "") }
    }
}

/// `--since` and `--until`: seconds since 1970, a UTC date or time, or an age before now.
enum AccountingTime {
    static func parse(_ text: String, now: Double) -> Double? {
        if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds <= 1e11 { return seconds }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        if let unit = text.last.flatMap({ units[$0] }), let n = Double(text.dropLast()), n.isFinite, n >= 0, n * unit <= now {
            return now - n * unit
        }
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date.timeIntervalSince1970 }
        iso.formatOptions = [.withFullDate]
        return iso.date(from: text)?.timeIntervalSince1970
    }

    static func help(_ text: String) -> String {
        "\"\(text)\" is not a time (seconds since 1970, 2026-12-01, 2026-12-01T12:00:00Z, or an age such as 24h or 7d)"
    }
}

enum AccountingTable {
    static func render(_ records: [AccountingRecord]) -> String {
        var rows = [["JOB", "RUN", "OWNER", "CLASS", "HOST", "ENDED (UTC)", "WALL", "CPU", "PEAK MEM", "CORES", "EXIT", "GRID"]]
        var names = OwnerNames()
        for r in records {
            let exit = switch r.exit { case .exited(let c): "exit \(c)"; case .signaled(let s): "signal \(s)" }
            let grid = [r.grid?.jobID, r.grid?.userDN, r.grid?.fqan].compactMap { $0 }.joined(separator: " ")
            rows.append([String(r.job), String(r.attempt), names.name(of: r.owner) ?? String(r.owner), r.className,
                         r.host ?? r.workspace, formatTime(r.endedAt), duration(r.wallSeconds), r.cpuSeconds.map(duration) ?? "-",
                         r.peakMemoryBytes.map(memory) ?? "-", String(r.cores), exit, grid.isEmpty ? "-" : grid])
        }
        let wall = records.reduce(0) { $0 + $1.wallSeconds }, cpu = records.reduce(0) { $0 + ($1.cpuSeconds ?? 0) }
        return table(rows) + "\(records.count) runs, wall \(duration(wall)), CPU \(duration(cpu))\n"
    }

    /// Seconds, to a tenth below a minute, else h:mm:ss.
    static func duration(_ s: Double) -> String {
        if s < 60 { return String(format: "%.1fs", s) }
        let t = Int64(s.rounded())
        return String(format: "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60)
    }

    static func memory(_ bytes: Int64) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }
}
