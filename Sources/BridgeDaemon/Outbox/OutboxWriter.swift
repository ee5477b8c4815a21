import BridgeStore
import Foundation
import Logging
import ProcessSpawn
import ServiceLifecycle
import Synchronization
import WorkspaceBridge

/// Delivers the outbox: the SEG lines, user-log events and accounting files that state changes
/// stored with themselves. It runs beside the scheduler, never on it: a user's log on a hung NFS home or a
/// FIFO nobody reads holds only that file's deliveries (each file has one worker at a time, at
/// most `maxWorkers` at once), and everyone else's go on.
///
/// Delivery is at least once and idempotent: before appending, the file's length is recorded in
/// the entry; a delivery repeated after a crash first looks whether its bytes are already at that
/// offset, and if so only forgets the entry.
final class OutboxWriter: Service, Sendable {
    let store: Store
    let logger: Logger
    let maxWorkers = 16
    /// Retries back off up to this, so that a reader appearing late is served soon after.
    let maxBackoff = 5.0
    /// An entry not delivered in this long is given up on, with an event that says why.
    let giveUpAfter = 86_400.0

    private struct State {
        var busy = Set<String>()
        var woken = false
        var stopped = false
    }
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    /// Test-only crash points (`WSBRIDGE_FAULT`): `outbox-kill-before-write:TEXT` or
    /// `outbox-kill-after-write:TEXT` kill the daemon around the delivery of an entry holding TEXT.
    private let fault: (when: String, text: String)?

    let metrics: DaemonMetrics?

    init(store: Store, logger: Logger, metrics: DaemonMetrics? = nil,
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.metrics = metrics
        self.store = store
        self.logger = logger
        fault = environment["WSBRIDGE_FAULT"].flatMap { spec in
            let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
            return parts.count == 2 && parts[0].hasPrefix("outbox-") ? (parts[0], parts[1]) : nil
        }
    }

    /// Delivers until the daemon shuts down; what was committed but not written before a stop
    /// or a crash goes out first.
    func run() async throws {
        Thread.detachNewThread { self.dispatchLoop() }
        try? await gracefulShutdown()
        stop()
    }

    /// New entries are in the store: look at once.
    func poke() {
        let signal = state.withLock { s -> Bool in
            if s.woken { return false }
            s.woken = true
            return true
        }
        if signal { wake.signal() }
    }

    func stop() {
        state.withLock { $0.stopped = true }
        wake.signal()
    }

    private func dispatchLoop() {
        while true {
            _ = wake.wait(timeout: .now() + 0.5)
            let stopped = state.withLock { s -> Bool in
                s.woken = false
                return s.stopped
            }
            if stopped { return }
            let due: [OutboxEntry]
            do { due = try store.dueEffects(now: Date().timeIntervalSince1970) } catch {
                logger.error("cannot read the outbox", metadata: ["error": "\(error)"])
                continue
            }
            // In order per file; one worker per file.
            var byPath: [String: [OutboxEntry]] = [:]
            var order: [String] = []
            for e in due {
                if byPath[e.effect.path] == nil { order.append(e.effect.path) }
                byPath[e.effect.path, default: []].append(e)
            }
            for path in order {
                let claimed = state.withLock { s -> Bool in
                    guard !s.busy.contains(path), s.busy.count < maxWorkers else { return false }
                    s.busy.insert(path)
                    return true
                }
                guard claimed, let entries = byPath[path] else { continue }
                Thread.detachNewThread {
                    self.deliver(entries)
                    self.state.withLock { _ = $0.busy.remove(path) }
                    self.poke()
                }
            }
        }
    }

    /// Delivers one file's entries in order; stops at the first that must wait.
    private func deliver(_ entries: [OutboxEntry]) {
        var identities: [UInt32: Identity] = [:]
        for listed in entries {
            // As it stands now: the list may be older than another worker's delivery of it.
            guard let entry = try? store.effect(listed.seq) else { continue }
            let now = Date().timeIntervalSince1970
            var identity: Identity?
            if let owner = entry.effect.owner {
                identity = identities[owner] ?? Identity.lookup(uid: owner)
                identities[owner] = identity
            }
            let result = write(entry, as: identity)
            // A SEG line is written as the daemon (no owner); a user's log as its owner.
            if case .failure = result { metrics?.outboxWriteFailed(userLog: entry.effect.owner != nil, accountingFile: entry.effect.kind == .file) }
            switch result {
            case .success:
                try? store.effectDelivered(entry.seq)
            case .failure(let failure) where failure.permanent || now - entry.at > giveUpAfter:
                logger.warning("side effect abandoned", metadata: ["path": "\(entry.effect.path)", "error": "\(failure.message)"])
                try? store.effectAbandoned(entry, error: failure.message, at: now)
            case .failure(let failure):
                let wait = min(maxBackoff, 0.2 * pow(2, Double(min(entry.attempts, 10))))
                try? store.effectFailed(entry.seq, error: failure.message, nextAt: now + wait)
                return
            }
        }
    }

    struct Failure: Error {
        var message: String
        var permanent = false
    }

    private func write(_ entry: OutboxEntry, as identity: Identity?) -> Result<Void, Failure> {
        let e = entry.effect
        if e.kind == .file { return writeWholeFile(e) }
        func open(_ flags: Int32) -> Int32 {
            let all = flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
            if let id = identity {
                return UserFiles.openAs(e.path, flags: all, uid: id.uid, gid: id.gid, groups: id.groups)
            }
            return Glibc.open(e.path, all, mode_t(e.mode ?? 0o644))
        }
        func failure(_ what: String, permanent: Bool = false) -> Result<Void, Failure> {
            .failure(Failure(message: "\(what) \(e.path): \(String(cString: strerror(errno)))", permanent: permanent))
        }
        if e.owner != nil && identity == nil {
            return .failure(Failure(message: "uid \(e.owner!) has no entry in the password database"))
        }
        let bytes = Array(e.text.utf8)
        // Delivered before a crash? Then its bytes are where the length said the file ended.
        if let offset = entry.offset, !bytes.isEmpty {
            let fd = open(O_RDONLY)
            if fd >= 0 {
                defer { close(fd) }
                var found = [UInt8](repeating: 0, count: bytes.count)
                let n = found.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
                if n == bytes.count && found == bytes { return .success(()) }
            }
        }
        if fault?.when == "outbox-kill-before-write", e.text.contains(fault!.text) { kill(getpid(), SIGKILL) }
        let fd = open(O_WRONLY | O_APPEND | O_CREAT)
        guard fd >= 0 else { return failure("cannot open") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return failure("cannot stat") }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            if !bytes.isEmpty {
                do { try store.effectWillWrite(entry.seq, at: Int64(st.st_size)) } catch {
                    return .failure(Failure(message: "cannot record the delivery: \(error)"))
                }
            }
        case S_IFIFO:
            // A pipe takes a write of up to PIPE_BUF bytes whole or not at all.
            break
        default:
            return .failure(Failure(message: "\(e.path) is neither a regular file nor a FIFO", permanent: true))
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                // EAGAIN: a FIFO whose reader does not read; try again later.
                return failure("cannot write")
            }
            offset += n
        }
        if fault?.when == "outbox-kill-after-write", e.text.contains(fault!.text) { kill(getpid(), SIGKILL) }
        return .success(())
    }

    /// A new file (an APEL message): written under a temporary name in the parent of its
    /// directory (a sender reads every name in the directory itself), made durable, then renamed
    /// into place. Done once it exists with its bytes; a file of that name with other bytes is
    /// someone else's and is left alone. Only the daemon's own files: no user owns these.
    private func writeWholeFile(_ e: SideEffect) -> Result<Void, Failure> {
        let bytes = Array(e.text.utf8)
        let dir = (e.path as NSString).deletingLastPathComponent, name = (e.path as NSString).lastPathComponent
        func failure(_ what: String, permanent: Bool = false) -> Result<Void, Failure> {
            .failure(Failure(message: "\(what): \(String(cString: strerror(errno)))", permanent: permanent))
        }
        if let existing = FileManager.default.contents(atPath: e.path) {
            return Array(existing) == bytes ? .success(())
                : .failure(Failure(message: "\(e.path) exists with other contents", permanent: true))
        }
        if fault?.when == "outbox-kill-before-write", e.text.contains(fault!.text) { kill(getpid(), SIGKILL) }
        let temporary = (dir as NSString).deletingLastPathComponent + "/.\((dir as NSString).lastPathComponent).\(name).tmp"
        unlink(temporary)
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(e.mode ?? 0o600))
        guard fd >= 0 else { return failure("cannot create \(temporary)") }
        // The mode asked for, whatever the umask took away.
        fchmod(fd, mode_t(e.mode ?? 0o600))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let result = failure("cannot write \(temporary)")
                close(fd)
                unlink(temporary)
                return result
            }
            offset += n
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, e.path) == 0 else {
            let result = failure("cannot put \(e.path) in place")
            unlink(temporary)
            return result
        }
        // The rename itself durable: the directory's entry.
        let dfd = Glibc.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
        if fault?.when == "outbox-kill-after-write", e.text.contains(fault!.text) { kill(getpid(), SIGKILL) }
        return .success(())
    }
}
