import Testing
import WorkspaceBridge
@testable import CondorFrontend

/// Cases from condor.md §1 (checked against HTCondor 24.12.24's own SubmitHash) and
/// `docs/man-pages/htcondor-jdl.rst`.
@Suite struct SubmitParserTests {
    func parse(_ text: String, env: [String: String] = [:]) throws -> [CondorSubmitJob] {
        try CondorSubmit.parse(text: text, file: "test.sub", cwd: "/tmp", environment: env).jobs
    }

    func attr(_ text: String, _ name: String) throws -> String? {
        try parse(text).first?.ad.unparsed(name)
    }

    @Test func oracleMainExample() throws {
        let jobs = try parse("""
            universe       = vanilla
            executable     = /bin/echo
            arguments      = "one 'two three' ""four\"""
            environment    = "A=1 B='x y'"
            request_memory = 2GB
            request_cpus   = 4
            request_disk   = 1GB
            requirements   = (OpSys == "LINUX") && (Arch == "X86_64")
            max_retries    = 3
            output         = out.$(Process).txt
            +ProjectName   = "x"
            queue 3
            """)
        #expect(jobs.count == 3)
        let ad = jobs[0].ad
        #expect(ad.unparsed("Arguments") == #""one two' 'three \"four\"""#)
        #expect(ad.unparsed("Environment") == #""A=1 B=x' 'y""#)
        #expect(ad.unparsed("RequestMemory") == "2048")
        #expect(ad.unparsed("RequestDisk") == "1048576")
        #expect(ad.unparsed("JobMaxRetries") == "3")
        #expect(ad.unparsed("OnExitRemove") == "NumJobCompletions > JobMaxRetries || ExitCode =?= 0")
        #expect(ad.unparsed("Requirements") == #"((OpSys == "LINUX") && (Arch == "X86_64")) && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory) && (TARGET.Cpus >= RequestCpus) && ((TARGET.FileSystemDomain == MY.FileSystemDomain) || (TARGET.HasFileTransfer))"#)
        #expect(ad.unparsed("ProjectName") == #""x""#)
        #expect(jobs[2].ad.unparsed("Out") == #""out.2.txt""#)
        #expect(jobs[0].spec.arguments == ["one", "two three", "\"four\""])
        #expect(jobs[0].spec.environment == ["A": "1", "B": "x y"])
        #expect(jobs[0].spec.resources.memoryMB == 2048)
        #expect(jobs[0].spec.resources.diskMB == 1024)
        #expect(jobs[0].spec.resources.cpus == 4)
        #expect(jobs[0].spec.maxRetries == 3)
        #expect(jobs[0].spec.workspace == .requirements(#"(OpSys == "LINUX") && (Arch == "X86_64")"#, rank: nil))
    }

    @Test func commentsAndContinuations() throws {
        #expect(try attr("executable=/bin/echo\narguments = x # not a comment\nqueue\n", "Args") == #""x # not a comment""#)
        #expect(try attr("executable=/bin/echo\narguments = a \\\n   b\nqueue\n", "Args") == #""a b""#)
        #expect(try attr("executable=/bin/echo\narguments = a\\\nb\nqueue\n", "Args") == #""ab""#)
        // The quirk: a comment inside a continuation leaves its last character.
        #expect(try attr("executable=/bin/echo\narguments = a \\\n#comment\nqueue\n", "Args") == #""a t""#)
        #expect(try attr("executable=/bin/echo\narguments = a \\\n# comment \\\n  c\nqueue\n", "Args") == #""a c""#)
    }

    @Test func macros() throws {
        #expect(try attr("executable=/bin/echo\nD = $(E:24)\narguments = $(D) $(undefined_macro)x\nqueue\n", "Args") == #""24 x""#)
        #expect(try attr("executable=/bin/echo\nfoo = bar\nfoo = snap $(foo)\narguments = $(FOO)\nqueue\n", "Args") == #""snap bar""#)
        #expect(try attr("executable=/bin/echo\narguments = --mem $$(Memory)\nqueue\n", "Args") == #""--mem $$(Memory)""#)
        #expect(try attr("executable=/bin/echo\nN = 7\narguments = $INT(N,%03d)\nqueue\n", "Args") == #""007""#)
        #expect(try attr("executable=/bin/echo\nP = /a/b/c.txt\narguments = $Fn(P) $Fx(P) $Fp(P)\nqueue\n", "Args") == #""c .txt /a/b/""#)
        let env = try parse("executable=/bin/echo\narguments = $ENV(HOME_X:none) $ENV(V)\nqueue\n", env: ["V": "set"])
        #expect(env[0].ad.unparsed("Args") == #""none set""#)
    }

    @Test func conditionals() throws {
        let text = "executable=/bin/echo\nif defined X\narguments = def\nelif $(Y)\narguments = y\nelse\narguments = none\nendif\nqueue\n"
        #expect(try attr(text, "Args") == #""none""#)
        #expect(throws: SubmitError.self) { try parse("executable=/bin/echo\nif defined X\nqueue\n") }
        #expect(throws: SubmitError.self) { try parse("executable=/bin/echo\nif 1 == 2\nendif\nqueue\n") }
    }

    @Test func queueForms() throws {
        let six = try parse("executable=/bin/echo\narguments = $(Item) $(Step) $(Row)\nqueue 3 in (A, B)\n")
        #expect(six.map { $0.spec.arguments } == [["A", "0", "0"], ["A", "1", "0"], ["A", "2", "0"], ["B", "0", "1"], ["B", "1", "1"], ["B", "2", "1"]])
        #expect(six.map(\.proc) == [0, 1, 2, 3, 4, 5])
        let from = try parse("executable=/bin/echo\narguments = $(a)-$(b)\nqueue a b from (\n1 2 3\n)\n")
        #expect(from[0].spec.arguments == ["1-2", "3"])
        let slice = try parse("executable=/bin/echo\narguments = $(x)\nqueue x in [1:3] (a, b, c, d)\n")
        #expect(slice.map { $0.spec.arguments } == [["b"], ["c"]])
        #expect(try parse("executable=/bin/echo\nN = 3\nqueue $(N)\n").count == 3)
        let two = try parse("executable=/bin/echo\narguments = first\nqueue 2\narguments = second\nqueue 3\n")
        #expect(two.map { $0.spec.arguments.first } == ["first", "first", "second", "second", "second"])
        #expect(two.map(\.proc) == [0, 1, 2, 3, 4])
        // A new executable after a queue starts a new cluster.
        let clusters = try parse("executable=/bin/a\nqueue\nexecutable=/bin/b\nqueue\n")
        #expect(clusters.map(\.cluster) == [1, 2])
    }

    @Test func queueErrorsUseHTCondorWording() {
        func message(_ text: String) -> String? {
            do { _ = try parse(text); return nil } catch let e as SubmitError { return e.message } catch { return nil }
        }
        #expect(message("executable=/bin/echo\nqueue -1\n") == "Queue count out of range")
        #expect(message("executable=/bin/echo\nqueue abc def\n") == "Invalid Queue count expression")
        #expect(message("executable=/bin/echo\nqueue item in (\n a\n")?.hasPrefix("Reached end of file without finding closing brace ')'") == true)
        #expect(message("arguments = x\nqueue\n") == "No 'executable' parameter was provided")
        #expect(message("universe = bogus\nexecutable=/bin/echo\nqueue\n") == "I don't know about the 'bogus' universe.")
        #expect(message("executable=/bin/echo\nmax_retries = abc\nqueue\n") == "max_retries=abc is invalid, must eval to an integer.")
    }

    @Test func errorsCarryFileAndLine() throws {
        do {
            _ = try parse("executable=/bin/echo\n\nthis is junk\nqueue\n")
            Issue.record("expected an error")
        } catch let error as SubmitError {
            #expect(error.file == "test.sub")
            #expect(error.line == 3)
            #expect(error.kind == .syntax)
        }
    }

    @Test func holdPriorityAndNamedClass() throws {
        let job = try parse("executable=/bin/echo\nhold = true\npriority = 10\n+WorkspaceClass = \"small\"\nqueue\n")[0]
        #expect(job.ad.unparsed("JobStatus") == "5")
        #expect(job.ad.unparsed("HoldReasonCode") == "15")
        #expect(job.spec.hold)
        #expect(job.spec.priority == 10)
        #expect(job.spec.workspace == .named("small"))
        guard case .condor(let origin) = job.spec.origin else { Issue.record("origin"); return }
        #expect(origin.cluster == 1 && origin.proc == 0)
        #expect(origin.ad["JobPrio"] == "10")
        let viaCommand = try parse("executable=/bin/echo\nworkspace_class = big\nqueue\n")[0]
        #expect(viaCommand.spec.workspace == .named("big"))
    }

    @Test func gridBatchWorkspace() throws {
        let ad = try parse("universe = grid\ngrid_resource = batch workspace\nexecutable = /bin/echo\nbatch_queue = short\nqueue\n")[0].ad
        #expect(ad.unparsed("JobUniverse") == "9")
        #expect(ad.unparsed("GridResource") == #""batch workspace""#)
        #expect(ad.unparsed("BatchQueue") == #""short""#)
        #expect(ad.unparsed("Requirements") == "true")
        #expect(ad["RequestMemory"] == nil)
    }
}
