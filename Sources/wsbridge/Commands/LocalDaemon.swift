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

    /// Destroys the workspaces and stops the daemon.
    func stop() {
        if let list = try? client.get("/v1/workspaces", as: [WorkspaceStatus].self) {
            for w in list { _ = try? client.delete("/v1/workspaces/\(w.workspace.id)", as: [String: String].self) }
        }
        process.terminate()
        process.waitUntilExit()
    }
}
