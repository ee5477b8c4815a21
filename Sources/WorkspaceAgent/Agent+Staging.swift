import AgentProtocol
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import WorkspaceBridge

/// Files on their way into runs' scratch directories. Each file is written under a temporary
/// name as the job's user and appears under its own name only when it arrived whole (size and
/// SHA-256 as announced): a job never sees half an input, a refreshed credential is replaced in
/// one step.
struct Arrivals {
    struct Incoming {
        var fd: Int32
        var temp: String
        var offset: Int
        var hash: SHA256
    }
    var incoming: [RunKey: [StagedPath: Incoming]] = [:]
    /// Inputs that arrived whole, by run, until the run starts.
    var arrived: [RunKey: [StagedPath: StagedFile]] = [:]
    /// Why an input of a run could not be written; the run is refused with it.
    var failed: [RunKey: String] = [:]
}

extension Agent {
    /// One piece of a file for a run: an input before it starts, or its credential while it runs.
    func receive(_ c: FileChunk) {
        guard let o = c.owner, !(isRoot && o.uid == 0) else {
            arriving.withLock { $0.failed[c.key] = "\(c.path): a staged file needs an owner other than root" }
            return
        }
        let owner = UserFiles.Owner(uid: o.uid, gid: o.gid, groups: o.groups)
        let (run, known) = state.withLock { ($0.runs[c.key]?.record, Set($0.runs.keys)) }
        if let run, !(run.phase == .running && run.staged?.credential == c.path) { return }
        let scratch = RunStaging.scratchDirectory(for: c.key)
        arriving.withLock { a in
            do {
                if c.offset == 0 {
                    if run == nil, a.incoming[c.key] == nil, a.arrived[c.key] == nil, a.failed[c.key] == nil {
                        // An earlier attempt's transfer, cut by a restart, is over for good.
                        for stale in a.incoming.keys where stale.job == c.key.job {
                            for file in a.incoming.removeValue(forKey: stale)!.values { close(file.fd) }
                        }
                        a.arrived = a.arrived.filter { $0.key.job != c.key.job }
                        a.failed = a.failed.filter { $0.key.job != c.key.job }
                        try makeScratch(for: c.key, uid: o.uid, gid: o.gid, keeping: known)
                    }
                    if let old = a.incoming[c.key]?[c.path] { close(old.fd) }
                    try UserFiles.makeParents(of: c.path.components, under: scratch, as: owner)
                    let temp = Self.partName(of: c.path, in: scratch)
                    let fd = UserFiles.openFile(temp, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode: 0o600, as: owner)
                    if fd < 0 { throw ChannelError.io("create \(temp)", errno) }
                    a.incoming[c.key, default: [:]][c.path] = .init(fd: fd, temp: temp, offset: 0, hash: SHA256())
                }
                guard var file = a.incoming[c.key]?[c.path], file.offset == c.offset else {
                    throw ChannelError.io("a piece of \(c.path) at offset \(c.offset) came out of order", EPROTO)
                }
                try writeAll(file.fd, c.data, path: file.temp)
                file.hash.update(c.data)
                file.offset += c.data.count
                a.incoming[c.key]?[c.path] = file
                guard let end = c.end else { return }
                a.incoming[c.key]?[c.path] = nil
                defer { close(file.fd) }
                let digest = file.hash.finish()
                guard end.size == file.offset, end.sha256 == digest else {
                    throw ChannelError.io("\(c.path) arrived with \(file.offset) bytes and checksum \(digest.prefix(12)), " +
                                          "not \(end.size) bytes and \(end.sha256.prefix(12))", EIO)
                }
                // The user's alone, as the credential must be; a job may widen its own files' modes.
                if fchmod(file.fd, end.executable ? 0o700 : 0o600) != 0 {
                    throw ChannelError.io("finish \(file.temp)", errno)
                }
                try UserFiles.rename(file.temp, to: scratch + "/" + c.path.value, as: owner)
                if run == nil { a.arrived[c.key, default: [:]][c.path] = end }
            } catch {
                if let file = a.incoming[c.key]?.removeValue(forKey: c.path) { close(file.fd) }
                if run == nil { a.failed[c.key] = a.failed[c.key] ?? "\(c.path): \(error)" }
            }
        }
    }

    func dropArrivals(of key: RunKey) {
        arriving.withLock { a in
            for file in (a.incoming.removeValue(forKey: key) ?? [:]).values { close(file.fd) }
            a.arrived[key] = nil
            a.failed[key] = nil
        }
        try? FileManager.default.removeItem(atPath: RunStaging.scratchDirectory(for: key))
    }

    /// Where a file is written until it arrived whole: beside its final name, hidden.
    static func partName(of path: StagedPath, in scratch: String) -> String {
        let parts = path.components
        let dir = parts.dropLast().map { "/" + $0 }.joined()
        return "\(scratch)\(dir)/.wsbridge-part-\(parts.last!)"
    }

    func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { raw in try UserFiles.writeAll(fd, raw, path: path) }
    }

    /// Makes the run's scratch directory, owned by the job's user. Leftovers of the job's earlier
    /// attempts that this agent no longer runs (`keeping` holds the runs it has; a transfer cut
    /// by a restart) are removed.
    func makeScratch(for key: RunKey, uid: UInt32, gid: UInt32, keeping runs: Set<RunKey>) throws {
        let scratch = RunStaging.scratchDirectory(for: key)
        let fm = FileManager.default
        let parent = deletingLastPathComponent(scratch)
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        // The directory that holds the runs' scratch directories must be ours alone: a user who
        // made it first (it sits in /tmp) could swap a run's directory for one of their own.
        var st = stat()
        guard lstat(parent, &st) == 0, st.st_mode & S_IFMT == S_IFDIR, st.st_uid == geteuid(), st.st_mode & 0o022 == 0 else {
            throw ChannelError.io("\(parent) is not a directory of the agent's own that only it may change", EPERM)
        }
        let known = Set(runs.compactMap { $0.job == key.job ? RunStaging.scratchDirectory(for: $0) : nil })
        for name in (try? fm.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix("run-\(key.job)-") {
            let path = parent + "/" + name
            if !known.contains(path) { try? fm.removeItem(atPath: path) }
        }
        try fm.createDirectory(atPath: scratch, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if isRoot, chown(scratch, uid, gid) != 0 { throw ChannelError.io("chown \(scratch)", errno) }
    }

    /// Sets a staged run up in its scratch directory: stdin written, inputs checked, the captured
    /// streams, the staged executable and credential, and what the run's outputs will be told from.
    /// Called with the agent's state locked; `runs` are the runs it has.
    func stageRun(_ r: RunRequest, _ staging: RunStaging, into spawn: inout SpawnRequest, environment: [String: String],
                  record: inout AgentRunRecord, runs: Set<RunKey>) throws {
        let scratch = RunStaging.scratchDirectory(for: r.key)
        let (arrived, failure) = arriving.withLock { a -> ([StagedPath: StagedFile]?, String?) in
            for file in (a.incoming.removeValue(forKey: r.key) ?? [:]).values { close(file.fd) }
            return (a.arrived.removeValue(forKey: r.key), a.failed.removeValue(forKey: r.key))
        }
        if let failure { throw ChannelError.io("input \(failure)", EIO) }
        if arrived == nil { try makeScratch(for: r.key, uid: r.uid, gid: r.gid, keeping: runs) }
        for input in staging.inputs where arrived?[input.path] != input {
            throw ChannelError.io("input \(input.path) did not arrive whole", EIO)
        }
        let owner = UserFiles.Owner(uid: r.uid, gid: r.gid, groups: r.groups)
        if let data = staging.stdin {
            let path = scratch + "/" + RunStaging.captured("stdin")
            let fd = UserFiles.openFile(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode: 0o600, as: owner)
            if fd < 0 { throw ChannelError.io("write \(path)", errno) }
            defer { close(fd) }
            try writeAll(fd, data, path: path)
        }
        record.scratch = scratch
        record.staged = StagedRun(owner: FileOwner(uid: r.uid, gid: r.gid, groups: r.groups), outputs: staging.outputs,
                                  baseline: Self.topLevel(of: scratch), credential: staging.credential,
                                  maxOutputBytes: staging.maxOutputBytes)
        try? store.save(record)
        var env = environment
        spawn.directory = scratch
        spawn.stdin = staging.stdin == nil ? nil : scratch + "/" + RunStaging.captured("stdin")
        spawn.stdout = staging.captureStdout ? scratch + "/" + RunStaging.captured("stdout") : nil
        spawn.stderr = staging.captureStderr ? scratch + "/" + RunStaging.captured(staging.joined ? "stdout" : "stderr") : nil
        spawn.appendOutput = false
        if let exe = staging.executable {
            spawn.path = scratch + "/" + exe.value
            spawn.argv[0] = spawn.path
        }
        if let credential = staging.credential, let variable = staging.credentialVariable {
            env[variable] = scratch + "/" + credential.value
        }
        if env["HOME"].map({ !FileManager.default.fileExists(atPath: $0) }) ?? true { env["HOME"] = scratch }
        env["PWD"] = scratch
        spawn.environment = env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// Regular files at the top of a directory: name -> size and modification time.
    static func topLevel(of dir: String) -> [String: String] {
        var out: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            var st = stat()
            guard lstat(dir + "/" + name, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            out[name] = "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        }
        return out
    }

    /// Sends a staged run's output files after its captured streams: the declared ones, or every
    /// file at the top that the run created or changed. Each is read as the job's user (a job
    /// cannot make the agent read what it could not read itself) and sent in pieces, the last
    /// with its size and checksum.
    func sendFiles(of key: RunKey, _ staged: StagedRun, from scratch: String, on channel: AgentChannel, notes: inout [String],
                   superseded: () -> Bool) throws {
        let owner = UserFiles.Owner(uid: staged.owner.uid, gid: staged.owner.gid, groups: staged.owner.groups)
        let paths: [StagedPath]
        if let declared = staged.outputs {
            paths = declared
        } else {
            let now = Self.topLevel(of: scratch)
            paths = now.keys.sorted().filter { name in
                !name.hasPrefix(RunStaging.capturedPrefix) && !name.hasPrefix(".wsbridge-part-")
                    && name != staged.credential?.value && staged.baseline[name] != now[name]
            }.compactMap(StagedPath.init)
        }
        var budget = staged.maxOutputBytes
        for path in paths {
            let full = scratch + "/" + path.value
            let fd = UserFiles.openFile(full, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, as: owner)
            var st = stat()
            guard fd >= 0, fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
                if fd >= 0 { close(fd) }
                notes.append("output \(path) not found in the workspace as a regular file")
                continue
            }
            let file = ReadableFile(fd: fd, path: full)
            guard Int(st.st_size) <= budget else {
                notes.append("output \(path) not sent: over the limit of \(staged.maxOutputBytes >> 20) MiB of output files")
                continue
            }
            var hash = SHA256()
            var offset = 0
            while true {
                if superseded() { return }
                let data = try file.read(upToCount: RunStaging.chunkBytes)
                hash.update(data)
                let last = data.count < RunStaging.chunkBytes || offset + data.count >= budget
                let end = last ? StagedFile(path: path, size: offset + data.count, sha256: hash.finish(), executable: st.st_mode & 0o100 != 0) : nil
                try channel.send(.output(OutputChunk(key: key, stream: .stdout, offset: offset, data: data, file: path, end: end)))
                offset += data.count
                if last { break }
            }
            budget -= offset
        }
    }
}
