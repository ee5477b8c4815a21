import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// Files of real grid jobs crossing into guests and back through the agent channel: the guests
/// do not see the host's files, so the executable, the inputs and the proxy are copied in as the
/// job's user, and the outputs come back into the job's directory.
extension GuestTests {
    static let nobody: uid_t = 65534

    func sha256(_ path: String) throws -> String {
        let (code, out) = try runCommand("/usr/bin/sha256sum", [path])
        #expect(code == 0)
        return String(out.prefix(64))
    }

    func owner(_ path: String) -> uid_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_uid : nil
    }

    /// Writes a file the job's user (root's jobs run as nobody) may read; `mode` 0600 makes it
    /// nobody's alone, as a proxy is.
    func file(_ path: String, _ data: Data, mode: mode_t = 0o644) throws {
        try data.write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        if mode & 0o044 == 0 { chown(path, Self.nobody, Self.nobody) }
    }

    @Test("an HTCondor submit file with transfer_input_files (a file and a directory), transfer_output_files and x509userproxy runs in a guest: its outputs land in the submit directory, owned by the user")
    func condorTransferIntoAGuest() throws {
        let d = try TestDaemon(config: vmConfig(slots: 1, maxWorkspaces: 1))
        defer { cleanUp(d) }
        try d.start()
        let dir = try d.makeDirectory("stage")
        try file(dir + "/input.txt", Data("first input\n".utf8))
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try file(dir + "/data/part1", Data("part one\n".utf8))
        try file(dir + "/data/part2", Data("part two\n".utf8))
        try file(dir + "/big.bin", Data((0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }))
        try file(dir + "/x509up_test", Data("-----BEGIN CERTIFICATE-----\nproxy v1\n".utf8), mode: 0o600)
        try file(dir + "/analyze.sh", Data("""
            #!/bin/sh
            cat input.txt data/part1 data/part2 > combined.txt
            sha256sum big.bin | cut -c1-64 > big.sum
            echo "proxy at $X509_USER_PROXY"; cat "$X509_USER_PROXY"
            stat -c '%a %U' "$X509_USER_PROXY"
            echo "ran as $(id -un) in $(pwd)"; ls
            echo scratch > not-declared.txt
            """.utf8), mode: 0o755)
        try """
            universe = vanilla
            executable = analyze.sh
            initialdir = \(dir)
            output = job.out
            error = job.err
            log = job.log
            transfer_input_files = input.txt, data, big.bin
            transfer_output_files = combined.txt, big.sum
            x509userproxy = x509up_test
            +WorkspaceClass = "vm"
            queue
            """.write(toFile: dir + "/job.sub", atomically: true, encoding: .utf8)
        let (code, out) = try cli(d, ["submit", "--json", "job.sub"], in: dir)
        #expect(code == 0, "\(out)")
        struct Row: Decodable { var job: Int64 }
        let ids = try JSONDecoder().decode([Row].self, from: Data(out.utf8)).map(\.job)
        let started = Date()
        let j = try d.waitAll(ids, timeout: 400)[0]
        #expect(j.state == .done, "\(j.state) \(j.reason ?? "") \(d.daemonLog.suffix(3000))")
        let text = read(d, "stage/job.out")
        #expect(try String(contentsOfFile: dir + "/combined.txt", encoding: .utf8) == "first input\npart one\npart two\n")
        #expect(try String(contentsOfFile: dir + "/big.sum", encoding: .utf8) == (try sha256(dir + "/big.bin")) + "\n",
                "8 MiB arrived byte for byte")
        #expect(text.contains("proxy at /tmp/wsbridge/run-\(ids[0])-1/x509up_test"), "\(text)")
        #expect(text.contains("proxy v1"))
        #expect(text.contains("600 nobody"), "the proxy is the user's alone inside: \(text)")
        #expect(text.contains("ran as nobody in /tmp/wsbridge/run-\(ids[0])-1"), "\(text)")
        for name in ["combined.txt", "big.sum"] { #expect(owner(dir + "/" + name) == Self.nobody, "\(name) is the user's") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/not-declared.txt"), "only declared outputs come back")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("wsbridge-part") }
        #expect(left.isEmpty, "no partial file left: \(left)")
        let log = try String(contentsOfFile: dir + "/job.log", encoding: .utf8)
        #expect(log.contains("Normal termination (return value 0)"))
        print("condor job with 8 MiB of inputs through a guest: submit to done \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    @Test("without transfer_output_files every file the run created or changed at the top of its directory comes back; a refreshed proxy reaches the running job")
    func changedFilesAndProxyRefresh() throws {
        let d = try TestDaemon(config: vmConfig(slots: 1, maxWorkspaces: 1))
        defer { cleanUp(d) }
        try d.start()
        let dir = try d.makeDirectory("refresh")
        let proxy = dir + "/x509up_u65534"
        try file(proxy, Data("proxy v1\n".utf8), mode: 0o600)
        try file(dir + "/kept.txt", Data("input, unchanged\n".utf8))
        let script = """
            for i in $(seq 60); do grep -q 'proxy v2' "$X509_USER_PROXY" && break; sleep 0.5; done
            cat "$X509_USER_PROXY"; echo new > made.txt; echo changed >> kept2.txt; mkdir sub; echo x > sub/deep
            """
        var spec = JobSpec(executable: "/bin/sh", arguments: ["-c", script], environment: ["X509_USER_PROXY": proxy], directory: dir,
                           stdout: dir + "/r.out", workspace: .named("vm"))
        spec.transfer = FileTransfer(inputs: [dir + "/kept.txt"], credential: proxy)
        let ids = try d.submit([spec])
        try d.waitUntil(timeout: 300, "running") { try d.status(ids)[0].state == .running }
        let refreshed = Date()
        try file(proxy + ".new", Data("proxy v2\n".utf8), mode: 0o600)
        #expect(rename(proxy + ".new", proxy) == 0)
        let j = try d.waitAll(ids, timeout: 120)[0]
        #expect(j.state == .done, "\(j.reason ?? "")")
        #expect(read(d, "refresh/r.out") == "proxy v2\n", "the job saw the refreshed proxy")
        print("proxy refresh reached the guest's job within \(String(format: "%.1f", (j.endedAt ?? 0) - refreshed.timeIntervalSince1970)) s")
        #expect(try String(contentsOfFile: dir + "/made.txt", encoding: .utf8) == "new\n")
        #expect(try String(contentsOfFile: dir + "/kept2.txt", encoding: .utf8) == "changed\n")
        #expect(try String(contentsOfFile: dir + "/kept.txt", encoding: .utf8) == "input, unchanged\n")
        #expect(try String(contentsOfFile: proxy, encoding: .utf8) == "proxy v2\n", "the host's proxy is not overwritten by the guest's copy")
        #expect(!FileManager.default.fileExists(atPath: dir + "/sub"), "only files at the top, as HTCondor")
    }

    @Test("an input the user cannot read fails the job with the reason, and nothing runs")
    func unreadableInputFails() throws {
        let d = try TestDaemon(config: vmConfig(slots: 1, maxWorkspaces: 1))
        defer { cleanUp(d) }
        try d.start()
        let dir = try d.makeDirectory("denied")
        try Data("root's secret\n".utf8).write(to: URL(fileURLWithPath: dir + "/secret"))
        chmod(dir + "/secret", 0o600)
        var spec = JobSpec(executable: "/bin/sh", arguments: ["-c", "cat secret; echo ran"], directory: dir, stdout: dir + "/o",
                           workspace: .named("vm"))
        spec.transfer = FileTransfer(inputs: [dir + "/secret"])
        let j = try d.waitAll(try d.submit([spec]), timeout: 300)[0]
        #expect(j.state == .failed)
        #expect(j.reason?.contains("cannot read \(dir)/secret: Permission denied") == true, "\(j.reason ?? "")")
        #expect(!FileManager.default.fileExists(atPath: dir + "/o"))
    }

    /// Size of the file of the fault test; 200 for the issue's figure (slow with a debug daemon).
    static var faultMB: Int { Int(ProcessInfo.processInfo.environment["WSBRIDGE_STAGING_FAULT_MB"] ?? "") ?? 24 }

    @Test("a daemon killed with -9 during a stage-in and again during a stage-out: the job ends once, its output byte-identical, nothing partial under a final name")
    func daemonKilledMidTransfer() throws {
        let d = try TestDaemon(config: vmConfig(slots: 1, maxWorkspaces: 1, memoryMB: 1024))
        defer { cleanUp(d) }
        try d.start()
        let dir = try d.makeDirectory("fault")
        let mb = Self.faultMB
        try file(dir + "/big.bin", Data((0..<(mb << 20)).map { UInt8(truncatingIfNeeded: $0 &* 40503 >> 5) }))
        let want = try sha256(dir + "/big.bin")
        var spec = JobSpec(executable: "/bin/sh", arguments: ["-c", "sha256sum big.bin | cut -c1-64 > in.sum; cp big.bin copy.bin"],
                           directory: dir, stdout: dir + "/f.out", workspace: .named("vm"))
        spec.transfer = FileTransfer(inputs: [dir + "/big.bin"], outputs: ["in.sum", "copy.bin"])
        let ids = try d.submit([spec])
        // Stage-in under way: the job was sent to its (booted) guest and has not started.
        try d.waitUntil(timeout: 300, "the guest up and the job starting") {
            try d.status(ids)[0].state == .starting && workspaces(d).contains { $0.state == .busy }
        }
        sleep(2)
        #expect(try d.status(ids)[0].state == .starting, "still staging in when killed (a larger WSBRIDGE_STAGING_FAULT_MB if not)")
        d.kill9()
        try d.start()
        // Stage-out under way: the daemon's hidden copy of the output is there, the final name not yet.
        let part = ".wsbridge-part-\(ids[0])."
        try d.waitUntil(timeout: 600, "the output on its way back") {
            try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.hasPrefix(part) && $0.hasSuffix("copy.bin") }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/copy.bin"), "a partial output is never under its name")
        d.kill9()
        try d.start()
        let j = try d.waitAll(ids, timeout: 600)[0]
        #expect(j.state == .done, "\(j.state) \(j.reason ?? "")")
        #expect(j.failures == 0, "no failed run counted")
        #expect(j.attempts == 2, "the interrupted stage-in never started a run; the one run that did ended once")
        #expect(try String(contentsOfFile: dir + "/in.sum", encoding: .utf8) == want + "\n", "the input arrived byte for byte")
        #expect(try sha256(dir + "/copy.bin") == want, "the output came back byte for byte")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("wsbridge-part") }
        #expect(left.isEmpty, "nothing partial left: \(left)")
        print("daemon killed during a \(mb) MiB stage-in and during its stage-out: done after \(j.attempts) attempts, sha256 \(want.prefix(16))… both ways")
    }
}
