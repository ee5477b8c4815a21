import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

private let canLoopMount = isRoot && FileManager.default.fileExists(atPath: "/dev/loop-control")
    && FileManager.default.isExecutableFile(atPath: "/usr/sbin/mkfs.ext4")

/// Free bytes of the file system holding `path`.
private func freeBytes(_ path: String) -> Int64 {
    var s = statvfs()
    guard statvfs(path, &s) == 0 else { return -1 }
    return Int64(s.f_bavail) * Int64(s.f_frsize)
}

private func mounts(under path: String) -> [String] {
    let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").filter { $0.contains(path) }.map(String.init)
}

/// Loop devices whose backing file is under `path`.
func loopDevices(backedBy path: String) -> [String] {
    let devices = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/block")) ?? []
    return devices.filter { $0.hasPrefix("loop") }.filter {
        ((try? String(contentsOfFile: "/sys/block/\($0)/loop/backing_file", encoding: .utf8)) ?? "").contains(path)
    }
}

extension EndToEndTests {
    /// A local job writing past its class's `disk_mb` fills its workspace's disk, not the
    /// host's, and fails with the reason; a job in another workspace of the class, running at the
    /// same time, writes as usual; the next run in the full workspace has its space back; the
    /// disk goes with its workspace.
    @Test(.enabled(if: canLoopMount, "needs root, loop devices and mkfs.ext4"))
    func localDiskLimitFailsTheJobAndSparesOthers() throws {
        let d = try TestDaemon(config: config(slots: 1, maxWorkspaces: 2, classExtra: "disk_mb = 16"))
        defer { d.cleanUp() }
        try d.start()
        let marker = "wsb-disk-\(UUID().uuidString.prefix(8))"
        // Warm both workspaces first, so their disks are made before the host is measured.
        let warm = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["1"], directory: d.work),
                                 JobSpec(executable: "/bin/sleep", arguments: ["1"], directory: d.work)])
        #expect(try d.waitAll(warm).allSatisfy { $0.state == .done })
        let workspaces = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
        #expect(workspaces.count == 2)
        for w in workspaces {
            let disk = w.workspace.enforcement.first { $0.control == "disk" }
            #expect(disk?.mechanism == "loop-mounted ext4" && disk?.effective == true && disk?.detail.contains("16 MB") == true,
                    "\(w.workspace.enforcement)")
            print("workspace \(w.workspace.id) disk enforcement: \(disk.map(\.description) ?? "none")")
        }

        let hostFreeBefore = freeBytes(NSTemporaryDirectory())
        // 256 MB asked for, in /tmp, /var/tmp and /dev/shm: what the job is left to write anywhere.
        let filler = """
            df -k /tmp | tail -1 > \(d.work)/filler.df
            dd if=/dev/zero of=/tmp/\(marker) bs=1M count=128 2> \(d.work)/filler.dd; a=$?
            dd if=/dev/zero of=/var/tmp/\(marker) bs=1M count=64 2>/dev/null; b=$?
            dd if=/dev/zero of=/dev/shm/\(marker) bs=1M count=64 2>/dev/null; c=$?
            du -sk /tmp /var/tmp /dev/shm > \(d.work)/filler.du
            sleep 3
            exit $((a + b + c))
            """
        let neighbour = """
            sleep 1
            dd if=/dev/zero of=/tmp/\(marker) bs=1M count=8 2> \(d.work)/neighbour.dd && df -k /tmp | tail -1
            """
        let ids = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", filler], directory: d.work),
                                JobSpec(executable: "/bin/sh", arguments: ["-c", neighbour], directory: d.work,
                                        stdout: d.work + "/neighbour.out")])
        let jobs = try d.waitAll(ids)
        let hostFreeAfter = freeBytes(NSTemporaryDirectory())
        let read = { (name: String) in (try? String(contentsOfFile: d.work + "/" + name, encoding: .utf8)) ?? "" }
        print("filler: state \(jobs[0].state.rawValue), reason: \(jobs[0].reason ?? "none")")
        print("filler: df of its /tmp: \(read("filler.df").trimmingCharacters(in: .whitespacesAndNewlines))")
        print("filler: dd: \(read("filler.dd").split(separator: "\n").joined(separator: " | "))")
        print("filler: du: \(read("filler.du").split(separator: "\n").joined(separator: " | "))")
        print("neighbour: state \(jobs[1].state.rawValue), workspace \(jobs[1].workspaceID ?? "-") vs \(jobs[0].workspaceID ?? "-"); dd: \(read("neighbour.dd").split(separator: "\n").last ?? "")")
        print("host file system free: \(hostFreeBefore >> 20) MiB before, \(hostFreeAfter >> 20) MiB after (\((hostFreeBefore - hostFreeAfter) >> 20) MiB less; other processes write there too)")
        #expect(jobs[0].state == .failed)
        #expect(jobs[0].reason?.contains("disk limit of 16 MB reached") == true, "\(jobs[0].reason ?? "no reason")")
        #expect(jobs[1].state == .done, "\(jobs[1].reason ?? "")")
        #expect(jobs[0].workspaceID != jobs[1].workspaceID)
        // The job's files were on its disk: none in the host's directories of the same names.
        for dir in ["/tmp", "/var/tmp", "/dev/shm"] {
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/\(marker)"), "\(dir)/\(marker) on the host")
        }
        // The job asked for 256 MB; the host gave at most the noise of other writers.
        #expect(hostFreeBefore - hostFreeAfter < 128 << 20)

        // The run's files went with it: the next runs, one in each workspace, have their room back.
        let fill12 = "sleep 1; dd if=/dev/zero of=/tmp/x bs=1M count=12 2>/dev/null"
        let again = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", fill12], directory: d.work),
                                  JobSpec(executable: "/bin/sh", arguments: ["-c", fill12], directory: d.work)])
        let next = try d.waitAll(again)
        print("next runs: \(next.map { "\($0.state.rawValue) in \($0.workspaceID ?? "-")" })")
        #expect(next.allSatisfy { $0.state == .done }, "\(next.map { $0.reason ?? "" })")

        // What the jobs wrote stayed inside each disk's file, allocated in full when it was made.
        for w in workspaces {
            var st = stat()
            #expect(stat("\(d.stateDir)/workspaces/\(w.workspace.id)/scratch.img", &st) == 0)
            let allocated = Int64(st.st_blocks) * 512
            print("\(w.workspace.id): disk file \(st.st_size) bytes long, \(allocated) bytes allocated on the host")
            #expect(st.st_size == 16 << 20 && allocated <= 16 << 20 && allocated >= 15 << 20, "allocated up front, and never more")
        }

        // The disks go with their workspaces.
        let disks = mounts(under: d.stateDir)
        #expect(disks.count >= 2, "\(disks)")
        for w in workspaces { _ = try d.client.delete("/v1/workspaces/\(w.workspace.id)", as: [String: String].self) }
        try d.waitUntil(timeout: 30, "the workspaces' disks unmounted") { mounts(under: d.stateDir).isEmpty }
        print("mounts under the state directory after the workspaces went: \(mounts(under: d.stateDir).count); loop devices backed by its files: \(loopDevices(backedBy: d.stateDir).count)")
        try d.waitUntil(timeout: 30, "the workspaces' loop devices freed") { loopDevices(backedBy: d.stateDir).isEmpty }
    }
}

extension EndToEndTests {
    /// A daemon killed with its store lost leaves a workspace with a mounted disk and a shaped
    /// network namespace behind: the next daemon starts all the same and removes both.
    @Test(.enabled(if: canLoopMount && FileManager.default.isExecutableFile(atPath: "/usr/sbin/tc"), "needs root, loop devices, mkfs.ext4 and tc"))
    func leakedDiskAndNamespaceDoNotStopTheDaemon() throws {
        let d = try TestDaemon(config: config(slots: 1, maxWorkspaces: 1,
                                              classExtra: "disk_mb = 16\nnetwork = \"shaped\"\n[class.settings]\nbandwidth_kbps = \"1024\""))
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["600"], directory: d.work)])
        try d.waitUntil(timeout: 60, "the job running") { try d.status(ids)[0].state == .running }
        let namespaces = { Set(((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).filter { $0.contains("wsbridge-") }) }
        let made = namespaces()
        #expect(mounts(under: d.stateDir).count == 1 && loopDevices(backedBy: d.stateDir).count == 1 && !made.isEmpty)
        d.kill9()
        for name in ["wsbridge.sqlite", "wsbridge.sqlite-wal", "wsbridge.sqlite-shm"] { unlink(d.stateDir + "/" + name) }
        try d.start()
        try d.waitUntil(timeout: 30, "the leaked disk unmounted and its loop device freed") {
            mounts(under: d.stateDir).isEmpty && loopDevices(backedBy: d.stateDir).isEmpty
        }
        try d.waitUntil(timeout: 30, "the leaked namespace removed") { namespaces().isDisjoint(with: made) }
        print("after a restart with the store lost: mounts \(mounts(under: d.stateDir).count), loop devices \(loopDevices(backedBy: d.stateDir).count), namespaces left of \(made.count): \(made.intersection(namespaces()).count)")
        #expect(d.daemonLog.contains("removing a leaked workspace"))
    }
}
