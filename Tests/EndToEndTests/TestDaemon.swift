import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// A real `wsbridge serve` in a temporary state directory, started and killed by a test.
final class TestDaemon: @unchecked Sendable {
    static let binary: String = {
        if let b = ProcessInfo.processInfo.environment["WSBRIDGE_BIN"] { return b }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if dir.pathExtension == "xctest" || dir.path.contains(".xctest/") {
            while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
        }
        let sibling = dir.appendingPathComponent("wsbridge").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/wsbridge").path
    }()

    let stateDir: String
    /// Where the tests' jobs read and write: open to all, since root's jobs run as nobody.
    let work: String
    let configPath: String
    var process: Process?
    /// Added to the daemon's environment (fault injection).
    var environment: [String: String] = [:]

    init(config: String) throws {
        stateDir = NSTemporaryDirectory() + "wsb-test-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        chmod(stateDir, 0o755)
        work = stateDir + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        chmod(work, 0o1777)
        configPath = stateDir + "/config.toml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A directory under `work` that jobs may write in.
    func makeDirectory(_ name: String) throws -> String {
        let dir = work + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o1777)
        return dir
    }

    var client: BridgeClient { BridgeClient(socketPath: stateDir + "/api.sock") }
    var journalPath: String { stateDir + "/agents.journal" }

    /// Starts the daemon; returns once its API answers, unless `waitForAPI` is false (a standby
    /// does not answer until it takes over).
    func start(waitForAPI: Bool = true) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["serve", "--state-dir", stateDir, "--config", configPath]
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let log = FileHandle(forWritingAtPath: stateDir + "/daemon.log") ?? {
            _ = FileManager.default.createFile(atPath: stateDir + "/daemon.log", contents: nil)
            return FileHandle(forWritingAtPath: stateDir + "/daemon.log")!
        }()
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        try p.run()
        process = p
        guard waitForAPI else { return }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? client.get("/v1/health", as: [String: String].self)) != nil { return }
            if !p.isRunning { throw TestFailure("daemon exited (\(p.terminationReason == .uncaughtSignal ? "signal" : "exit") \(p.terminationStatus)): \(daemonLog)") }
            usleep(20_000)
        }
        throw TestFailure("daemon did not answer: \(daemonLog)")
    }

    var daemonLog: String { (try? String(contentsOfFile: stateDir + "/daemon.log", encoding: .utf8)) ?? "" }

    func kill9() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    func terminate() {
        guard let p = process else { return }
        p.terminate()
        p.waitUntilExit()
        process = nil
    }

    /// Stops the daemon and every workspace it made, and removes the state.
    func cleanUp() {
        if process == nil { try? start() }
        if let list = try? client.get("/v1/workspaces", as: [WorkspaceStatus].self) {
            for w in list { _ = try? client.delete("/v1/workspaces/\(w.workspace.id)", as: [String: String].self) }
        }
        terminate()
        // Anything left (a test that killed things half-way, a workspace made for a job that a
        // deletion above requeued, left running by the daemon's stop) goes with its cgroups:
        // this daemon's scope (`wsbridge/<scope>/<workspace>`, v1 and v2).
        let scope = GuestTests.scope(of: stateDir)
        for base in ["memory", "cpu", "pids"].map({ "/sys/fs/cgroup/\($0)/wsbridge/\(scope)" }) + ["/sys/fs/cgroup/wsbridge/\(scope)"] {
            for ws in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
                let procs = (try? String(contentsOfFile: "\(base)/\(ws)/cgroup.procs", encoding: .utf8)) ?? ""
                procs.split(separator: "\n").compactMap { Int32($0) }.forEach { kill($0, SIGKILL) }
                rmdir("\(base)/\(ws)")
            }
            rmdir(base)
        }
        try? FileManager.default.removeItem(atPath: stateDir)
    }

    func submit(_ specs: [JobSpec]) throws -> [JobID] {
        try client.post("/v1/jobs", SubmitRequest(specs: specs), as: SubmitReply.self).jobs.flatMap { $0 }
    }

    func status(_ ids: [JobID]) throws -> [Job] {
        try client.get("/v1/jobs?ids=" + ids.map(String.init).joined(separator: ","), as: [JobStatus].self).map(\.job)
    }

    /// Polls until every job is finished; fails after `timeout`.
    func waitAll(_ ids: [JobID], timeout: Double = 120) throws -> [Job] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var all: [Job] = []
            for chunk in stride(from: 0, to: ids.count, by: 200) {
                all += try status(Array(ids[chunk..<min(ids.count, chunk + 200)]))
            }
            if all.allSatisfy({ $0.state.isTerminal }) { return all }
            usleep(100_000)
        }
        throw TestFailure("jobs not finished after \(timeout) s: \(try status(ids).filter { !$0.state.isTerminal }.map { "\($0.id):\($0.state.rawValue)" })")
    }

    func waitUntil(timeout: Double = 30, _ what: String, every interval: Double = 0.05, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(UInt32(interval * 1_000_000))
        }
        throw TestFailure("timed out waiting: \(what)")
    }

    /// The agents' own record: (kind, job, attempt, time, workspace) per line.
    func journal() -> [(kind: String, job: JobID, attempt: Int, at: Double, workspace: String)] {
        let text = (try? String(contentsOfFile: journalPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 5, let job = JobID(f[1]), let attempt = Int(f[2]), let at = Double(f[3]) else { return nil }
            return (String(f[0]), job, attempt, at, String(f[4]))
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

let isRoot = geteuid() == 0

/// A small class for fast tests.
func config(maxRunning: Int = 4, slots: Int = 2, maxWorkspaces: Int = 2, memoryMB: Int = 512, idleTimeout: Int = 600,
            extra: String = "", classExtra: String = "") -> String {
    """
    [throttle]
    max_running = \(maxRunning)
    start_rate = 1000.0
    max_creating = 4
    [retry]
    max_retries = 0
    backoff_seconds = 0
    \(extra)
    [[class]]
    name = "default"
    slots = \(slots)
    max_workspaces = \(maxWorkspaces)
    memory_mb = \(memoryMB)
    cpu_weight = 50
    idle_timeout_seconds = \(idleTimeout)
    \(classExtra)
    """
}

extension TestDaemon {
    /// `wsbridge gram COMMAND` as workspace.pm runs it: the description JSON on standard input;
    /// its JSON reply.
    func gram(_ command: String, _ description: String, options: [String] = [], environment: [String: String] = [:]) throws -> [String: Any] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestDaemon.binary)
        p.arguments = ["gram", command, "--state-dir", stateDir] + options
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(description.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
    }
}

/// A directory of a test's own for GRAM's scheduler event files (the daemon's `[gram]
/// seg_directory`), and the lines written there, in file order.
struct SEGDirectory {
    let path = NSTemporaryDirectory() + "wsb-seg-" + UUID().uuidString.prefix(8)

    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }

    /// The config section that points the daemon here.
    var config: String { "[gram]\nseg_directory = \"\(path)\"\n" }

    func lines() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted().flatMap { name in
            try String(contentsOfFile: path + "/" + name, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
