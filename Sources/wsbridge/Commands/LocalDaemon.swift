import BridgeAPI
import Foundation

/// A daemon this command starts for itself (demo, benchmarks) in its own state directory, and
/// stops at the end together with its workspaces.
final class LocalDaemon {
    let stateDir: String
    let process: Process
    let client: BridgeClient

    init(stateDir: String, config: String) throws {
        self.stateDir = stateDir
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        chmod(stateDir, 0o755)
        let configPath = stateDir + "/config.toml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                                    ?? CommandLine.arguments[0])
        process.arguments = ["serve", "--state-dir", stateDir, "--config", configPath]
        _ = FileManager.default.createFile(atPath: stateDir + "/daemon.log", contents: nil)
        let log = FileHandle(forWritingAtPath: stateDir + "/daemon.log")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        client = BridgeClient(socketPath: stateDir + "/api.sock")
        for _ in 0..<400 {
            if (try? client.get("/v1/health", as: [String: String].self)) != nil { return }
            if !process.isRunning { break }
            usleep(25_000)
        }
        throw CLIError("the daemon did not start; see \(stateDir)/daemon.log")
    }

    /// Stops the daemon only: its workspaces and jobs stay for the next one (a restart).
    func terminate() {
        process.terminate()
        process.waitUntilExit()
    }

    /// The daemon's resident memory, in MiB, and its CPU time so far, in seconds.
    var usage: (rssMB: Double, cpuSeconds: Double) {
        let pid = process.processIdentifier
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let rssKB = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        // After the command: state is field 0, utime 11, stime 12 (in clock ticks).
        let ticks = fields.count > 12 ? (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0) : 0
        return (rssKB / 1024, ticks / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// Destroys the workspaces and stops the daemon.
    func stop() {
        if let list = try? client.get("/v1/workspaces", as: [WorkspaceStatus].self) {
            for w in list { _ = try? client.delete("/v1/workspaces/\(w.workspace.id)", as: [String: String].self) }
        }
        process.terminate()
        process.waitUntilExit()
    }
}
