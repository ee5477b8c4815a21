import ArgumentParser
import BridgeAPI
import Dispatch
import Foundation
import WorkspaceBridge

/// Submit-to-start latency of trivial jobs into libvirt guests through a daemon of its own, for
/// each way a guest can wait for a job: none (a boot per job), running, paused, saved; and jobs/s
/// into one warm guest. Times are the API's (`submittedAt`, `startedAt`); the boot of the cold
/// jobs is split into its phases from the guests' serial logs.
struct WorkspaceBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workspace",
        abstract: "Submit-to-start of jobs into libvirt guests through the daemon: cold (a boot per job), warm, paused, saved; jobs/s into a warm guest.")

    @Option(help: "Directory with the guest's vmlinux and initrd.img (contrib/guest-image/build.sh with the wsbridge-agent binary).")
    var guestDir: String = ".build/guest-image"
    @Option(help: "libvirt URI.") var uri: String = "qemu:///system"
    @Option(help: "Domain type: qemu (TCG) or kvm.") var domainType: String = "qemu"
    @Option(help: "Guest memory in MiB.") var memory: Int = 512
    @Option(help: "Jobs per mode for the latency figures (one at a time).") var samples: Int = 10
    @Option(help: "Modes to measure, comma separated: cold, warm, paused, saved.") var modes: String = "cold,warm,paused,saved"
    @Option(help: "Extra class settings for every mode, as KEY=VALUE (e.g. firmware=qboot).") var setting: [String] = []
    @Option(help: "Jobs for the throughput figure (into the warm guest; 0 leaves it out).") var jobs: Int = 200
    @Option(help: "Jobs in flight at once for the throughput figure (the warm guest's slots).") var parallel: Int = 4
    @Flag(help: "Print one JSON object.") var json = false

    enum Mode: String, CaseIterable, Codable {
        case cold, warm, paused, saved
        /// The goal for the p50, in seconds (issue 13); none for paused guests.
        var goal: Double? {
            switch self {
            case .cold: 3
            case .warm: 0.020
            case .paused: nil
            case .saved: 0.7
            }
        }
    }

    struct ModeResult: Codable {
        var mode: Mode
        var jobs: Int
        var p50Seconds: Double
        var p99Seconds: Double
        var minSeconds: Double
        var maxSeconds: Double
        var goalSeconds: Double?
        var workspacesBooted: Int
        var latenciesSeconds: [Double]
    }

    struct Result: Codable {
        var domainType: String
        var memoryMiB: Int
        var settings: [String: String]
        var modes: [ModeResult]
        /// Median phases of the cold jobs' boots.
        var coldBoot: ColdBoot?
        var jobsPerSecond: Double?
        var parallel: Int
    }

    func run() throws {
        let guest = guestDir.hasPrefix("/") ? guestDir : FileManager.default.currentDirectoryPath + "/" + guestDir
        var extra: [String: String] = [:]
        for kv in setting {
            guard let eq = kv.firstIndex(of: "=") else { throw CLIError("--setting \(kv): expected KEY=VALUE") }
            extra[String(kv[..<eq])] = String(kv[kv.index(after: eq)...])
        }
        let wanted = try modes.split(separator: ",").map { (m) throws -> Mode in
            guard let mode = Mode(rawValue: m.trimmingCharacters(in: .whitespaces)) else { throw CLIError("unknown mode \(m)") }
            return mode
        }
        var result = Result(domainType: domainType, memoryMiB: memory, settings: extra, modes: [], parallel: parallel)
        for mode in wanted {
            let run = try GuestModeRun(mode: mode, guestDir: guest, uri: uri, domainType: domainType, memory: memory,
                                       settings: extra, slots: mode == .warm ? max(1, parallel) : 1)
            defer { run.finish() }
            let m = try run.latencies(samples)
            result.modes.append(m)
            if mode == .cold { result.coldBoot = run.coldBoot() }
            if mode == .warm, jobs > 0 { result.jobsPerSecond = try run.throughput(jobs) }
            if !json {
                let goal = mode.goal.map { g in
                    (g < 1 ? String(format: "%.0f ms", g * 1000) : String(format: "%.1f s", g)) + (m.p50Seconds < g ? " met" : " MISSED")
                } ?? "none set"
                print(mode.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
                      + String(format: "submit→start p50 %7.3f s  p99 %7.3f s  (min %.3f, max %.3f; %d jobs, %d guest%@ booted)  goal p50: ",
                               m.p50Seconds, m.p99Seconds, m.minSeconds, m.maxSeconds, m.jobs, m.workspacesBooted,
                               (m.workspacesBooted == 1 ? "" : "s") as NSString) + goal)
            }
        }
        if json { printJSON(result); return }
        if let b = result.coldBoot { print("cold boot (median of \(b.boots)): " + b.text) }
        if let rate = result.jobsPerSecond {
            print(String(format: "throughput: %.1f jobs/s into one warm guest (%d slots, %d jobs)", rate, parallel, jobs))
        }
    }
}

/// The phases of cold jobs: submit, the guest's boot (`BootPhases`), the daemon's attach and the run's start.
struct ColdBoot: Codable {
    var boots: Int
    /// Submit → the workspace's instance directory appears (scheduling, the provider's staging).
    var submitToDomainSeconds: Double
    var boot: BootPhases
    /// The provider saw the agent channel open → the job started (attach, hello, run).
    var readyToStartSeconds: Double
    var submitToStartSeconds: Double

    var text: String {
        String(format: "submit → domain prepared %.3f s → kernel %.2f s → init %.2f s → agent channel %.2f s → agent ready %.2f s → job start %.2f s (submit→start %.2f s)",
               submitToDomainSeconds, boot.firmwareSeconds, boot.kernelSeconds, boot.initSeconds, boot.agentSeconds,
               readyToStartSeconds, submitToStartSeconds)
    }
}
