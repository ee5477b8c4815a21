import AgentProtocol
import CLibvirt
import Foundation

/// A local Unix socket that leads to a guest's agent channel on another host: each connection
/// accepted here opens the channel through libvirt (`virDomainOpenChannel`) and is pumped to it.
/// To the daemon the remote guest then looks like a local one: its endpoint is a socket path.
///
/// Like QEMU's own channel socket, a connection is accepted at once and stays open while the
/// guest is there, even before its agent has opened the port. While its host does not answer,
/// the connection waits, silent, and the channel is opened once the host is back: an outage of
/// the host (or of the link to it) neither ends the guest's jobs nor makes the daemon spin. The
/// connection ends when the guest is gone or stopped, or when a running guest's channel cannot
/// be opened within `openTimeout`.
final class ChannelForwarder: @unchecked Sendable {
    let socketPath: String
    let uri: String
    let domainName: String
    let hosts: LibvirtHostPool
    let openTimeout: Double
    private let listenFD: Int32
    private let lock = NSLock()
    private var pumps: [ObjectIdentifier: ChannelPump] = [:]
    private var stopped = false

    init(socketPath: String, uri: String, domainName: String, hosts: LibvirtHostPool, openTimeout: Double = 60) throws {
        self.socketPath = socketPath
        self.uri = uri
        self.domainName = domainName
        self.hosts = hosts
        self.openTimeout = openTimeout
        listenFD = try UnixSocket.listen(path: socketPath)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "channel \(domainName)"
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

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            if isStopped { Glibc.close(client); break }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            Task { await self.connect(client) }
        }
        Glibc.close(listenFD)
    }

    /// What an attempt to open the channel found.
    enum Attempt {
        case opened(SendablePointer, LibvirtConnection)
        /// The guest is gone or stopped: nothing to wait for.
        case guestGone
        /// The guest runs but its channel did not open (the previous stream still closing, QEMU
        /// still starting): try again shortly, up to `openTimeout`.
        case notYet
        /// The host did not answer: wait for it, however long.
        case hostUnreachable
    }

    func attempt() async -> Attempt {
        do {
            // Through the pool: a connection lost in an outage is opened anew once the host is back.
            let connection = try await hosts.connection(uri)
            let domain = try await connection.lookupDomain(name: domainName)
            do {
                return .opened(try await domain.openChannel(DomainXML.agentChannelName), connection)
            } catch {
                if error.isHostFailure { return .hostUnreachable }
                return try await domain.state().isActive ? .notYet : .guestGone
            }
        } catch {
            return error.isNoDomain ? .guestGone : error.isHostFailure ? .hostUnreachable : .notYet
        }
    }

    /// Opens the channel for one accepted client and pumps it, or closes the client.
    private func connect(_ client: Int32) async {
        var deadline = Date().addingTimeInterval(openTimeout)
        loop: while !isStopped {
            switch await attempt() {
            case .opened(let stream, let connection):
                do {
                    let pump = try ChannelPump(stream: stream.pointer, fd: client) { [weak self] in self?.forgetClosed() }
                    // A stream does not always hear that its connection died: the pump must end
                    // then, so that the daemon reconnects (and waits here for the host).
                    connection.onClose { [weak pump] _ in pump?.close() }
                    let keep = lock.withLock { () -> Bool in
                        if stopped { return false }
                        pumps[ObjectIdentifier(pump)] = pump
                        return true
                    }
                    if !keep { pump.close() }
                    return // the pump owns the client now
                } catch {
                    break loop
                }
            case .guestGone:
                break loop
            case .notYet:
                if Date() > deadline { break loop }
                try? await Task.sleep(nanoseconds: 50_000_000)
            case .hostUnreachable:
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                deadline = Date().addingTimeInterval(openTimeout)
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

    /// Starts a forwarder for domain `domainName` on `uri` at `socketPath` unless one runs already.
    func ensure(uri: String, domainName: String, socketPath: String, hosts: LibvirtHostPool, openTimeout: Double) throws {
        try lock.withLock {
            if let f = byDomain[domainName], f.socketPath == socketPath, f.uri == uri { return }
            byDomain.removeValue(forKey: domainName)?.stop()
            byDomain[domainName] = try ChannelForwarder(socketPath: socketPath, uri: uri, domainName: domainName,
                                                        hosts: hosts, openTimeout: openTimeout)
        }
    }

    func stop(_ domainName: String) {
        lock.withLock { byDomain.removeValue(forKey: domainName) }?.stop()
    }
}
