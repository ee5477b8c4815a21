import Foundation
import Testing

/// The man page and the shell completion scripts in contrib/ are generated from the command
/// tree; a change to a command without `contrib/generate-docs.sh` run again fails here.
@Suite struct GeneratedDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func committedDocsAreCurrent() throws {
        let (status, out) = try runCommand(Self.root + "/contrib/generate-docs.sh", ["--check", TestDaemon.binary],
                                           directory: Self.root)
        #expect(status == 0, "\(out)")
        #expect(out.contains("up to date"), "\(out)")
        // What they are made of: every subcommand is in the page and the completions.
        let page = try String(contentsOfFile: Self.root + "/contrib/man/wsbridge.1", encoding: .utf8)
        let bash = try String(contentsOfFile: Self.root + "/contrib/completions/wsbridge.bash", encoding: .utf8)
        for command in ["serve", "submit", "status", "\"q, queue\"", "workspaces", "policy", "gram", "blah"] {
            #expect(page.contains(".It Em \(command)\n"), "\(command) is not in the man page")
            #expect(bash.contains(command.hasPrefix("\"") ? " q " : command), "\(command) is not in the bash completion")
        }
        #expect(page.contains("--watch") && bash.contains("--log-level"))
    }

    /// The bash completion works in bash: it offers the subcommands and an option's values.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")))
    func bashCompletes() throws {
        let script = """
            source \(Self.root)/contrib/completions/wsbridge.bash
            COMP_WORDS=(wsbridge st); COMP_CWORD=1; COMP_LINE="wsbridge st"; COMP_POINT=${#COMP_LINE}
            _wsbridge wsbridge st wsbridge; echo "${COMPREPLY[*]}"
            COMPREPLY=()
            COMP_WORDS=(wsbridge serve --log-level ''); COMP_CWORD=3; COMP_LINE="wsbridge serve --log-level "; COMP_POINT=${#COMP_LINE}
            _wsbridge wsbridge '' --log-level; echo "${COMPREPLY[*]}"
            """
        let (status, out) = try runCommand("/bin/bash", ["-c", script],
                                           environment: ["PATH": URL(fileURLWithPath: TestDaemon.binary).deletingLastPathComponent().path + ":/usr/bin:/bin"])
        let lines = out.split(separator: "\n").map { Set($0.split(separator: " ")) }
        #expect(status == 0 && lines.count == 2, "\(out)")
        #expect(lines.first == ["status"], "\(out)")
        #expect(lines.last == ["trace", "debug", "info", "notice", "warning", "error", "critical"], "\(out)")
    }
}
