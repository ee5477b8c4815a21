import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// The daemon logs one line per message on stderr: `level: message key=value`, or with the
/// syslog priority (`<6>...`) when stderr is the journal's stream; the level comes from
/// `--log-level`, `WSBRIDGE_LOG_LEVEL` or `[log] level`, and a reload applies a new one.
@Suite struct DaemonLogTests {
    func lines(_ d: TestDaemon) -> [String] { d.daemonLog.split(separator: "\n").map(String.init) }

    @Test func levelNamesByDefault() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let log = lines(d)
        #expect(log.contains { $0.hasPrefix("info: starting ") && $0.contains(" state=\(d.stateDir)") }, "\(log)")
        #expect(log.contains("info: listening socket=\(d.stateDir)/api.sock"), "\(log)")
        // Info, not debug: swift-service-lifecycle's debug lines are left out.
        #expect(!log.contains { $0.hasPrefix("debug: ") }, "\(log)")
    }

    /// As systemd starts it: JOURNAL_STREAM names stderr's device and inode.
    @Test func priorityPrefixForTheJournal() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        _ = FileManager.default.createFile(atPath: d.stateDir + "/daemon.log", contents: nil)
        var st = stat()
        #expect(stat(d.stateDir + "/daemon.log", &st) == 0)
        d.environment = ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]
        try d.start()
        let log = lines(d)
        #expect(log.contains { $0.hasPrefix("<6>starting ") }, "\(log)")
        #expect(log.allSatisfy { $0.hasPrefix("<") }, "\(log)")
    }

    @Test func levelFromTheCommandLineTheEnvironmentAndTheConfig() throws {
        // The config says debug: swift-service-lifecycle's debug lines appear.
        let debug = try TestDaemon(config: config(extra: "[log]\nlevel = \"debug\""))
        defer { debug.cleanUp() }
        try debug.start()
        #expect(lines(debug).contains { $0.hasPrefix("debug: ") }, "\(lines(debug))")

        // The environment wins over the config.
        let quiet = try TestDaemon(config: config(extra: "[log]\nlevel = \"debug\""))
        defer { quiet.cleanUp() }
        quiet.environment = ["WSBRIDGE_LOG_LEVEL": "warning"]
        try quiet.start()
        #expect(!lines(quiet).contains { $0.hasPrefix("debug: ") || $0.hasPrefix("info: ") }, "\(lines(quiet))")

        // A bad --log-level is refused before anything starts.
        let (status, out) = try runCommand(TestDaemon.binary, ["serve", "--state-dir", debug.stateDir + "/none", "--log-level", "loud"])
        #expect(status != 0 && out.contains("--log-level must be one of trace, debug, info, notice, warning, error, critical"), "\(out)")
        #expect(!FileManager.default.fileExists(atPath: debug.stateDir + "/none"))
    }

    /// `policy reload` with `[log] level = "warning"`: its own "policy loaded" line (info) is
    /// already below the new level.
    @Test func reloadAppliesANewLevel() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        _ = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        let before = lines(d).filter { $0.hasPrefix("info: policy loaded") }.count
        #expect(before >= 1, "\(lines(d))")
        try config(extra: "[log]\nlevel = \"warning\"").write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let reply = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        #expect(reply.config.logLevel == "warning")
        _ = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        #expect(lines(d).filter { $0.hasPrefix("info: policy loaded") }.count == before, "\(lines(d))")
    }
}
