import ArgumentParser
import BridgeAPI
import Foundation

/// cancel, hold, release, suspend, resume: the same shape, one action each.
protocol JobAction: ParsableCommand {
    static var action: String { get }
    var daemon: DaemonSelection { get }
    var jobs: [String] { get }
}

extension JobAction {
    func run() throws {
        var failed = false
        for id in parseJobIDs(jobs) {
            do {
                let r: JobActionReply = try daemon.client.post("/v1/jobs/\(id)/\(Self.action)")
                print("\(r.job) \(r.state.rawValue)")
            } catch {
                FileHandle.standardError.write(Data("wsbridge: \(error.description)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct Cancel: JobAction {
    static let configuration = CommandConfiguration(abstract: "Cancel jobs; running ones are killed in their workspace.")
    static let action = "cancel"
    @OptionGroup var daemon: DaemonSelection
    @Argument(help: "Job ids.") var jobs: [String]
}

struct Hold: JobAction {
    static let configuration = CommandConfiguration(abstract: "Hold jobs: they stop (if running) and wait until released.")
    static let action = "hold"
    @OptionGroup var daemon: DaemonSelection
    @Argument(help: "Job ids.") var jobs: [String]
}

struct Release: JobAction {
    static let configuration = CommandConfiguration(abstract: "Release held jobs back into the queue.")
    static let action = "release"
    @OptionGroup var daemon: DaemonSelection
    @Argument(help: "Job ids.") var jobs: [String]
}

struct Suspend: JobAction {
    static let configuration = CommandConfiguration(abstract: "Suspend running jobs (SIGSTOP to their process group).")
    static let action = "suspend"
    @OptionGroup var daemon: DaemonSelection
    @Argument(help: "Job ids.") var jobs: [String]
}

struct Resume: JobAction {
    static let configuration = CommandConfiguration(abstract: "Resume suspended jobs.")
    static let action = "resume"
    @OptionGroup var daemon: DaemonSelection
    @Argument(help: "Job ids.") var jobs: [String]
}
