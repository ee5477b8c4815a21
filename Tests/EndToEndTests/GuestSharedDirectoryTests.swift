import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

extension GuestTests {
    /// A host directory for a class's `binds`, outside the temporary directory (as a site's
    /// `/home` or software area would be); removed by the caller.
    func makeSharedDirectory() throws -> String {
        let dir = "/srv/wsb-share-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o755)
        return dir
    }

    /// Seconds from submit to start of the first job of a fresh guest: mostly the boot.
    func firstJobStart(_ d: TestDaemon, _ script: String) throws -> (Job, Double) {
        let ids = try d.submit([job(script, d, out: "first.out", err: "first.err")])
        let j = try d.waitAll(ids, timeout: 300)[0]
        return (j, (j.startedAt ?? j.submittedAt) - j.submittedAt)
    }

    /// Whether the guest's kernel has 9p (build.sh lists what it lacks beside the image).
    var guestKernelHas9p: Bool {
        (try? String(contentsOfFile: guestDir + "/modules-absent", encoding: .utf8)).map { !$0.contains("9pnet_virtio") } ?? false
    }

    @Test("a class's binds are mounted in its guests at the host's paths: a job as an unprivileged user reads a file there and writes one, owned by that user on the host; host permissions and read-only hold inside",
          arguments: ["virtiofs", "9p"])
    func sharedDirectories(fs: String) throws {
        guard fs != "9p" || guestKernelHas9p else {
            print("shared directories over 9p: not tried, the guest's kernel has no 9p (KERNEL_PACKAGE=linux-image-amd64 has)")
            return
        }
        let rw = try makeSharedDirectory(), ro = try makeSharedDirectory()
        defer { try? FileManager.default.removeItem(atPath: rw); try? FileManager.default.removeItem(atPath: ro) }
        let nobody = try #require(getpwnam("nobody")).pointee
        let mine = rw + "/jobdir"
        try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: false)
        chown(mine, nobody.pw_uid, nobody.pw_gid)
        try "input from the host\n".write(toFile: mine + "/input.txt", atomically: true, encoding: .utf8)
        try "root only\n".write(toFile: rw + "/secret.txt", atomically: true, encoding: .utf8)
        chmod(rw + "/secret.txt", 0o600)
        try "software\n".write(toFile: ro + "/tool.txt", atomically: true, encoding: .utf8)

        let d = try TestDaemon(config: vmConfig(maxWorkspaces: 1, binds: ["\(rw):rw", "\(ro):ro"], sharedFS: fs))
        defer { cleanUp(d) }
        try d.start()
        // Root's jobs run as nobody (root_jobs_run_as), here in the guest as on the host.
        let (j, seconds) = try firstJobStart(d, """
            id -u; cat \(mine)/input.txt; echo written-in-guest > \(mine)/output.txt
            cat \(rw)/secret.txt 2>/dev/null && echo secret-readable || echo secret-refused
            cat \(ro)/tool.txt; touch \(ro)/new 2>/dev/null && echo ro-writable || echo ro-refused
            grep -E ' (\(rw)|\(ro)) ' /proc/mounts | cut -d' ' -f2-4
            """)
        let out = read(d, "first.out")
        #expect(j.state == .done, "\(j.state) \(j.reason ?? "") \(read(d, "first.err")) \(d.daemonLog.suffix(3000))")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.prefix(5) == ["\(nobody.pw_uid)", "input from the host", "secret-refused", "software", "ro-refused"], "\(out)")
        var st = stat()
        #expect(stat(mine + "/output.txt", &st) == 0, "the output is on the host")
        #expect(st.st_uid == nobody.pw_uid && st.st_gid == nobody.pw_gid, "owned by the job's user: \(st.st_uid):\(st.st_gid)")
        #expect((try? String(contentsOfFile: mine + "/output.txt", encoding: .utf8)) == "written-in-guest\n")
        #expect(!FileManager.default.fileExists(atPath: ro + "/new"))
        let mounts = lines.dropFirst(5)
        #expect(mounts.count == 2 && mounts.allSatisfy { $0.contains(" \(fs == "9p" ? "9p" : "virtiofs") ") && $0.contains("nosuid,nodev") },
                "both mounted, nosuid and nodev: \(mounts)")
        print("shared directories over \(fs): first job started \(String(format: "%.1f", seconds)) s after submit; guest mounts: \(lines.dropFirst(5).joined(separator: "; "))")
    }

    @Test("boot time of a guest with and without a shared directory (printed, not asserted)")
    func sharedDirectoryBootTime() throws {
        let rw = try makeSharedDirectory()
        defer { try? FileManager.default.removeItem(atPath: rw) }
        var figures: [String] = []
        let variants: [(binds: [String], fs: String?)] = [([], nil), (["\(rw):rw"], "virtiofs")] + (guestKernelHas9p ? [(["\(rw):rw"], "9p")] : [])
        for (binds, fs) in variants {
            let d = try TestDaemon(config: vmConfig(maxWorkspaces: 1, binds: binds, sharedFS: fs))
            defer { cleanUp(d) }
            try d.start()
            let (j, seconds) = try firstJobStart(d, "true")
            #expect(j.state == .done, "\(j.reason ?? "") \(d.daemonLog.suffix(2000))")
            figures.append("\(fs.map { "with a \($0) share" } ?? "without a share") \(String(format: "%.2f", seconds)) s")
        }
        print("submit to first job start in a fresh guest: \(figures.joined(separator: ", "))")
    }

    /// The reason the daemon logged for the first failed workspace creation, within `timeout`.
    func creationFailure(_ d: TestDaemon, timeout: Double = 240) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = d.daemonLog.split(separator: "\n").first(where: { $0.contains("workspace creation failed") }) {
                return String(line)
            }
            Thread.sleep(forTimeInterval: 1)
        }
        return nil
    }

    @Test("a share that cannot be mounted fails the workspace's start with the reason: in the guest (9p with a kernel without 9p), or on the host (no such directory)")
    func unmountableShareFailsTheStart() throws {
        let rw = try makeSharedDirectory()
        defer { try? FileManager.default.removeItem(atPath: rw) }
        let cases: [(binds: [String], fs: String?, expect: String)] = [
            (["\(rw):rw"], "9p", guestKernelHas9p ? "" : "cannot mount the host's \(rw) (9p tag wsbridge0, rw)"),
            (["/srv/wsb-share-missing-\(UUID().uuidString.prefix(8)):ro"], nil, "wsb-share-missing"),
        ]
        for c in cases where !c.expect.isEmpty {
            let d = try TestDaemon(config: vmConfig(maxWorkspaces: 1, binds: c.binds, sharedFS: c.fs))
            defer { cleanUp(d) }
            try d.start()
            let ids = try d.submit([job("true", d)])
            let failure = creationFailure(d)
            #expect(failure?.contains(c.expect) == true, "\(failure ?? "no failure logged") \(d.daemonLog.suffix(2000))")
            #expect(try d.status(ids)[0].state == .queued, "the job waits for a workspace that can start")
            // The logged error holds the guest's console lines (CR LF): show the one that says why.
            let why = failure?.components(separatedBy: .newlines).first { $0.contains("cannot mount") || $0.contains("does not exist") }
            print("share that cannot be mounted (\(c.fs ?? "virtiofs")): \(why?.trimmingCharacters(in: .whitespaces) ?? failure ?? "")")
        }
    }
}

@Suite("Shared directories: refused at daemon start where guests cannot see them")
struct SharedDirectoryConfigTests {
    static let haveLibvirt = FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/libvirt.so.0")

    @Test("a class on a remote libvirt host with binds: the daemon does not start, and says which class and why",
          .enabled(if: haveLibvirt))
    func remoteClassWithBinds() throws {
        let d = try TestDaemon(config: """
            [[class]]
            name = "far"
            provider = "libvirt"
            binds = ["/home:rw"]
            [class.settings]
            uris = "qemu+ssh://root@node2.invalid/system"
            kernel = "/nonexistent/vmlinuz"
            """)
        defer { d.cleanUp() }
        #expect { try d.start() } throws: { "\($0)".contains("class far") && "\($0)".contains("remote libvirt host") }
    }
}
