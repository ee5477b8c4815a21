import AgentProtocol
import CLibvirt
import Foundation

/// A local Unix socket that leads to a guest's agent channel on another host: each connection
/// accepted here opens the channel through libvirt (`virDomainOpenChannel`) and is pumped to it.
/// To the daemon the remote guest then looks like a local one: its endpoint is a socket path.
///
/// Like QEMU's own channel socket, a connection is accepted at once and stays open while the
/// guest runs, even before its agent has opened the port; it ends when the guest is gone or the
/// channel cannot be opened within `openTimeout`.
final class ChannelForwarder: @unchecked Sendable {
    let socketPath: String
    let domain: LibvirtDomain
    let openTimeout: Double
    private let listenFD: Int32
    private let lock = NSLock()
    private var pumps: [ObjectIdentifier: ChannelPump] = [:]
    private var stopped = false

    init(socketPath: String, domain: LibvirtDomain, openTimeout: Double = 60) throws {
        self.socketPath = socketPath
        self.domain = domain
        self.openTimeout = openTimeout
        listenFD = try UnixSocket.listen(path: socketPath)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "channel \(domain.name)"
        thread.start()
    }

    /// Closes the listener and every open connection, and removes the socket file.
    func stop() {
        let open: [ChannelPump] = lock.withLock {
            if stopped { return [] }
            stopped = true
            defer { pumps = [:] }
            return Array(pumps.values)
        }
        shutdown(listenFD, Int32(SHUT_RDWR))
        for p in open { p.close() }
        unlink(socketPath)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            if lock.withLock({ stopped }) { Glibc.close(client); break }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            Task { await self.connect(client) }
        }
        Glibc.close(listenFD)
    }

    /// Opens the channel for one accepted client, retrying while the guest runs and the port is
    /// not there yet (a guest being restored, or its QEMU still starting).
    private func connect(_ client: Int32) async {
        let deadline = Date().addingTimeInterval(openTimeout)
        while !lock.withLock({ stopped }) {
            do {
                let stream = try await domain.openChannel(DomainXML.agentChannelName)
                let pump = try ChannelPump(stream: stream.pointer, fd: client) { [weak self] in self?.forgetClosed() }
                let keep = lock.withLock { () -> Bool in
                    if stopped { return false }
                    pumps[ObjectIdentifier(pump)] = pump
                    return true
                }
                if !keep { pump.close() }
                return
            } catch {
                let running = (try? await domain.state().isActive) ?? false
                if !running || Date() > deadline { break }
                // Usually the previous stream still closing on the host: a moment, not a boot.
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        Glibc.close(client)
    }

    private func forgetClosed() {
        lock.withLock { pumps = pumps.filter { !$0.value.isClosed } }
    }
}

/// The provider's forwarders, by domain name.
final class ChannelForwarders: @unchecked Sendable {
    private let lock = NSLock()
    private var byDomain: [String: ChannelForwarder] = [:]

    /// Starts a forwarder for `domain` at `socketPath` unless one runs already.
    func ensure(domain: LibvirtDomain, socketPath: String, openTimeout: Double) throws {
        try lock.withLock {
            if let f = byDomain[domain.name], f.socketPath == socketPath { return }
            byDomain.removeValue(forKey: domain.name)?.stop()
            byDomain[domain.name] = try ChannelForwarder(socketPath: socketPath, domain: domain, openTimeout: openTimeout)
        }
    }

    func stop(_ domainName: String) {
        lock.withLock { byDomain.removeValue(forKey: domainName) }?.stop()
    }
}
