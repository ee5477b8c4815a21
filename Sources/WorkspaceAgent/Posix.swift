import AgentProtocol
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The few things the agent took from Foundation beyond FoundationEssentials (threads, a
// condition, file reads, path and number formatting), on POSIX directly: the agent must not
// load Foundation's internationalisation libraries, which are most of a guest's image.

/// Runs `body` on a new detached thread, as `Thread.detachNewThread` does.
func detachThread(_ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    defer { pthread_attr_destroy(&attr) }
    pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
    var thread = pthread_t()
    let rc = pthread_create(&thread, &attr, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, box)
    if rc != 0 {
        Unmanaged<Box>.fromOpaque(box).release()
        fatalError("cannot start a thread: \(String(cString: strerror(rc)))")
    }
}

/// A mutex with one condition variable, as `NSCondition`; timed waits use the monotonic clock,
/// so a guest whose wall clock jumps (restored from a save) does not oversleep.
final class Condition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func signal() { pthread_cond_signal(cond) }

    /// Waits, with the lock held, until signalled or `seconds` have passed; false on timeout.
    @discardableResult
    func wait(seconds: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let whole = Int(seconds)
        var nanos = deadline.tv_nsec + Int((seconds - Double(whole)) * 1e9)
        deadline.tv_sec += whole + nanos / 1_000_000_000
        nanos %= 1_000_000_000
        deadline.tv_nsec = nanos
        return pthread_cond_timedwait(cond, mutex, &deadline) == 0
    }
}

/// A file opened for reading, as `FileHandle(forReadingAtPath:)`.
final class ReadableFile {
    let fd: Int32
    let path: String

    /// nil when the file cannot be opened.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.path = path
    }

    /// A run's captured output in its scratch directory, which the job owns and could have
    /// changed: only a regular file of the job's own (`owner`, the directory's owner) with no
    /// other name is read, never what a symlink or a hard link planted there points to.
    init?(captured path: String, owner: uid_t) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_uid == owner, st.st_nlink == 1 else {
            close(fd)
            return nil
        }
        self.fd = fd
        self.path = path
    }

    /// An open descriptor, closed with this.
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Up to `count` bytes, fewer only at end of file; empty at end of file.
    func read(upToCount count: Int) throws -> Data {
        var data = Data(count: count)
        var got = 0
        while got < count {
            let n = data.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ChannelError.io("read \(path)", errno)
            }
            if n == 0 { break }
            got += n
        }
        data.count = got
        return data
    }

    /// The file's size in bytes, if it can be had.
    var size: Int? {
        var st = stat()
        return fstat(fd, &st) == 0 ? Int(st.st_size) : nil
    }
}

/// The path without its last component, as `NSString.deletingLastPathComponent`:
/// `/a/b/c` → `/a/b`, `/a` → `/`, `a` → ``; repeated and trailing slashes are ignored.
func deletingLastPathComponent(_ path: String) -> String {
    var p = ""
    for c in path where !(c == "/" && p.hasSuffix("/")) { p.append(c) }
    if p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    guard let slash = p.lastIndex(of: "/") else { return "" }
    return slash == p.startIndex ? "/" : String(p[..<slash])
}

/// `value` with `places` digits after the point, as `String(format: "%.6f", value)` (C's printf).
func fixedPoint(_ value: Double, places: Int) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    let n = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(places)f", $0) }
    if n >= buffer.count {
        buffer = [CChar](repeating: 0, count: Int(n) + 1)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.\(places)f", $0) }
    }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Puts a terminal into raw mode (no echo, no line editing, no translation, 8-bit): bytes pass
/// as they are, as over a socket. Returns 0, or the errno of what failed.
func makeRaw(_ fd: Int32) -> Int32 {
    var t = termios()
    guard tcgetattr(fd, &t) == 0 else { return errno }
    cfmakeraw(&t)
    return tcsetattr(fd, TCSANOW, &t) == 0 ? 0 : errno
}
