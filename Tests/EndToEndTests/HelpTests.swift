import Foundation
import Testing

/// `--help` of every subcommand, found from the command tree itself, works with no daemon: it
/// prints the usage and exits 0, without trying the socket.
@Suite struct HelpTests {
    /// Every command path, from `--experimental-dump-help` (swift-argument-parser's tool info).
    func commandPaths() throws -> [[String]] {
        let (status, text) = try runCommand(TestDaemon.binary, ["--experimental-dump-help"], withStderr: false)
        #expect(status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            paths.append(path)
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help" else { continue }
                walk(sub, path + [name])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return paths
    }

    @Test func everySubcommandsHelpWorksWithoutADaemon() throws {
        let nowhere = NSTemporaryDirectory() + "wsb-no-daemon-" + UUID().uuidString.prefix(8)
        var env = ProcessInfo.processInfo.environment
        env["WSBRIDGE_STATE_DIR"] = nowhere
        let paths = try commandPaths()
        #expect(paths.contains(["submit"]) && paths.contains(["gram", "poll"]) && paths.count > 30, "\(paths)")
        for path in paths {
            // Not -h everywhere: the blah commands keep the blahp scripts' own flags, where -h is no help.
            for help in [path + ["--help"], ["help"] + path] where !(path.isEmpty && help.first == "help") {
                let (status, out) = try runCommand(TestDaemon.binary, help, environment: env, directory: NSTemporaryDirectory())
                let shown = help.joined(separator: " ")
                #expect(status == 0, "wsbridge \(shown): exit \(status): \(out.prefix(300))")
                #expect(out.contains("USAGE: "), "wsbridge \(shown): \(out.prefix(300))")
                #expect(!out.contains("cannot reach"), "wsbridge \(shown) tried the daemon: \(out.prefix(300))")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: nowhere), "no state directory was made")
    }

    @Test func submitsShortHelp() throws {
        var env = ProcessInfo.processInfo.environment
        env["WSBRIDGE_STATE_DIR"] = NSTemporaryDirectory() + "wsb-no-daemon-" + UUID().uuidString.prefix(8)
        let (status, out) = try runCommand(TestDaemon.binary, ["submit", "-h"], environment: env)
        #expect(status == 0 && out.contains("USAGE: wsbridge submit"), "\(out)")
    }

    /// After the program, `--help` belongs to the program: it is submitted, not answered.
    @Test func helpAfterTheProgramIsItsArgument() throws {
        var env = ProcessInfo.processInfo.environment
        env["WSBRIDGE_STATE_DIR"] = NSTemporaryDirectory() + "wsb-no-daemon-" + UUID().uuidString.prefix(8)
        let (status, out) = try runCommand(TestDaemon.binary, ["submit", "--", "/bin/echo", "--help"], environment: env)
        #expect(status != 0 && out.contains("cannot reach"), "\(out)")
    }
}
