import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// Guests on a remote libvirt host: images uploaded into a storage pool there, the agent channel
/// brought back through libvirt. Opt-in like `GuestTests`, plus `WSBRIDGE_REMOTE_URI`: a URI
/// naming a host, which `Tests/remote-libvirt/loopback-ssh.sh` makes out of this machine's own
/// libvirtd (`qemu+ssh://root@127.0.0.1:2222/system?...`).
@Suite("Jobs in guests on a remote libvirt host (WSBRIDGE_REMOTE_URI)", .serialized,
       .enabled(if: guestTestsEnabled && !(ProcessInfo.processInfo.environment["WSBRIDGE_REMOTE_URI"] ?? "").isEmpty))
struct RemoteHostGuestTests {
    static let env = ProcessInfo.processInfo.environment
    let uri = Self.env["WSBRIDGE_REMOTE_URI"] ?? ""
    let guestDir = Self.env["WSBRIDGE_GUEST_DIR"] ?? ""
    let pool = "wsb-test-\(getpid())"
    let poolPath = "/var/tmp/wsb-test-pool-\(getpid())"

    func config(idle: Int = 600, warm: Int = 0, warmMode: String = "running") -> String {
        """
        [throttle]
        max_running = 8
        start_rate = 1000.0
        max_creating = 2
        [[class]]
        name = "vm"
        provider = "libvirt"
        slots = 2
        max_workspaces = 1
        memory_mb = 256
        cpus = 1
        idle_timeout_seconds = \(idle)
        warm_workspaces = \(warm)
        warm_mode = "\(warmMode)"
        [class.settings]
        uris = "\(uri)"
        domain_type = "qemu"
        kernel = "\(guestDir)/vmlinux"
        initrd = "\(guestDir)/initrd.img"
        image = "\(guestDir)/disk.qcow2"
        storage_pool = "\(pool)"
        storage_pool_path = "\(poolPath)"
        boot_timeout_seconds = 180
        """
    }

    func job(_ script: String, _ d: TestDaemon, out: String, err: String? = nil, stdin: String? = nil) -> JobSpec {
        JobSpec(executable: "/bin/sh", arguments: ["-c", script], directory: d.work, stdin: stdin,
                stdout: "\(d.work)/\(out)", stderr: err.map { "\(d.work)/\($0)" }, workspace: .named("vm"))
    }

    func read(_ d: TestDaemon, _ name: String) -> String {
        (try? String(contentsOfFile: "\(d.work)/\(name)", encoding: .utf8)) ?? ""
    }

    func workspaces(_ d: TestDaemon) throws -> [Workspace] {
        try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).map(\.workspace)
    }

    func virsh(_ args: [String]) -> String { Virsh.run(uri, args) }

    func volumes() -> [String] {
        _ = virsh(["pool-refresh", pool])
        return virsh(["vol-list", pool]).split(separator: "\n").dropFirst(2)
            .compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    func cleanUp(_ d: TestDaemon) {
        d.cleanUp()
        let scope = GuestTests.scope(of: d.stateDir + "/libvirt")
        for name in virsh(["list", "--all", "--name"]).split(separator: "\n") where name.contains(scope) {
            _ = virsh(["destroy", String(name)])
            _ = virsh(["undefine", String(name)])
        }
        _ = virsh(["pool-destroy", pool])
        _ = virsh(["pool-undefine", pool])
        try? FileManager.default.removeItem(atPath: poolPath)
    }

    @Test("a job runs in a guest on the remote host: images uploaded once into its pool, its root an overlay made there, channel through libvirt, output back; a daemon killed with -9 re-adopts the guest; reaping removes its files there")
    func jobOnRemoteHost() throws {
        let d = try TestDaemon(config: config(idle: 2))
        defer { cleanUp(d) }
        try d.start()
        try "from-the-submitter\n".write(toFile: d.work + "/in.txt", atomically: true, encoding: .utf8)
        let ids = try d.submit([
            job("uname -r; cat; echo err >&2; cat /etc/wsbridge-image", d, out: "a.out", err: "a.err", stdin: d.work + "/in.txt"),
            job("sleep 12; echo long-done", d, out: "long.out"),
        ])
        try d.waitUntil(timeout: 300, "the long job running") { try d.status([ids[1]])[0].state == .running }
        let ws = try #require(try workspaces(d).first)
        #expect(ws.endpoint.hasPrefix("/run/wsbridge/"), "a local socket forwarded to the guest: \(ws.endpoint)")
        let domain = LibvirtDomainName.of(ws)
        let xml = virsh(["dumpxml", domain])
        #expect(xml.contains("<kernel>\(poolPath)/sha256-"), "the kernel is the host's uploaded copy")
        let uploaded = volumes().filter { $0.hasPrefix("sha256-") }
        #expect(uploaded.count == 6, "kernel, initramfs and disk image, each with its completion marker: \(uploaded)")
        #expect(volumes().contains("\(domain).qcow2"), "the guest's overlay disk, made by libvirt on the host")

        // The daemon dies with the forwarder; started again, it re-adopts the guest and its job.
        d.kill9()
        sleep(2)
        try d.start()
        let jobs = try d.waitAll(ids, timeout: 120)
        #expect(jobs.allSatisfy { $0.state == .done && $0.attempts == 1 }, "\(jobs.map { "\($0.state) \($0.attempts) \($0.reason ?? "")" }) \(d.daemonLog.suffix(2000))")
        let lines = read(d, "a.out").split(separator: "\n").map(String.init)
        #expect(lines.count == 3 && lines[0] != GuestTests.hostKernel && lines[1] == "from-the-submitter", "\(lines)")
        #expect(lines.last?.hasPrefix("wsbridge guest disk image") == true, "the root is the uploaded image's overlay")
        #expect(read(d, "a.err") == "err\n")
        #expect(read(d, "long.out") == "long-done\n")
        #expect(try workspaces(d).map(\.id) == [ws.id], "the same guest, adopted")

        // Idle past 2 s, the guest is reaped: its serial log goes from the pool, the images stay.
        try d.waitUntil(timeout: 60, "reaped") { try workspaces(d).isEmpty }
        let left = volumes()
        #expect(!left.contains { $0.hasPrefix(domain) }, "\(left)")
        #expect(left.filter { $0.hasPrefix("sha256-") }.count == 6, "images are kept for the next guest")
    }

    /// The loopback "host" of `WSBRIDGE_REMOTE_URI`: its sshd's directory and port.
    var loopback: (dir: String, port: String)? {
        guard let c = URLComponents(string: uri), let port = c.port,
              let key = c.queryItems?.first(where: { $0.name == "keyfile" })?.value else { return nil }
        return ((key as NSString).deletingLastPathComponent, String(port))
    }

    func loopbackSSH(_ args: [String]) -> Int32 {
        (try? runCommand("Tests/remote-libvirt/loopback-ssh.sh", args, withStderr: false))?.0 ?? -1
    }

    @Test("the remote host goes away mid-job (its ssh killed) and comes back: the job, which ended meanwhile, is reported once with its output; nothing is requeued",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "Tests/remote-libvirt/loopback-ssh.sh")))
    func hostOutage() throws {
        let (dir, port) = try #require(loopback, "a loopback-ssh URI")
        let d = try TestDaemon(config: config())
        defer { cleanUp(d) }
        try d.start()
        let ids = try d.submit([job("sleep 8; echo survived", d, out: "o.out")])
        try d.waitUntil(timeout: 300, "running") { try d.status(ids)[0].state == .running }
        let ws = try #require(try workspaces(d).first)
        #expect(loopbackSSH(["--stop", dir]) == 0)
        sleep(14) // the job ends while its host is away
        #expect(try d.status(ids)[0].state == .running, "a silent host is no evidence of a dead job")
        #expect(loopbackSSH([dir, port]) == 0, "the host is back on the same port")
        let j: Job
        do { j = try d.waitAll(ids, timeout: 120)[0] } catch {
            Issue.record("\(error)\n\(d.daemonLog.suffix(4000))")
            return
        }
        #expect(j.state == .done && j.attempts == 1 && j.workspaceID == ws.id,
                "\(j.state) \(j.attempts) \(j.reason ?? "") \(d.daemonLog.suffix(3000))")
        #expect(read(d, "o.out") == "survived\n")
    }

    @Test("a saved warm guest on the remote host is restored for a job; its save file lives and dies in the pool")
    func savedGuestOnRemoteHost() throws {
        let d = try TestDaemon(config: config(warm: 1, warmMode: "saved"))
        defer { cleanUp(d) }
        try d.start()
        try d.waitUntil(timeout: 300, "a warm guest saved") { try workspaces(d).first?.state == .saved }
        let parked = try workspaces(d)[0]
        let domain = LibvirtDomainName.of(parked)
        #expect(volumes().contains("\(domain).save"), "the save file is on the host, in the pool")
        let ids = try d.submit([job("uname -r", d, out: "s.out")])
        let j = try d.waitAll(ids, timeout: 120)[0]
        #expect(j.state == .done && j.workspaceID == parked.id, "\(j.state) \(j.reason ?? "") \(d.daemonLog.suffix(2000))")
        #expect(!read(d, "s.out").isEmpty && read(d, "s.out") != GuestTests.hostKernel + "\n")
        print(String(format: "remote saved guest: submit to start %.0f ms", ((j.startedAt ?? 0) - j.submittedAt) * 1000))
        try d.waitUntil(timeout: 120, "saved again") { try workspaces(d).first?.state == .saved }
    }
}
