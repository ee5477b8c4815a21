import AgentProtocol
import Dispatch
import Foundation
import WorkspaceBridge
import ProcessSpawn
import Synchronization

/// Writes a staged run's output into the submitter's files, off the scheduler: the pieces of one
/// run go through one serial queue, so they land in order, and a user's file on a hung NFS home
/// holds only that run's delivery. The run ends when `finish` says every piece is written, or
/// after a timeout, with a note that says so.
final class OutputDelivery: Sendable {
    private let queue: DispatchQueue
    private let notes = Mutex<[String]>([])
    private let files = Mutex<OutputFiles?>(nil)

    init(label: String) {
        queue = DispatchQueue(label: "wsbridge.output.\(label)")
    }

    /// Queues one piece, written with the user's whole identity; a failure becomes a note of the run.
    func write(_ bytes: [UInt8], to path: String, as user: Identity, truncate: Bool, stream: String) {
        queue.async {
            do {
                try UserFiles.write(bytes, to: path, uid: user.uid, gid: user.gid, groups: user.groups, truncate: truncate)
            } catch let e as SpawnFailure {
                self.note("\(stream) not delivered: \(e.message)")
            } catch {
                self.note("\(stream) not delivered: \(error)")
            }
        }
    }

    /// Queues one piece of an output file for `directory`, written as `user`.
    func write(_ chunk: OutputChunk, of path: StagedPath, into directory: String, as user: Identity) {
        queue.async {
            do throws(SpawnFailure) {
                let files = self.files.withLock { files in
                    if let files { return files }
                    let made = OutputFiles(directory: directory, owner: .init(uid: user.uid, gid: user.gid, groups: user.groups), key: chunk.key)
                    files = made
                    return made
                }
                try files.write(path, offset: chunk.offset, data: chunk.data, end: chunk.end)
            } catch {
                self.note("output \(path) not delivered: \(error.message)")
            }
        }
    }

    func note(_ text: String) {
        notes.withLock { if !$0.contains(text) { $0.append(text) } }
    }

    /// Waits until every piece queued so far is written, at most `timeout` seconds; returns the
    /// notes of the delivery.
    func finish(timeout: Double) async -> [String] {
        let once = FirstCaller()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async { if once.first() { done.resume() } }
            Blocking.deadlines.asyncAfter(deadline: .now() + timeout) {
                if once.first() {
                    self.note("output still being written after \(Int(timeout)) s (the file system does not answer)")
                    done.resume()
                }
            }
        }
        return notes.withLock { $0 }
    }
}
