import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

/// How fast a job's files cross into a guest and back through the agent channel, measured
/// through a real daemon: each figure is a job with files minus the same job without them (so
/// boot, scheduling and the job's own work cancel out), against `cp` of the same files on the
/// host in the same run.
struct StagingBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staging",
        abstract: "MB/s of inputs into and outputs out of a libvirt guest (one large file, many small ones), against cp on the host.")

    @Option(help: "Directory with the guest's vmlinux and initrd.img (contrib/guest-image/build.sh with the wsbridge-agent binary).")
    var guestDir: String = ".build/guest-image"
    @Option(help: "libvirt URI.") var uri: String = "qemu:///system"
    @Option(help: "Domain type: qemu (TCG) or kvm.") var domainType: String = "qemu"
    @Option(help: "Size of the large file, MiB.") var largeMB: Int = 200
    @Option(help: "Number of small files.") var smallFiles: Int = 1000
    @Option(help: "Size of each small file, KiB.") var smallKB: Int = 10
    @Flag(help: "Print one JSON object.") var json = false

    struct Figure: Codable {
        var what: String
        var megabytes: Double
        var seconds: Double
        var megabytesPerSecond: Double
        var cpSeconds: Double
        /// The bridge's rate over cp's.
        var ratioToCp: Double
    }

    func run() throws {
        guard geteuid() == 0 else { throw CLIError("bench staging starts a daemon with libvirt guests: run it as root") }
        let dir = NSTemporaryDirectory() + "wsbridge-bench-staging-\(getpid())"
        let guest = guestDir.hasPrefix("/") ? guestDir : FileManager.default.currentDirectoryPath + "/" + guestDir
        let daemon = try LocalDaemon(stateDir: dir, config: """
            [throttle]
            max_running = 4
            start_rate = 1000.0
            [retry]
            max_retries = 0
            [[class]]
            name = "vm"
            provider = "libvirt"
            slots = 1
            max_workspaces = 1
            memory_mb = 1024
            network = false
            max_stage_in_mb = \(largeMB * 2 + 64)
            max_stage_out_mb = \(largeMB * 2 + 64)
            [class.settings]
            uris = "\(uri)"
            domain_type = "\(domainType)"
            kernel = "\(guest)/vmlinux"
            initrd = "\(guest)/initrd.img"
            boot_timeout_seconds = 300
            """)
        defer {
            daemon.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }
        // Root's jobs run as nobody: the files are readable by all, the directory writable by all.
        let work = dir + "/work"
        try FileManager.default.createDirectory(atPath: work + "/small", withIntermediateDirectories: true)
        chmod(work, 0o1777)
        let large = work + "/large.bin"
        try Self.randomFile(large, bytes: largeMB << 20)
        for i in 0..<smallFiles { try Self.randomFile(work + "/small/f\(i)", bytes: smallKB << 10) }

        let cpLarge = try Self.time { try Self.shell("cp \(large) \(dir)/cp-large.bin && sync") }
        let cpSmall = try Self.time { try Self.shell("cp -r \(work)/small \(dir)/cp-small && sync") }

        func job(_ script: String, _ transfer: FileTransfer?) throws -> Double {
            var spec = JobSpec(executable: "/bin/sh", arguments: ["-c", script], directory: work, workspace: .named("vm"))
            spec.transfer = transfer
            let id = try daemon.client.submit(SubmitRequest(specs: [spec])).jobs[0][0]
            let start = Date()
            while true {
                let job = try daemon.client.get("/v1/jobs/\(id)", as: JobStatus.self).job
                if job.state.isTerminal {
                    guard job.state == .done else { throw CLIError("bench job \(id) ended \(job.state.rawValue): \(job.reason ?? "")") }
                    return Date().timeIntervalSince(start)
                }
                usleep(20_000)
            }
        }
        // Boots the guest: not part of any figure.
        _ = try job("true", nil)
        let bare = try job("true", nil)
        let largeIn = try job("true", FileTransfer(inputs: [large])) - bare
        let smallIn = try job("true", FileTransfer(inputs: [work + "/small/"])) - bare
        let makeLarge = "head -c \(largeMB << 20) /dev/urandom > out.bin"
        let makeSmall = "for i in $(seq \(smallFiles)); do head -c \(smallKB << 10) /dev/urandom > o$i; done"
        let largeOut = try job(makeLarge, FileTransfer(outputs: ["out.bin"])) - job(makeLarge, FileTransfer(outputs: []))
        let smallOut = try job(makeSmall, FileTransfer()) - job(makeSmall, FileTransfer(outputs: []))

        let largeMiB = Double(largeMB), smallMiB = Double(smallFiles * smallKB) / 1024
        func figure(_ what: String, _ mb: Double, _ s: Double, _ cp: Double) -> Figure {
            let rate = mb / max(s, 1e-3)
            return Figure(what: what, megabytes: mb, seconds: s, megabytesPerSecond: rate, cpSeconds: cp, ratioToCp: rate / (mb / max(cp, 1e-3)))
        }
        let figures = [
            figure("in: 1 x \(largeMB) MiB", largeMiB, largeIn, cpLarge),
            figure("in: \(smallFiles) x \(smallKB) KiB", smallMiB, smallIn, cpSmall),
            figure("out: 1 x \(largeMB) MiB", largeMiB, largeOut, cpLarge),
            figure("out: \(smallFiles) x \(smallKB) KiB", smallMiB, smallOut, cpSmall),
        ]
        if json { printJSON(figures); return }
        print("staging through the agent channel of a \(domainType) guest (job with files minus the same job without; cp on this host)")
        for f in figures {
            print(String(format: "  %-22@ %7.1f MiB in %6.2f s = %7.1f MiB/s   cp %6.3f s = %7.1f MiB/s   ratio %.3f",
                         f.what as NSString, f.megabytes, f.seconds, f.megabytesPerSecond, f.cpSeconds, f.megabytes / max(f.cpSeconds, 1e-3),
                         f.ratioToCp))
        }
    }

    static func randomFile(_ path: String, bytes: Int) throws {
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: bytes)
        data.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in words.indices { words[i] = generator.next() }
        }
        try data.write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
    }

    static func shell(_ command: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw CLIError("\(command) failed") }
    }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        let t = Date()
        try body()
        return Date().timeIntervalSince(t)
    }
}
