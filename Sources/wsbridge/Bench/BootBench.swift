import AgentProtocol
import ArgumentParser
import Dispatch
import Foundation
import LibvirtProvider
import WorkspaceBridge

/// Guest boot time for each boot setting of a libvirt class (`GuestBootOptions`): domain start to
/// the agent's hello, median of several boots per setting, with the phases in between from the
/// guest's serial log. Drives the libvirt provider directly: no daemon, no job.
struct BootBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "boot",
        abstract: "Guest boot time (domain start to agent hello) for each boot setting of a libvirt class, with its phases.")

    @Option(help: "Directory with the guest's vmlinux and initrd.img (contrib/guest-image/build.sh).")
    var guestDir: String = ".build/guest-image"
    @Option(help: "libvirt URI.") var uri: String = "qemu:///system"
    @Option(help: "Domain type: qemu (TCG) or kvm.") var domainType: String = "qemu"
    @Option(help: "Guest memory in MiB.") var memory: Int = 512
    @Option(help: "Boots per setting (the median is printed).") var boots: Int = 3
    @Option(help: "The lpj value for the settings that preset it (a guest's boot log says lpj=...); none leaves those out.")
    var lpj: Int?
    @Option(help: "Only these settings (comma separated names, as printed).") var only: String?
    @Option(help: "Extra kernel arguments for every boot (the class's cmdline), e.g. loglevel=7 to see the kernel's own steps.")
    var cmdline: String?
    @Flag(help: "Print each boot's serial log.") var showLog = false
    @Flag(help: "Print one JSON object.") var json = false

    struct Variant: Codable {
        var name: String
        var settings: [String: String]
        var bootsSeconds: [Double] = []
        var medianSeconds = 0.0
        var phases: BootPhases?
    }

    func variants() -> [Variant] {
        let slow = ["quick_boot": "false", "firmware": "bios"]
        let bios = ["firmware": "bios"]
        let rng = ["trust_cpu_rng": "true"]
        let site = ["trust_cpu_rng": "true", "kernel_audit": "false", "mitigations": "false"].merging(lpj.map { ["lpj": "\($0)"] } ?? [:]) { $1 }
        var list = [
            Variant(name: "none (quick_boot = false; bios)", settings: slow),
            Variant(name: "quick_boot + bios", settings: bios),
            Variant(name: "defaults (quick_boot + qboot)", settings: [:]),
            Variant(name: "defaults + trust_cpu_rng", settings: rng),
            Variant(name: "+ audit and mitigations off" + (lpj == nil ? "" : " + lpj"), settings: site),
        ]
        if let only {
            let names = Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            list = list.filter { names.contains($0.name) }
        }
        return list
    }

    func run() throws {
        let dir = NSTemporaryDirectory() + "wsbridge-bootbench-\(getpid())"
        let sockets = "/run/wsbridge/boot-\(getpid())"
        let times = BootTimesBox()
        let provider = LibvirtProvider(configuration: .init(stateDirectory: dir + "/libvirt", socketDirectory: sockets,
                                                            openTimeout: 90, callTimeout: 120,
                                                            bootObserver: { times.set($0) }), uris: [uri])
        let guest = guestDir.hasPrefix("/") ? guestDir : FileManager.default.currentDirectoryPath + "/" + guestDir
        _ = try blocking { try await provider.discover() }
        try FileManager.default.createDirectory(atPath: dir + "/libvirt/instances", withIntermediateDirectories: true)
        let watcher = SerialLogWatcher(instancesDirectory: dir + "/libvirt/instances")
        defer {
            watcher.stop()
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: sockets)
        }
        // Round-robin: boot i of every setting before boot i+1 of any, so that the load of a
        // shared host falls on all settings alike.
        var results = variants()
        var phases = Array(repeating: [BootPhases](), count: results.count)
        var n = 0
        for _ in 0..<boots {
            for (i, v) in results.enumerated() {
                n += 1
                let cls = WorkspaceClass(name: "boot", provider: "libvirt", slots: 1, memoryMB: memory, cpus: 1, network: false,
                                         settings: ["uris": uri, "domain_type": domainType, "kernel": guest + "/vmlinux",
                                                    "initrd": guest + "/initrd.img", "boot_timeout_seconds": "300"]
                                            .merging(v.settings) { $1 }.merging(cmdline.map { ["cmdline": $0] } ?? [:]) { $1 })
                let id = "boot-\(getpid())-\(n)"
                let ws = try blocking { try await provider.create(id: id, workspaceClass: cls) }
                defer { _ = try? blocking { try await provider.destroy(ws) } }
                let agent = try GuestAgentHello(endpoint: ws.endpoint)
                let hello = Date().timeIntervalSince1970
                agent.close()
                guard let t = times.take() else { throw CLIError("the provider reported no boot times") }
                results[i].bootsSeconds.append(hello - t.startCalledAt)
                if showLog, let log = watcher.log(endingWith: t.domainName) {
                    for line in log.lines { print(String(format: "  [host +%.3f] ", line.at - t.startCalledAt) + line.text) }
                }
                if let log = watcher.log(endingWith: t.domainName), let p = BootPhases(log: log, start: t.startCalledAt, end: hello) {
                    phases[i].append(p)
                }
            }
        }
        for i in results.indices {
            results[i].medianSeconds = percentile(results[i].bootsSeconds.sorted(), 0.5)
            results[i].phases = BootPhases.median(phases[i])
            let v = results[i]
            if !json {
                print(v.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                      + String(format: " median %.2f s  min %.2f s  (%@)", v.medianSeconds, v.bootsSeconds.min() ?? 0,
                               v.bootsSeconds.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
                if let p = v.phases { print("    " + p.text) }
            }
        }
        if json { printJSON(results) }
    }
}

/// What the provider's boot observer reported last.
final class BootTimesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: GuestBootTimes?
    func set(_ t: GuestBootTimes) { lock.withLock { value = t } }
    func take() -> GuestBootTimes? { lock.withLock { defer { value = nil }; return value } }
}

/// Connects to a guest's agent channel and waits for the agent's answer to hello.
final class GuestAgentHello {
    let channel: MessageChannel<AgentMessage, DaemonMessage>

    init(endpoint: String) throws {
        channel = MessageChannel(fd: try UnixSocket.connect(path: endpoint))
        try channel.send(.hello)
        while true {
            guard let m = try channel.receive() else { throw CLIError("the agent closed the connection") }
            if case .state = m { return }
        }
    }

    func close() { channel.shutdown() }
}

/// Runs async work from a synchronous command.
private final class ResultBox<T>: @unchecked Sendable { var result: Swift.Result<T, any Error>? }

func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}
