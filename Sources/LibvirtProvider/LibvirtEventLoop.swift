import CLibvirt
import Foundation

/// The process-wide libvirt event loop.
///
/// libvirt delivers domain events, close notifications and keepalive probes only while an event
/// loop runs, and the default implementation must be registered before the first connection is
/// opened. `LibvirtConnection.open` calls `start()`, so users rarely need to.
public enum LibvirtEventLoop {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var started = false
    nonisolated(unsafe) private static var failure: LibvirtError?

    /// Registers libvirt's default event implementation, silences libvirt's printing of errors
    /// to stderr (errors are captured and thrown instead), ignores SIGPIPE process-wide, and runs
    /// the loop on its own thread.
    /// Idempotent; the thread lives as long as the process.
    public static func start() throws(LibvirtError) {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        if started { return }
        try LibvirtLibrary.load()
        // Without a handler libvirt prints every error on stderr, including the ones we expect
        // and handle (a missing metadata element, a domain already gone).
        virSetErrorFunc(nil, silentErrorHandler)
        // libvirt's RPC client writes to its socket without MSG_NOSIGNAL: a daemon that dies
        // mid-call would kill this whole process with SIGPIPE instead of failing the call.
        // (virsh ignores SIGPIPE for the same reason.)
        signal(SIGPIPE, SIG_IGN)
        if virEventRegisterDefaultImpl() != 0 {
            let error = LibvirtError.last("virEventRegisterDefaultImpl")
            failure = error
            throw error
        }
        let thread = Thread {
            while true {
                // Blocks until a registered handle or timer fires; returns -1 only on a broken loop.
                if virEventRunDefaultImpl() != 0 { usleep(10_000) }
            }
        }
        thread.name = "libvirt-events"
        thread.start()
        started = true
    }
}

/// A no-op error handler: the error stays available through `virGetLastError`.
private let silentErrorHandler: virErrorFunc = { _, _ in }
