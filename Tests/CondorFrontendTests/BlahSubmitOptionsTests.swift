import Testing
import WorkspaceBridge
@testable import CondorFrontend

/// The submit script's command line, as `bls_parse_submit_options` reads it
/// (htcondor `src/blahp/src/scripts/blah_common_submit_functions.sh`, getopts string
/// `a:i:o:e:c:s:v:V:dw:q:n:N:z:h:g:G:M:P:S:r:p:l:x:u:j:T:I:O:R:C:D:m:A:t:`), and the command
/// lines blahpd builds in `cmd_submit_job` (`src/blahp/src/server.c`).
@Suite struct BlahSubmitOptionsTests {
    /// What blahpd sends for a job with a proxy, V2 arguments and environment: `-x <proxy> -u "<dn>"`,
    /// `-c`, `-T`, the NO_QUOTE/INT options, `-V` and `--` each as one word made by `ConvertArgs`.
    @Test func blahpdCommandLine() throws {
        let o = try BlahSubmitOptions.parse([
            "-x", "/tmp/x509up_u1000.lmt", "-u", "/DC=org/CN=Alice", "-r", "no",
            "-c", "/home/alice/job.sh", "-T", "/tmp", "-i", "in.txt", "-o", "out", "-e", "err",
            "-w", "/home/alice/run", "-q", "big", "-n", "4", "-S", "4", "-s", "yes", "-t", "3600", "-m", "2048",
            "-V", #""A=1" "B=x y""#, "--", #""-c" "exit 3""#,
        ])
        #expect(o.proxy == "/tmp/x509up_u1000.lmt")
        #expect(o.proxySubject == "/DC=org/CN=Alice")
        #expect(o.proxyRenewal == "no")
        #expect(o.command == "/home/alice/job.sh")
        #expect(o.tempDir == "/tmp")
        #expect(o.workdir == "/home/alice/run")
        #expect(o.queue == "big")
        #expect(o.nodeNumber == "4" && o.smpGranularity == "4")
        #expect(o.runtime == "3600" && o.memory == "2048")
        #expect(o.argumentText == #""-c" "exit 3""#)
        #expect(try o.arguments() == ["-c", "exit 3"])
        #expect(try o.environment() == ["A": "1", "B": "x y"])
    }

    /// getopts: grouped flags, glued values, a value that starts with a dash, the last one wins.
    @Test func getoptsForms() throws {
        let o = try BlahSubmitOptions.parse(["-dc/bin/true", "-o", "-weird", "-o", "final", "-qshort"])
        #expect(o.debug)
        #expect(o.command == "/bin/true")
        #expect(o.stdout == "final")
        #expect(o.queue == "short")
        #expect(o.argumentText == "")
    }

    /// Options end at `--` (consumed) or at the first word that is not an option (kept), and
    /// `bls_arguments=$*` joins the rest with single spaces.
    @Test func endOfOptions() throws {
        let a = try BlahSubmitOptions.parse(["-c", "/bin/echo", "hello", "-o", "x"])
        #expect(a.stdout == nil)
        #expect(try a.arguments() == ["hello", "-o", "x"])
        let b = try BlahSubmitOptions.parse(["-c", "/bin/echo", "--", "--", "-c"])
        #expect(try b.arguments() == ["--", "-c"])
        let c = try BlahSubmitOptions.parse(["-c", "/bin/echo", "-", "x"])
        #expect(c.argumentText == "- x")
    }

    /// getopts' `?` case and the missing command both make the script print its usage, exit 1.
    @Test func usageErrors() {
        #expect(throws: BlahSubmitOptions.UsageError(message: "illegal option -- k")) {
            try BlahSubmitOptions.parse(["-c", "/bin/true", "-k", "x"])
        }
        #expect(throws: BlahSubmitOptions.UsageError(message: "option requires an argument -- o")) {
            try BlahSubmitOptions.parse(["-c", "/bin/true", "-o"])
        }
        #expect(throws: BlahSubmitOptions.UsageError.self) { try BlahSubmitOptions.parse(["-o", "out", "--", "x"]) }
        #expect(throws: BlahSubmitOptions.UsageError.self) { try BlahSubmitOptions.parse([]) }
        #expect(BlahSubmitOptions.usage(script: "workspace_submit.sh").hasPrefix("Usage: workspace_submit.sh -c <command> [-i <stdin>]"))
    }

    /// `-v` is HTCondor's V1 `Env`, passed SINGLE_QUOTE; the sed pipeline in
    /// `bls_start_job_wrapper` drops entries without `=`. `-V` wins when both are given.
    @Test func environments() throws {
        var o = try BlahSubmitOptions.parse(["-c", "/bin/env", "-v", "A=1;JUNK;B=two words;C="])
        #expect(try o.environment() == ["A": "1", "B": "two words", "C": ""])
        o.environmentV2 = #""X=1""#
        #expect(try o.environment() == ["X": "1"])
        let bad = try BlahSubmitOptions.parse(["-c", "/bin/env", "-V", #""A=1"#])
        #expect(throws: BlahSubmitError.self) { try bad.environment() }
    }

    @Test func jobSpecMapping() throws {
        let o = try BlahSubmitOptions.parse([
            "-c", "/bin/sh", "-w", "/data/run", "-i", "in", "-o", "out", "-e", "/logs/err",
            "-q", "big", "-m", "2048", "-t", "600", "-n", "4", "-S", "2", "-x", "proxy",
            "-I", "/tmp/InputFileList_1", "--", #""-c" "echo \"hi\" \$HOME""#,
        ])
        let spec = try o.jobSpec(cwd: "/home/alice", classNames: ["big", "small"]) { path in
            path == "/tmp/InputFileList_1" ? "/data/run/a.dat\n/data/run/b.dat\n" : nil
        }
        #expect(spec.executable == "/bin/sh")
        #expect(spec.arguments == ["-c", #"echo "hi" $HOME"#])
        #expect(spec.directory == "/data/run")
        #expect(spec.stdin == "/data/run/in")
        #expect(spec.stdout == "/data/run/out")
        #expect(spec.stderr == "/logs/err")
        #expect(spec.count == 1)
        #expect(spec.resources == ResourceRequest(cpus: 4, memoryMB: 2048, wallTimeSeconds: 600))
        #expect(spec.workspace == .named("big"))
        #expect(spec.environment["NODE_COUNT"] == "4")
        #expect(spec.environment["X509_USER_PROXY"] == "/data/run/proxy")
        guard case .condor(let origin) = spec.origin else {
            Issue.record("a BLAH job must carry a condor origin")
            return
        }
        #expect(origin.ad["BatchQueue"] == #""big""#)
        #expect(origin.ad["RequestMemory"] == "2048")
        #expect(origin.ad["TransferInput"] == #""/data/run/a.dat,/data/run/b.dat""#)
        // Recorded in HTCondor's canonical V2 form (ArgList::GetArgsStringV2Raw), which reads back.
        #expect(origin.ad["Arguments"] == #""-c echo' '\"hi\"' '$HOME""#)
        #expect(try ArgumentsSyntax.parse("\"" + ArgumentsSyntax.v2Raw(spec.arguments).replacingOccurrences(of: "\"", with: "\"\"") + "\"").argv
                == spec.arguments)
        #expect(origin.ad["GridResource"] == #""batch workspace""#)
        #expect(origin.userLog == nil)
        #expect(throws: Never.self) { try spec.validate() }
    }

    /// A queue that names no class is a site's queue name, not a class: any class may run it.
    /// The default working directory is the script's own (`bls_opt_workdir=$PWD`).
    @Test func defaultsAndQueues() throws {
        let o = try BlahSubmitOptions.parse(["-c", "job", "-q", "grid", "-o", "/dev/null"])
        let spec = try o.jobSpec(cwd: "/home/bob", classNames: ["default"]) { _ in nil }
        #expect(spec.workspace == .any)
        #expect(spec.directory == "/home/bob")
        #expect(spec.stdout == nil)
        #expect(spec.arguments.isEmpty)
        #expect(spec.resources == ResourceRequest())
    }

    @Test func refusedValues() throws {
        func spec(_ args: [String]) throws -> JobSpec {
            try BlahSubmitOptions.parse(["-c", "/bin/true"] + args).jobSpec(cwd: "/", classNames: []) { _ in nil }
        }
        #expect(throws: BlahSubmitError("-m takes a memory size in MiB, not \"2GB\"")) { try spec(["-m", "2GB"]) }
        #expect(throws: BlahSubmitError.self) { try spec(["-t", "-5"]) }
        #expect(throws: BlahSubmitError.self) { try spec(["-h", "3"]) }
        #expect(throws: BlahSubmitError("-I: cannot read the file list /nonexistent")) { try spec(["-I", "/nonexistent"]) }
        #expect(throws: BlahSubmitError.self) { try spec(["--", "'unbalanced"]) }
        #expect(try spec(["-h", "1", "-m", "0"]).resources == ResourceRequest())
    }
}

/// The shell split that the batch script applies to `$*` and to `-V`.
@Suite struct BlahShellWordsTests {
    @Test func splitting() throws {
        #expect(try BlahShellWords.split("  a  b\tc\n") == ["a", "b", "c"])
        #expect(try BlahShellWords.split(#"'a b' "c d" e\ f"#) == ["a b", "c d", "e f"])
        #expect(try BlahShellWords.split(#"x'y'"z" '' """#) == ["xyz", "", ""])
        // Inside double quotes only $ ` " \ and newline are escaped (POSIX 2.2.3).
        #expect(try BlahShellWords.split(#""\$a \"b\" \\ \x""#) == [#"$a "b" \ \x"#])
        #expect(try BlahShellWords.split("a\\\nb") == ["ab"])
        // Nothing is expanded or run.
        #expect(try BlahShellWords.split("$HOME `id` * ; rm") == ["$HOME", "`id`", "*", ";", "rm"])
        #expect(throws: BlahShellWords.ParseError.self) { try BlahShellWords.split("'open") }
        #expect(throws: BlahShellWords.ParseError.self) { try BlahShellWords.split(#""open"#) }
    }

    /// ConvertArgs (server.c) turns V2 `Arguments` into one double-quoted word per argument,
    /// escaping `"` as `\\\"` for the two shells on the way; after wordexp the script holds the
    /// single-backslash form tested here.
    @Test func convertArgsOutput() throws {
        #expect(try BlahShellWords.split(#""a" "'b'" "c d" "e\"f""#) == ["a", "'b'", "c d", #"e"f"#])
    }

    @Test func quotingRoundTrips() throws {
        let words = ["plain", "two words", "it's", "", "$x", #"back\slash"#, "new\nline"]
        #expect(try BlahShellWords.split(BlahShellWords.join(words)) == words)
    }
}
