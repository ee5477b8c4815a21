import AgentProtocol
import Foundation
import ProcessSpawn
import Synchronization
import WorkspaceBridge

/// Copies a run's inputs from the host into a workspace that does not see the host's files,
/// through the agent channel, before the run request. Blocking, on a thread of its own: every
/// file is opened as the job's user (a user stages only what they can read themselves), read in
/// pieces and sent at the pace the agent writes them, with its size and SHA-256 on the last piece.
struct InputStager {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let key: RunKey
    let owner: FileOwner
    let link: AgentLink
    /// Most bytes in all.
    let limit: Int
    let progress: StagingProgress
    private(set) var sent: [StagedFile] = []
    private var sentPaths = Set<StagedPath>()
    private var total = 0
    private var entries = 0

    /// Files and directories walked at most (a tree of millions of empty files is refused too).
    static let maxEntries = 100_000
    static let maxDepth = 64
    /// How long the agent may take to accept one piece.
    static let pieceTimeout = 60.0

    init(key: RunKey, owner: FileOwner, link: AgentLink, limit: Int, progress: StagingProgress) {
        self.progress = progress
        self.key = key
        self.owner = owner
        self.link = link
        self.limit = limit
    }

    var userFilesOwner: UserFiles.Owner { .init(uid: owner.uid, gid: owner.gid, groups: owner.groups) }

    /// Stages a host file, or a directory with everything under it, as `path` (nil: the top of
    /// the run's directory, for a directory's contents).
    mutating func stage(_ host: String, as path: StagedPath?, depth: Int = 0) throws(Failure) {
        entries += 1
        guard entries <= Self.maxEntries, depth <= Self.maxDepth else {
            throw Failure(description: "more than \(Self.maxEntries) files or \(Self.maxDepth) levels of directories")
        }
        let fd = UserFiles.openFile(host, flags: O_RDONLY | O_NONBLOCK | O_CLOEXEC, as: userFilesOwner)
        guard fd >= 0 else { throw Failure(description: "cannot read \(host): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0 else { close(fd); throw Failure(description: "cannot read \(host): \(String(cString: strerror(errno)))") }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            defer { close(fd) }
            guard let path else { throw Failure(description: "\(host) is a file, not a directory") }
            try send(fd, host: host, as: path, executable: st.st_mode & 0o100 != 0)
        case S_IFDIR:
            let names = try Self.names(in: fd, host)
            for name in names.sorted() {
                guard let child = StagedPath(path.map { "\($0.value)/\(name)" } ?? name) else { continue }
                try stage(host + "/" + name, as: child, depth: depth + 1)
            }
        default:
            close(fd)
            throw Failure(description: "\(host) is neither a regular file nor a directory")
        }
    }

    /// Every regular, non-hidden file at the top of a host directory not sent yet and not in
    /// `except` (the job's own stdout and stderr), each under its name.
    mutating func stageTopFiles(of dir: String, except: Set<String>) throws(Failure) {
        let fd = UserFiles.openFile(dir, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, as: userFilesOwner)
        guard fd >= 0 else { throw Failure(description: "cannot list \(dir): \(String(cString: strerror(errno)))") }
        for name in try Self.names(in: fd, dir).sorted() where !name.hasPrefix(".") && !except.contains(dir + "/" + name) {
            guard let path = StagedPath(name), !sentPaths.contains(path) else { continue }
            let file = UserFiles.openFile(dir + "/" + name, flags: O_RDONLY | O_NONBLOCK | O_CLOEXEC, as: userFilesOwner)
            guard file >= 0 else { continue }
            defer { close(file) }
            var st = stat()
            guard fstat(file, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            entries += 1
            guard entries <= Self.maxEntries else { throw Failure(description: "more than \(Self.maxEntries) files") }
            try send(file, host: dir + "/" + name, as: path, executable: st.st_mode & 0o100 != 0)
        }
    }

    /// The entries of an open directory (consumes the descriptor).
    static func names(in fd: Int32, _ host: String) throws(Failure) -> [String] {
        guard let dir = fdopendir(fd) else {
            close(fd)
            throw Failure(description: "cannot list \(host): \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private mutating func send(_ fd: Int32, host: String, as path: StagedPath, executable: Bool) throws(Failure) {
        var hash = SHA256()
        var offset = 0
        var buffer = [UInt8](repeating: 0, count: RunStaging.chunkBytes)
        while true {
            var filled = 0
            while filled < buffer.count {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(description: "cannot read \(host): \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                filled += n
            }
            total += filled
            guard total <= limit else { throw Failure(description: "the inputs are over the class's limit of \(limit >> 20) MB") }
            let piece = buffer[0..<filled]
            hash.update(piece)
            let last = filled < buffer.count
            let end = last ? StagedFile(path: path, size: offset + filled, sha256: hash.finish(), executable: executable) : nil
            let chunk = FileChunk(key: key, path: path, offset: offset, data: Data(piece), end: end, owner: owner)
            guard link.sendWaiting(.stage(chunk), timeout: Self.pieceTimeout) else {
                throw Failure(description: "the workspace did not take \(path) within \(Int(Self.pieceTimeout)) s")
            }
            progress.touch()
            offset += filled
            if let end {
                sent.append(end)
                sentPaths.insert(path)
                return
            }
        }
    }
}

/// Whether a transfer still moves: the stager touches it with every piece; a watchdog ends a
/// transfer that stalls (a read from a hung file system cannot be interrupted), and whichever of
/// the two finishes first decides the outcome.
final class StagingProgress: Sendable {
    private let state = Mutex<(last: Double, done: Bool)>((Date().timeIntervalSince1970, false))

    func touch() { state.withLock { $0.last = Date().timeIntervalSince1970 } }

    /// True for the first caller only.
    func finish() -> Bool {
        state.withLock { s in
            defer { s.done = true }
            return !s.done
        }
    }

    /// Calls `stalled` once if no progress is made for `stalledAfter` seconds before `finish`.
    func watch(every interval: Double, stalledAfter limit: Double, stalled: @escaping @Sendable () -> Void) {
        Blocking.deadlines.asyncAfter(deadline: .now() + interval) {
            let (last, done) = self.state.withLock { ($0.last, $0.done) }
            if done { return }
            if Date().timeIntervalSince1970 - last < limit { return self.watch(every: interval, stalledAfter: limit, stalled: stalled) }
            if self.finish() { stalled() }
        }
    }
}
