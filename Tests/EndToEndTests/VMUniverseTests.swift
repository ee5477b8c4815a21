import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// The image a user brings, from `Tests/vm-universe/build-image.sh`.
let vmUniverseImageDir = ProcessInfo.processInfo.environment["WSBRIDGE_VM_IMAGE_DIR"]

/// HTCondor `universe = vm` through the CLI, the real daemon and a real libvirtd: the user's
/// own disk boots as the job's workspace, the job ends when the guest powers off. Opt-in, as
/// `GuestTests` (WSBRIDGE_LIBVIRT_E2E=1, WSBRIDGE_GUEST_DIR for the class), plus the user's image:
///
///     Tests/vm-universe/build-image.sh .build/vm-universe
///     WSBRIDGE_LIBVIRT_E2E=1 WSBRIDGE_GUEST_DIR=$PWD/.build/guest-image \
///       WSBRIDGE_VM_IMAGE_DIR=$PWD/.build/vm-universe swift test --filter VMUniverseEndToEndTests
@Suite("HTCondor universe = vm: the user's own VM is the job's workspace (WSBRIDGE_LIBVIRT_E2E=1)", .serialized,
       .enabled(if: guestTestsEnabled && vmUniverseImageDir != nil))
struct VMUniverseEndToEndTests {
    let guests = GuestTests()
    static let markerOffset: UInt64 = 1 << 20
    static let userBytes = "USERDISK-0123456"

    /// A job directory holding what the user brings: a 4 MiB raw disk starting with
    /// `userBytes`, the kernel and the initramfs; all the job's user's (root's jobs run as nobody).
    func userFiles(_ d: TestDaemon, _ name: String) throws -> String {
        let dir = try d.makeDirectory(name)
        var disk = Data(Self.userBytes.utf8)
        disk.append(Data(count: (4 << 20) - disk.count))
        try disk.write(to: URL(fileURLWithPath: dir + "/disk.img"))
        for f in ["vmlinuz", "initrd.img"] {
            try FileManager.default.copyItem(atPath: vmUniverseImageDir! + "/" + f, toPath: dir + "/" + f)
        }
        let nobody = try #require(getpwnam("nobody")).pointee
        for f in ["disk.img", "vmlinuz", "initrd.img"] {
            chmod(dir + "/" + f, 0o644)
            chown(dir + "/" + f, nobody.pw_uid, nobody.pw_gid)
        }
        chown(dir, nobody.pw_uid, nobody.pw_gid)
        return dir
    }

    func submitFile(memory: Int = 256, noOutput: Bool = false, sleep: Int = 0) -> String {
        """
        # a user's own VM: a tiny Linux that marks its disk and powers off
        universe        = vm
        executable      = marker-vm
        vm_type         = kvm
        vm_memory       = \(memory)
        vm_disk         = disk.img:vda:w:raw
        vm_networking   = false
        vm_no_output_vm = \(noOutput ? "true" : "false")
        +VM_Kernel        = "vmlinuz"
        +VM_Initrd        = "initrd.img"
        +VM_Kernel_Params = "console=ttyS0 panic=-1 quiet\(sleep > 0 ? " wsbridge.sleep=\(sleep)" : "")"
        +WorkspaceClass   = "vm"
        log             = vm.log
        queue
        """
    }

    func submit(_ d: TestDaemon, _ dir: String, _ text: String) throws -> (Int32, String, JobID?) {
        try text.write(toFile: dir + "/job.sub", atomically: true, encoding: .utf8)
        let (code, out) = try cli(d, ["submit", "--json", "job.sub"], in: dir)
        struct Row: Decodable { var job: Int64 }
        return (code, out, (try? JSONDecoder().decode([Row].self, from: Data(out.utf8)))?.first?.job)
    }

    /// The marker line the guest wrote at 1 MiB of the disk, if any.
    func marker(_ path: String) -> String? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        try? h.seek(toOffset: Self.markerOffset)
        let data = (try? h.read(upToCount: 200)) ?? Data()
        let line = String(decoding: data.prefix { $0 != 0 && $0 != 10 }, as: UTF8.self)
        return line.hasPrefix("wsbridge-vm-universe ") ? line : nil
    }

    /// The user log once its last event (`last`) is there: the outbox writes it after the commit.
    func userLog(_ d: TestDaemon, _ path: String, last: String = "005") throws -> String {
        var text = ""
        try? d.waitUntil(timeout: 30, "event \(last) in \(path)") {
            text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return events(text).last == last
        }
        return text
    }

    func events(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.first?.isNumber == true }.map { String($0.prefix(3)) }
    }

    func ourDomains(_ d: TestDaemon) -> [String] {
        let scope = GuestTests.scope(of: d.stateDir + "/libvirt")
        return guests.virsh(["list", "--all", "--name"]).split(separator: "\n").map(String.init).filter { $0.contains(scope) }
    }

    @Test("a VM job boots the user's disk, powers off, ends done with HTCondor's events; its changed disk comes back, written by the guest")
    func vmJobPowersOffAndItsDiskComesBack() throws {
        let d = try TestDaemon(config: guests.vmConfig(slots: 1, maxWorkspaces: 2, memoryMB: 512, cpus: 1))
        defer { guests.cleanUp(d) }
        try d.start()
        let dir = try userFiles(d, "vmjob")
        let started = Date()
        let (code, out, id) = try submit(d, dir, submitFile())
        #expect(code == 0, "\(out)")
        guard let id else { return }
        let job = try d.waitAll([id], timeout: 300)[0]
        #expect(job.state == .done && job.exit == .exited(0), "\(job.state) \(job.exit.map { "\($0)" } ?? "-") \(job.reason ?? "") \(d.daemonLog.suffix(3000))")
        #expect(job.workspaceID?.hasPrefix("vm-\(id).") == true, "the job's own workspace: \(job.workspaceID ?? "-")")
        let line = marker(dir + "/disk.img")
        let hex = Self.userBytes.utf8.map { String(format: "%02x", $0) }.joined()
        #expect(line?.hasSuffix(" " + hex) == true, "the returned disk holds what the guest wrote, after reading the user's bytes: \(line ?? "no marker"); reason: \(job.reason ?? "-"); \(d.daemonLog.suffix(2500))")
        var st = stat()
        stat(dir + "/disk.img", &st)
        #expect(st.st_uid == getpwnam("nobody").pointee.pw_uid, "written back as the job's user")
        let log = try userLog(d, dir + "/vm.log")
        #expect(events(log) == ["000", "001", "006", "005"], "\(log)")
        #expect(log.contains("Image size of job updated: 262144") && log.contains("(1) Normal termination (return value 0)"))
        try d.waitUntil(timeout: 30, "the job's VM is destroyed") { try guests.workspaces(d).isEmpty && ourDomains(d).isEmpty }
        print("VM job \(id): done in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; disk back (owner uid \(st.st_uid)): \(line ?? "-"); log events \(events(log))")
    }

    @Test("vm_no_output_vm = true: the guest writes an overlay, nothing comes back; more memory than the class allows is refused at submit")
    func noOutputAndLimits() throws {
        let d = try TestDaemon(config: guests.vmConfig(slots: 1, maxWorkspaces: 2, memoryMB: 512, cpus: 1))
        defer { guests.cleanUp(d) }
        try d.start()
        let dir = try userFiles(d, "vmjob")
        let (refused, why, _) = try submit(d, dir, submitFile(memory: 1024))
        #expect(refused != 0 && why.contains("vm_memory 1024 MiB is more than class vm allows (memory_mb = 512)"), "\(why)")
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/disk.img"))
        let (code, out, id) = try submit(d, dir, submitFile(noOutput: true))
        #expect(code == 0, "\(out)")
        guard let id else { return }
        let job = try d.waitAll([id], timeout: 300)[0]
        #expect(job.state == .done && job.exit == .exited(0), "\(job.state) \(job.reason ?? "")")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/disk.img")) == before, "the user's image is untouched")
        print("refused at submit: \(why.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    @Test("cancel destroys the running VM; hold destroys it and release boots it afresh; a daemon killed while a VM job runs adopts it on restart: no second boot, the job ends once")
    func cancelAndRestart() throws {
        let d = try TestDaemon(config: guests.vmConfig(slots: 1, maxWorkspaces: 2, memoryMB: 512, cpus: 1))
        defer { guests.cleanUp(d) }
        try d.start()
        let dir = try userFiles(d, "cancel")
        let (_, out, id) = try submit(d, dir, submitFile(sleep: 600))
        guard let id else { Issue.record("\(out)"); return }
        try d.waitUntil(timeout: 120, "the VM job runs") { try d.status([id])[0].state == .running }
        #expect(ourDomains(d).count == 1)
        let (cancelCode, cancelOut) = try cli(d, ["cancel", String(id)], in: dir)
        #expect(cancelCode == 0, "\(cancelOut)")
        #expect(try d.waitAll([id], timeout: 60)[0].state == .cancelled)
        try d.waitUntil(timeout: 30, "the cancelled job's VM is destroyed") { ourDomains(d).isEmpty }
        #expect(marker(dir + "/disk.img") == nil)

        // Hold stops the VM as it stops any run; release boots a fresh one from the user's disk.
        let held = try userFiles(d, "hold")
        let (_, out3, id3) = try submit(d, held, submitFile(sleep: 8))
        guard let id3 else { Issue.record("\(out3)"); return }
        try d.waitUntil(timeout: 120, "the VM job runs") { try d.status([id3])[0].state == .running }
        #expect(try cli(d, ["hold", String(id3)], in: held).0 == 0)
        try d.waitUntil(timeout: 30, "the held job's VM is destroyed") { try d.status([id3])[0].state == .held && ourDomains(d).isEmpty }
        #expect(try cli(d, ["release", String(id3)], in: held).0 == 0)
        let released = try d.waitAll([id3], timeout: 300)[0]
        #expect(released.state == .done && marker(held + "/disk.img") != nil, "\(released.state) \(released.reason ?? "")")
        let heldLog = try userLog(d, held + "/vm.log")
        #expect(events(heldLog) == ["000", "001", "006", "012", "013", "001", "006", "005"], "\(heldLog)")

        let again = try userFiles(d, "restart")
        let (_, out2, id2) = try submit(d, again, submitFile(sleep: 25))
        guard let id2 else { Issue.record("\(out2)"); return }
        try d.waitUntil(timeout: 120, "the VM job runs") { try d.status([id2])[0].state == .running }
        let domain = ourDomains(d)
        d.kill9()
        try d.start()
        let job = try d.waitAll([id2], timeout: 300)[0]
        #expect(job.state == .done && job.exit == .exited(0), "\(job.state) \(job.reason ?? "") \(d.daemonLog.suffix(3000))")
        #expect(job.attempts == 1, "adopted, not booted again: \(job.attempts) runs")
        #expect(marker(again + "/disk.img") != nil, "the disk came back after the restart")
        let log = try userLog(d, again + "/vm.log")
        #expect(events(log) == ["000", "001", "006", "005"], "one execute, one terminate: \(log)")
        try d.waitUntil(timeout: 30, "the job's VM is destroyed") { ourDomains(d).isEmpty }
        print("cancel: VM destroyed; restart: domain \(domain) adopted, job \(id2) \(job.state) after \(job.attempts) run(s)")
    }
}
