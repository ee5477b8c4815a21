import AgentProtocol
import Foundation
import ProcessSpawn
import WorkspaceBridge

/// A staged run's credential kept fresh: a grid proxy is refreshed on the host during long jobs
/// (GRAM's proxy refresh, the blahp's renewal, a new `x509userproxy`), and the job inside the
/// workspace must see the new one. The host file is looked at as the job's user every few
/// seconds; when it changed, its content goes to the agent, which replaces the run's copy in one
/// step. The copy goes with the run's scratch directory.
extension Scheduler {
    static let credentialCheckSeconds = 2.0
    /// Larger than any proxy or token file.
    static let maxCredentialBytes = 1 << 20

    func watchCredential(of key: RunKey, in wsID: String) {
        guard let job = jobs[key.job], let host = job.spec.transfer?.credential, let id = identity(job.owner),
              let link = workspaces[wsID]?.link, workspaces[wsID]?.runs[key]?.staged == true,
              let name = StagedPath(Self.lastComponent(host)) else { return }
        let owner = FileOwner(uid: id.uid, gid: id.gid, groups: id.groups)
        Task.detached {
            var sent: String?
            while await self.isCurrent(key, in: wsID) {
                let copy = await Self.readCredential(host, as: owner)
                if let copy, copy.version != sent {
                    let end = StagedFile(path: name, size: copy.data.count, sha256: SHA256.hex(of: copy.data), executable: false)
                    link.send(.stage(FileChunk(key: key, path: name, offset: 0, data: copy.data, end: end, owner: owner)))
                    sent = copy.version
                }
                try? await Task.sleep(for: .seconds(Self.credentialCheckSeconds))
            }
        }
    }

    /// The file's content and what tells one version from the next, read as its user off the
    /// scheduler and the task pool; nil when it cannot be read now (the next look tries again).
    static func readCredential(_ path: String, as o: FileOwner) async -> (data: Data, version: String)? {
        await withCheckedContinuation { done in
            Blocking.run {
                let fd = UserFiles.openFile(path, flags: O_RDONLY | O_NONBLOCK | O_CLOEXEC, as: .init(uid: o.uid, gid: o.gid, groups: o.groups))
                guard fd >= 0 else { return done.resume(returning: nil) }
                defer { close(fd) }
                var st = stat()
                guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size <= maxCredentialBytes else {
                    return done.resume(returning: nil)
                }
                // A file being rewritten in place (the GRAM job manager truncates and writes its
                // proxy) is taken only once it has rested, and only if reading it changed nothing.
                let modified = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
                guard Date().timeIntervalSince1970 - modified >= 0.5 else { return done.resume(returning: nil) }
                let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
                var after = stat()
                guard let data = try? handle.read(upToCount: maxCredentialBytes) ?? Data(), !data.isEmpty, fstat(fd, &after) == 0,
                      after.st_size == st.st_size, after.st_mtim.tv_sec == st.st_mtim.tv_sec, after.st_mtim.tv_nsec == st.st_mtim.tv_nsec else {
                    return done.resume(returning: nil)
                }
                done.resume(returning: (data, "\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"))
            }
        }
    }
}
