import Foundation
import Testing
@testable import CondorFrontend

/// `include : CMD |`, `include command : CMD`, `queue ... from CMD |`: `Open_macro_source` and
/// `parse_include_options` in src/condor_utils/config.cpp, `my_popen` (no shell, execvp).
@Suite struct SubmitCommandTests {
    static let env = ["PATH": "/usr/bin:/bin"]

    func parse(_ text: String, cwd: String = "/tmp", timeout: Double = SubmitCommand.defaultTimeout) throws -> CondorSubmitResult {
        var reader = SubmitFileReader(file: "t.sub", cwd: cwd, environment: Self.env, cluster: 1)
        reader.commandTimeout = timeout
        let procs = try reader.read(text: text)
        return CondorSubmitResult(jobs: try procs.map { p in
            var b = JobAdBuilder(proc: p, file: "t.sub", cwd: cwd)
            let built = try b.build()
            return CondorSubmitJob(cluster: p.cluster, proc: p.proc, ad: built.ad,
                                   spec: JobSpecMapper.spec(for: built, cluster: p.cluster, proc: p.proc))
        }, warnings: reader.warnings)
    }

    @Test func commandLinesSplitLikeArgList() throws {
        #expect(try SubmitCommand.parse("printf 'a b' |") == SubmitCommand(text: "printf 'a b'", argv: ["printf", "'a", "b'"]))
        #expect(try SubmitCommand.parse(#""printf 'a b'" |"#)?.argv == ["printf", "a b"])
        #expect(try SubmitCommand.parse("plain.txt") == nil)
        #expect(try SubmitCommand.parse("echo x", forced: true)?.argv == ["echo", "x"])
        #expect(throws: SubmitCommand.FailureReason.invalid("not a valid command, | must be at the end")) {
            try SubmitCommand.parse("a | b")
        }
    }

    @Test func includeReadsTheCommandsOutput() throws {
        let r = try parse("""
            include : printf executable=/bin/echo\\narguments=from_cmd\\n |
            include command : echo +FromCommand=42
            queue
            """)
        #expect(r.jobs.count == 1)
        #expect(r.jobs[0].ad.unparsed("Args") == #""from_cmd""#)
        #expect(r.jobs[0].ad.unparsed("FromCommand") == "42")
    }

    @Test func queueFromACommand() throws {
        let r = try parse("""
            executable = /bin/echo
            arguments = $(a) $(b)
            queue a, b from printf 1,x,y\\n2,z\\n |
            """)
        #expect(r.jobs.map { $0.ad.unparsed("Args") } == [#""1 x,y""#, #""2 z""#])
    }

    @Test func itemLinesAsHTCondorReadsThem() throws {
        // CRLF ends, a blank line keeps the previous values, '#' starts no comment, a short
        // line empties the missing variables (submit_utils.cpp/.h, checked with HTCondor 24).
        let r = try parse("""
            executable = /bin/echo
            arguments = $(x)-$(y)
            queue x, y from printf a,1\\r\\n\\r\\n#,2\\r\\nc\\r\\n |
            """)
        #expect(r.jobs.map { $0.ad.unparsed("Args") } == [#""a-1""#, #""a-1""#, ##""#-2""##, #""c-""#])
    }

    @Test func failuresSayWhatTheCommandSaid() {
        #expect(throws: SubmitError(.io, file: "t.sub", line: 2,
                                    #""sh -c 'echo broken >&2; exit 3'" |: command terminated"#
                                    + " with exit code 3; its standard error: broken")) {
            try parse("executable = /bin/echo\nqueue x from \"sh -c 'echo broken >&2; exit 3'\" |\n")
        }
        #expect(throws: SubmitError(.io, file: "t.sub", line: 1,
                                    "no-such-command-wsb |: not a valid command: no-such-command-wsb: No such file or directory (not found on PATH)")) {
            try parse("include : no-such-command-wsb |\nqueue\n")
        }
        #expect(throws: SubmitError(.syntax, file: "t.sub", line: 1, "include echo | x: not a valid command, | must be at the end")) {
            try parse("include : echo | x\nqueue\n")
        }
    }

    @Test func aCommandThatHangsIsKilledAtTheTimeout() {
        let start = Date()
        #expect(throws: SubmitError(.io, file: "t.sub", line: 1,
                                    "sleep 30 |: command did not finish within 1 s and was killed (it wrote nothing to standard error)")) {
            try parse("include : sleep 30 |\nqueue\n", timeout: 1)
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func includeOptions() throws {
        let dir = NSTemporaryDirectory() + "/wsb-inc-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // ifexist: a missing file is skipped; into: the output is kept and read next time.
        let text = """
            executable = /bin/echo
            include ifexist : missing.inc
            include command into cached.inc : echo arguments=first
            queue
            """
        #expect(try parse(text, cwd: dir).jobs[0].ad.unparsed("Args") == #""first""#)
        try "arguments=cached\n".write(toFile: dir + "/cached.inc", atomically: true, encoding: .utf8)
        #expect(try parse(text, cwd: dir).jobs[0].ad.unparsed("Args") == #""cached""#)
        #expect(throws: SubmitError.self) { try parse("include bogus : x\nqueue\n", cwd: dir) }
    }
}
