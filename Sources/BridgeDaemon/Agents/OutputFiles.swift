import AgentProtocol
import Foundation
import ProcessSpawn
import Synchronization
import WorkspaceBridge

/// A staged run's output files on their way into the job's directory on the host. Each is
/// written as the job's user under a hidden name beside its destination (`.wsbridge-part-…`) and
/// renamed over it only when it arrived whole, size and SHA-256 checked: a partly copied output
/// is never visible under its name, and a transfer started over after a restart rewrites the
/// hidden file from its first piece. Called on the run's delivery queue only.
final class OutputFiles: Sendable {
    private struct Incoming {
        var fd: Int32
        var temp: String
        var offset: Int
        var hash: SHA256
    }
    private let incoming = Mutex<[StagedPath: Incoming]>([:])
    let directory: String
    let owner: UserFiles.Owner
    let tag: String

    init(directory: String, owner: UserFiles.Owner, key: RunKey) {
        self.directory = directory
        self.owner = owner
        tag = "\(key.job).\(key.attempt)"
    }

    deinit {
        for file in incoming.withLock({ Array($0.values) }) {
            close(file.fd)
            UserFiles.remove(file.temp, as: owner)
        }
    }

    /// Writes one piece; throws a description of what went wrong (the file is then dropped).
    func write(_ path: StagedPath, offset: Int, data: Data, end: StagedFile?) throws(SpawnFailure) {
        do throws(SpawnFailure) {
            if offset == 0 { try begin(path) }
            // A piece of an earlier transfer of the same run (to a daemon or over a channel that
            // went away) may still arrive after a new transfer began: it is not the piece awaited,
            // and is left out; the size and checksum at the end say whether the file is whole.
            guard var file = incoming.withLock({ $0[path] }), file.offset == offset else { return }
            let failure = data.withUnsafeBytes { raw -> SpawnFailure? in
                do throws(SpawnFailure) { try UserFiles.writeAll(file.fd, raw, path: file.temp) } catch { return error }
                return nil
            }
            if let failure { throw failure }
            file.hash.update(data)
            file.offset += data.count
            incoming.withLock { $0[path] = file }
            guard let end else { return }
            incoming.withLock { $0[path] = nil }
            defer { close(file.fd) }
            let digest = file.hash.finish()
            guard end.size == file.offset, end.sha256 == digest else {
                UserFiles.remove(file.temp, as: owner)
                throw SpawnFailure(message: "arrived with \(file.offset) bytes, not the \(end.size) sent, or a wrong checksum")
            }
            guard fchmod(file.fd, end.executable ? 0o755 : 0o644) == 0, fsync(file.fd) == 0 else {
                throw SpawnFailure(message: "cannot finish \(file.temp): \(String(cString: strerror(errno)))")
            }
            try UserFiles.rename(file.temp, to: directory + "/" + path.value, as: owner)
        } catch {
            if let file = incoming.withLock({ $0.removeValue(forKey: path) }) {
                close(file.fd)
                UserFiles.remove(file.temp, as: owner)
            }
            throw error
        }
    }

    private func begin(_ path: StagedPath) throws(SpawnFailure) {
        if let old = incoming.withLock({ $0.removeValue(forKey: path) }) { close(old.fd) }
        try UserFiles.makeParents(of: path.components, under: directory, as: owner)
        let parts = path.components
        let temp = directory + parts.dropLast().map { "/" + $0 }.joined() + "/.wsbridge-part-\(tag)-\(parts.last!)"
        let fd = UserFiles.openFile(temp, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode: 0o600, as: owner)
        if fd < 0 { throw SpawnFailure(message: "cannot write \(temp): \(String(cString: strerror(errno)))") }
        incoming.withLock { $0[path] = Incoming(fd: fd, temp: temp, offset: 0, hash: SHA256()) }
    }
}
