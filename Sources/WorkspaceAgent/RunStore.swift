import AgentProtocol
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The agent's on-disk record of its runs: one small JSON file per run, replaced atomically
/// (write, fsync, rename), so that a crash leaves either the old record or the new one.
struct RunStore {
    let directory: URL

    init(directory: String) throws {
        self.directory = URL(fileURLWithPath: directory).appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    func file(_ key: RunKey) -> URL { directory.appendingPathComponent("\(key.job).\(key.attempt).json") }

    func save(_ record: AgentRunRecord) throws {
        let data = try JSONEncoder().encode(record)
        let target = file(record.key)
        let temp = target.appendingPathExtension("tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ChannelError.io("open \(temp.path)", errno) }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            guard write(fd, raw.baseAddress, raw.count) == raw.count else { throw ChannelError.io("write \(temp.path)", errno) }
        }
        guard fsync(fd) == 0, rename(temp.path, target.path) == 0 else { throw ChannelError.io("save \(target.path)", errno) }
    }

    func remove(_ key: RunKey) { unlink(file(key).path) }

    /// Every record; unreadable leftovers of a torn write (`.tmp`) are ignored and removed.
    func loadAll() -> [AgentRunRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var records: [AgentRunRecord] = []
        for name in names {
            let url = directory.appendingPathComponent(name)
            if name.hasSuffix(".tmp") { unlink(url.path); continue }
            if let data = try? Data(contentsOf: url), let r = try? JSONDecoder().decode(AgentRunRecord.self, from: data) {
                records.append(r)
            }
        }
        return records
    }
}
