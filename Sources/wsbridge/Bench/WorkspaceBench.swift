import AgentProtocol
import ArgumentParser
import Dispatch
import Foundation
import LibvirtProvider
import WorkspaceBridge

/// Time to a first job in a libvirt guest — cold boot, restore from a saved guest, warm guest —
/// and jobs/s into one warm guest. Drives the libvirt provider and talks to the guest's agent
/// with the daemon's own protocol (run, exited, fetch output, ack), so every figure includes the
/// guest round trips a job through the daemon pays.
struct WorkspaceBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workspace",
        abstract: "Time to first job in a libvirt guest (cold boot, restore, warm) and jobs/s into one warm guest.")

    @Option(help: "Directory with the guest's vmlinuz and initrd.img (contrib/guest-image/build.sh with the wsbridge-agent binary).")
    var guestDir: String = ".build/guest-image"
    @Option(help: "libvirt URI.") var uri: String = "qemu:///system"
    @Option(help: "Domain type: qemu (TCG) or kvm.") var domainType: String = "qemu"
    @Option(help: "Guest memory in MiB.") var memory: Int = 512
    @Option(help: "Jobs for the throughput figure.") var jobs: Int = 200
    @Option(help: "Jobs in flight at once for the throughput figure.") var parallel: Int = 4
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Codable {
        var coldBootCreateSeconds: Double
        var coldFirstJobSeconds: Double
        var saveSeconds: Double
        var saveFileMiB: Int
        var restoreFirstJobSeconds: Double
        var warmFirstJobMs: Double
        var warmJobP50Ms: Double
        var jobsPerSecond: Double
        var parallel: Int
    }

    func run() throws {
        let dir = NSTemporaryDirectory() + "wsbridge-wsbench-\(getpid())"
        let provider = LibvirtProvider(configuration: .init(stateDirectory: dir + "/libvirt",
                                                            socketDirectory: "/run/wsbridge/bench-\(getpid())",
                                                            openTimeout: 90, callTimeout: 120), uris: [uri])
        let guest = (guestDir as NSString).standardizingPath.hasPrefix("/") ? guestDir
            : FileManager.default.currentDirectoryPath + "/" + guestDir
        let cls = WorkspaceClass(name: "bench", provider: "libvirt", slots: parallel, memoryMB: memory, cpus: 1, network: false,
                                 settings: ["uris": uri, "domain_type": domainType, "kernel": guest + "/vmlinuz",
                                            "initrd": guest + "/initrd.img", "boot_timeout_seconds": "300"])
        // Opens the connection (the first one after libvirtd starts probes QEMU for seconds):
        // not part of any figure.
        _ = try blocking { try await provider.discover() }
        var workspace: Workspace?
        defer {
            if let w = workspace { _ = try? blocking { try await provider.destroy(w) } }
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: "/run/wsbridge/bench-\(getpid())")
        }

        // 1. Cold: boot a guest, then the first job.
        var t = Date()
        let ws = try blocking { try await provider.create(id: "bench-\(getpid())", workspaceClass: cls) }
        workspace = ws
        let created = Date().timeIntervalSince(t)
        var agent = try GuestAgent(endpoint: ws.endpoint)
        try agent.runTrivial()
        let cold = Date().timeIntervalSince(t)

        // 2. Warm: a first job into the running guest over a fresh connection, then more.
        agent.close()
        t = Date()
        agent = try GuestAgent(endpoint: ws.endpoint)
        try agent.runTrivial()
        let warmFirst = Date().timeIntervalSince(t)
        var single: [Double] = []
        for _ in 0..<20 {
            let s = Date()
            try agent.runTrivial()
            single.append(Date().timeIntervalSince(s) * 1000)
        }
        t = Date()
        try agent.runMany(jobs, inFlight: parallel)
        let rate = Double(jobs) / Date().timeIntervalSince(t)

        // 3. Saved: save the guest to a file, then restore it and run the first job.
        agent.close()
        t = Date()
        let file = try blocking { try await provider.save(ws) }
        let saved = Date().timeIntervalSince(t)
        let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
        t = Date()
        try blocking { try await provider.restore(ws) }
        agent = try GuestAgent(endpoint: ws.endpoint)
        try agent.runTrivial()
        let restored = Date().timeIntervalSince(t)
        agent.close()

        let r = Result(coldBootCreateSeconds: created, coldFirstJobSeconds: cold, saveSeconds: saved, saveFileMiB: size >> 20,
                       restoreFirstJobSeconds: restored, warmFirstJobMs: warmFirst * 1000,
                       warmJobP50Ms: percentile(single.sorted(), 0.5), jobsPerSecond: rate, parallel: parallel)
        if json { printJSON(r); return }
        print(String(format: """
            workspace: libvirt %@ guest (%@), %d MiB, first job = /bin/true with output fetched and acked
              cold boot:     first job after %.2f s (guest create %.2f s)
              restore:       first job after %.3f s (save took %.2f s, %d MiB file)
              warm guest:    first job after %.1f ms (new connection), then %.1f ms per job (p50)
              throughput:    %.1f jobs/s into one warm guest (%d in flight, %d jobs)
            """, domainType, uri, memory, cold, created, restored, saved, size >> 20, warmFirst * 1000,
                     r.warmJobP50Ms, rate, parallel, jobs))
    }
}

/// The daemon's side of the agent protocol, synchronous, for one guest.
private final class GuestAgent {
    let channel: MessageChannel<AgentMessage, DaemonMessage>
    var next: Int64 = 1

    init(endpoint: String) throws {
        channel = MessageChannel(fd: try UnixSocket.connect(path: endpoint))
        try channel.send(.hello)
        while true {
            guard let m = try channel.receive() else { throw CLIError("the agent closed the connection") }
            if case .state(_, let runs) = m {
                next = (runs.map(\.key.job).max() ?? 0) + 1_000_000
                for r in runs where r.phase == .exited || r.phase == .rejected { try channel.send(.ack(r.key)) }
                return
            }
        }
    }

    func close() { channel.shutdown() }

    func request() -> RunRequest {
        let key = RunKey(job: JobID(next), attempt: 1)
        next += 1
        var r = RunRequest(key: key, executable: "/bin/true", arguments: [], environment: [:],
                           directory: RunStaging.scratchDirectory(for: key), stdin: nil, stdout: nil, stderr: nil,
                           // A job never runs as root: the guest's agent refuses uid 0; nobody's ids.
                           uid: 65534, gid: 65534, groups: [], limits: RunLimits())
        r.staging = RunStaging(stdin: nil, captureStdout: true, captureStderr: true, joined: false)
        return r
    }

    /// One job: run, wait for its exit, fetch its output, ack.
    func runTrivial() throws { try runMany(1, inFlight: 1) }

    /// `count` jobs with at most `inFlight` outstanding, each through the whole protocol.
    func runMany(_ count: Int, inFlight: Int) throws {
        var sent = 0, finished = 0, outstanding = 0
        while finished < count {
            while outstanding < inFlight && sent < count {
                try channel.send(.run(request()))
                sent += 1
                outstanding += 1
            }
            guard let m = try channel.receive() else { throw CLIError("the agent closed the connection") }
            switch m {
            case .exited(let key, _, _, _): try channel.send(.fetchOutput(key))
            case .outputEnd(let key, _):
                try channel.send(.ack(key))
                finished += 1
                outstanding -= 1
            case .rejected(let key, let reason, _):
                throw CLIError("run \(key) rejected in the guest: \(reason)")
            default: break
            }
        }
    }
}

/// Runs async work from a synchronous command.
private final class ResultBox<T>: @unchecked Sendable { var result: Swift.Result<T, any Error>? }

private func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}
