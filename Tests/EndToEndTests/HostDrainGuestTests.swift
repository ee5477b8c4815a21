import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// Draining a libvirt host: its guests running jobs move live to the class's other host, and the
/// jobs finish there once. Opt-in like `RemoteHostGuestTests`, plus `WSBRIDGE_SECOND_HOST_SOCKET`:
/// the socket of a second libvirtd with its own state, host UUID and storage
/// (`contrib/libvirt/second-host.sh DIR WSBRIDGE_SECOND_HOST_POOL`), reached through the same
/// loopback ssh as `WSBRIDGE_REMOTE_URI`: two hosts that share no file, as two machines would.
@Suite("Draining a libvirt host: guests move live (WSBRIDGE_SECOND_HOST_SOCKET)", .serialized,
       .enabled(if: guestTestsEnabled && !(ProcessInfo.processInfo.environment["WSBRIDGE_REMOTE_URI"] ?? "").isEmpty
                && !(ProcessInfo.processInfo.environment["WSBRIDGE_SECOND_HOST_SOCKET"] ?? "").isEmpty))
struct HostDrainGuestTests {
    static let env = ProcessInfo.processInfo.environment
    let hostA = Self.env["WSBRIDGE_REMOTE_URI"] ?? ""
    var hostB: String { "\(hostA)&socket=\(Self.env["WSBRIDGE_SECOND_HOST_SOCKET"] ?? "")" }
    let guestDir = Self.env["WSBRIDGE_GUEST_DIR"] ?? ""
    let pool = "wsb-drain-\(getpid())"
    /// Bound to a directory of its own in the second host (second-host.sh's STORAGE).
    let poolPath = Self.env["WSBRIDGE_SECOND_HOST_POOL"] ?? "/var/tmp/wsb-drain-pool"

    var config: String {
        """
        [throttle]
        max_running = 8
        start_rate = 1000.0
        max_creating = 2
        [[class]]
        name = "vm"
        provider = "libvirt"
        slots = 2
        max_workspaces = 2
        memory_mb = 256
        cpus = 1
        idle_timeout_seconds = 600
        [class.settings]
        uris = "\(hostA),\(hostB)"
        domain_type = "qemu"
        kernel = "\(guestDir)/vmlinux"
        initrd = "\(guestDir)/initrd.img"
        image = "\(guestDir)/disk.qcow2"
        storage_pool = "\(pool)"
        storage_pool_path = "\(poolPath)"
        boot_timeout_seconds = 180
        """
    }

    func hosts(_ d: TestDaemon) throws -> [String: HostStatus] {
        Dictionary(uniqueKeysWithValues: try d.client.get("/v1/hosts", as: [HostStatus].self).map { ($0.uri, $0) })
    }

    func drain(_ d: TestDaemon, _ uri: String) throws -> DrainReply {
        try d.client.post("/v1/hosts/drain", HostRequest(uri: uri), as: DrainReply.self)
    }

    func cleanUp(_ d: TestDaemon) {
        d.cleanUp()
        let scope = GuestTests.scope(of: d.stateDir + "/libvirt")
        for uri in [hostA, hostB] {
            for name in Virsh.run(uri, ["list", "--all", "--name"]).split(separator: "\n") where name.contains(scope) {
                _ = Virsh.run(uri, ["destroy", String(name)])
                _ = Virsh.run(uri, ["undefine", String(name)])
            }
            _ = Virsh.run(uri, ["pool-destroy", pool])
            _ = Virsh.run(uri, ["pool-undefine", pool])
        }
        // The first host's pool directory; the second's is its own, behind the same path.
        try? FileManager.default.contentsOfDirectory(atPath: poolPath).forEach { try? FileManager.default.removeItem(atPath: "\(poolPath)/\($0)") }
    }

    @Test("a drained host takes no guest; draining the host of 2 guests running 4 jobs moves both live to the other host (refused while that one is drained too; a migration that fails leaves its guest running where it was), the jobs finish once in the same kernels, the drain outlives a restart, and idle guests are destroyed, not moved")
    func drainMovesRunningGuests() throws {
        let d = try TestDaemon(config: config)
        defer { cleanUp(d) }
        try d.start()
        // B drained: both guests are made on A.
        let first = try drain(d, hostB)
        #expect(first.moved.isEmpty && first.destroyed.isEmpty && first.notMoved.isEmpty)
        // Each job prints its guest's boot id before and after: the same kernel all along.
        let ids = try d.submit((1...4).map { i in
            JobSpec(executable: "/bin/sh", arguments: ["-c", "cat /proc/sys/kernel/random/boot_id; sleep 30; cat /proc/sys/kernel/random/boot_id; echo done-\(i)"],
                    directory: d.work, stdout: "\(d.work)/\(i).out", workspace: .named("vm"))
        })
        try d.waitUntil(timeout: 300, "4 jobs running") { try d.status(ids).allSatisfy { $0.state == .running } }
        var before = try hosts(d)
        #expect(before[hostA]?.workspaces.count == 2 && before[hostB]?.workspaces.isEmpty == true, "\(before)")

        // Nowhere to go: the guests stay, running their jobs.
        let refused = try drain(d, hostA)
        #expect(refused.moved.isEmpty && refused.notMoved.count == 2, "\(refused)")
        #expect(refused.notMoved.allSatisfy { $0.reason.contains("no other host") }, "\(refused.notMoved)")
        #expect(try d.status(ids).allSatisfy { $0.state == .running })

        _ = try d.client.post("/v1/hosts/undrain", HostRequest(uri: hostB), as: HostStatus.self)
        // A migration that fails in libvirt (B already has a domain of that name): that guest stays
        // on A, running its jobs; the other one moves.
        let guests = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).map(\.workspace).sorted { $0.id < $1.id }
        let blocked = LibvirtDomainName.of(guests[0])
        let dummy = NSTemporaryDirectory() + "wsb-dummy-\(getpid()).xml"
        try "<domain type='qemu'><name>\(blocked)</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>"
            .write(toFile: dummy, atomically: true, encoding: .utf8)
        _ = Virsh.run(hostB, ["define", dummy])
        let partial = try drain(d, hostA)
        #expect(partial.moved.map(\.workspace) == [guests[1].id] && partial.notMoved.map(\.workspace) == [guests[0].id],
                "\(partial) \(d.daemonLog.suffix(3000))")
        #expect(partial.notMoved.first?.reason.contains("already exists") == true, "\(partial.notMoved)")
        #expect(Virsh.run(hostA, ["domstate", blocked]).hasPrefix("running"), "the guest whose move failed runs where it was")
        #expect(try d.status(ids).allSatisfy { $0.state == .running })
        _ = Virsh.run(hostB, ["undefine", blocked])
        let reply = try drain(d, hostA)
        #expect(reply.moved.map(\.workspace) == [guests[0].id] && reply.notMoved.isEmpty, "\(reply) \(d.daemonLog.suffix(3000))")
        let moves = partial.moved + reply.moved
        #expect(moves.allSatisfy { $0.to == hostB })
        #expect(moves.flatMap(\.jobs).sorted() == ids.sorted())
        for m in moves { print(String(format: "live migration of %@ (256 MiB, disk overlay copied): %.2f s", m.workspace, m.seconds)) }
        let after = try hosts(d)
        #expect(after[hostA]?.workspaces.isEmpty == true && after[hostA]?.drainedSince != nil, "\(after)")
        #expect(after[hostB]?.workspaces.count == 2 && after[hostB]?.drainedSince == nil, "\(after)")

        let jobs = try d.waitAll(ids, timeout: 180)
        #expect(jobs.allSatisfy { $0.state == .done && $0.attempts == 1 }, "\(jobs.map { "\($0.state) \($0.attempts) \($0.reason ?? "")" }) \(d.daemonLog.suffix(3000))")
        for i in 1...4 {
            let lines = ((try? String(contentsOfFile: "\(d.work)/\(i).out", encoding: .utf8)) ?? "").split(separator: "\n")
            #expect(lines.count == 3 && lines[0] == lines[1] && lines[2] == "done-\(i)", "job \(i): \(lines)")
        }
        #expect(try d.client.get("/v1/events?after=0&limit=1000", as: EventsReply.self).events.filter { $0.kind == "workspace-moved" }.count == 2)

        // The drain is kept: after a restart A is still drained, and the guests are adopted on B.
        d.kill9()
        try d.start()
        before = try hosts(d)
        #expect(before[hostA]?.drainedSince == after[hostA]?.drainedSince && before[hostB]?.drainedSince == nil, "\(before)")
        try d.waitUntil(timeout: 60, "the guests adopted on B") {
            try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).filter { $0.workspace.state == .ready }.count == 2
        }

        // Guests without jobs are not moved but destroyed.
        let idle = try drain(d, hostB)
        #expect(idle.destroyed.count == 2 && idle.moved.isEmpty && idle.notMoved.isEmpty, "\(idle)")
        #expect(try hosts(d).values.allSatisfy { $0.workspaces.isEmpty && $0.drainedSince != nil })
    }
}
