import AgentProtocol
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The agent's on-disk record of its runs: one append-only journal (`runs.log`, root only) of
/// JSON lines, each a run's whole record or the note that a run is forgotten; the last line of a
/// run wins, and a torn last line is ignored. The journal is rewritten with only the live runs
/// (write, fsync, rename) when it has grown well beyond them. Saving a run costs one write, not
/// a file created, renamed and removed per change.
///
/// A line is in the kernel's page cache once written, which outlives the agent's process, and
/// that is what the journal is for: a restarted agent learns which runs it had (to stop their
/// orphans and report them lost) and how they ended. It does not wait for the disk: a crash of
/// the machine ends the workspace's runs with it, and the daemon requeues the runs of a
/// workspace that died, whatever the journal would have said.
final class RunStore: Sendable {
    struct Journal {
        var fd: Int32
        var lines: Int
        var live: [RunKey: AgentRunRecord]
    }

    /// One line of the journal.
    struct Line: Codable {
        var record: AgentRunRecord?
        var forget: RunKey?
    }

    let path: String
    private let journal: Mutex<Journal>
    private let encoder = JSONEncoder()

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/runs.log"
        var live: [RunKey: AgentRunRecord] = [:]
        var lines = 0
        if let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                lines += 1
                guard let entry = try? decoder.decode(Line.self, from: Data(line)) else { continue }
                if let r = entry.record { live[r.key] = r }
                if let key = entry.forget { live[key] = nil }
            }
        }
        // Records of an agent from before the journal: one file per run in `runs/`.
        let old = directory + "/runs"
        let oldNames = (try? FileManager.default.contentsOfDirectory(atPath: old)) ?? []
        for name in oldNames where name.hasSuffix(".json") {
            if let data = FileManager.default.contents(atPath: old + "/" + name),
               let r = try? JSONDecoder().decode(AgentRunRecord.self, from: data), live[r.key] == nil {
                live[r.key] = r
            }
        }
        journal = Mutex(Journal(fd: -1, lines: lines, live: live))
        try journal.withLock { try Self.rewrite(&$0, path: path) }
        for name in oldNames { unlink(old + "/" + name) }
        rmdir(old)
    }

    deinit { journal.withLock { j in if j.fd >= 0 { close(j.fd) } } }

    /// Records a run's new state.
    func save(_ record: AgentRunRecord) throws {
        try append(Line(record: record))
    }

    /// Forgets a run (the daemon has its end).
    func remove(_ key: RunKey) { try? append(Line(forget: key)) }

    /// Every run not forgotten.
    func loadAll() -> [AgentRunRecord] { journal.withLock { Array($0.live.values) } }

    private func append(_ line: Line) throws {
        // A leading newline ends whatever a failed write may have left unfinished.
        var data = Data([10])
        // The lines written for every run, directly: the encoder costs more than the rest.
        if line.record == nil, let key = line.forget {
            data.append(contentsOf: "{\"forget\":{\"job\":\(key.job),\"attempt\":\(key.attempt)}}".utf8)
        } else if line.forget == nil, let json = line.record?.directJSON {
            data.append(contentsOf: "{\"record\":".utf8)
            data.append(contentsOf: json)
            data.append(UInt8(ascii: "}"))
        } else {
            data.append(try encoder.encode(line))
        }
        data.append(10)
        try journal.withLock { j in
            if let r = line.record { j.live[r.key] = r }
            if let key = line.forget { j.live[key] = nil }
            j.lines += 1
            if j.lines > max(1000, 4 * j.live.count) { return try Self.rewrite(&j, path: path) }
            let written = data.withUnsafeBytes { write(j.fd, $0.baseAddress, $0.count) }
            guard written == data.count else {
                let e = errno
                // Whatever part went out is ended by the next line's newline; the journal is
                // rewritten whole when it can be.
                try? Self.rewrite(&j, path: path)
                throw ChannelError.io("write \(path)", e)
            }
        }
    }

    /// Writes the live runs to a new journal and puts it in place of the old one.
    private static func rewrite(_ j: inout Journal, path: String) throws {
        var data = Data()
        let encoder = JSONEncoder()
        for r in j.live.values.sorted(by: { ($0.key.job, $0.key.attempt) < ($1.key.job, $1.key.attempt) }) {
            data.append(try encoder.encode(Line(record: r)))
            data.append(10)
        }
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ChannelError.io("open \(temp)", errno) }
        let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == data.count && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp, path) == 0 else { throw ChannelError.io("write \(temp)", errno) }
        let dir = open(deletingLastPathComponent(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { fsync(dir); close(dir) }
        let appendFD = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard appendFD >= 0 else { throw ChannelError.io("open \(path)", errno) }
        if j.fd >= 0 { close(j.fd) }
        j.fd = appendFD
        j.lines = j.live.count
    }
}
