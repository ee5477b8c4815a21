import Foundation
import Testing
import WorkspaceBridge
@testable import GRAMFrontend

/// The description of `globus-job-run host/jobmanager-workspace /bin/echo hi` as a real job
/// manager passed it to the module (the dump in the GRAM live notes, §4.4), as workspace.pm
/// serialises it: placeholders filled with plausible values.
let liveDescriptionJSON = #"""
{"_osg_info":{"PATH":"/bin:/usr/bin"},"arguments":["hi"],"cachetag":["https://vm:59499/16217/1764157/"],
 "count":["1"],"directory":["/home/gramuser"],"dryrun":["no"],
 "environment":[["PATH","/bin:/usr/bin"],["X509_USER_PROXY","/home/gramuser/.globus/job/vm/16217.1764157/x509_user_proxy"],
   ["GLOBUS_LOCATION","/usr"],["GLOBUS_GRAM_JOB_CONTACT","https://vm:40001/16217/1764157/"],["HOME","/home/gramuser"],
   ["LOGNAME","gramuser"],["GLOBUS_GASS_CACHE_DEFAULT","/home/gramuser/.globus/.gass_cache"],["LD_LIBRARY_PATH","/usr/lib"]],
 "executable":["/bin/echo"],"expiration":["14400"],"filestagein":[],"filestageinshared":[],"filestageout":[],
 "filestreamout":[["/home/gramuser/.globus/job/vm/16217.1764157/stderr","https://vm:34683/dev/stderr"],
   ["/home/gramuser/.globus/job/vm/16217.1764157/stdout","https://vm:34683/dev/stdout"]],
 "grammyjob":["collective"],"jobdir":["/home/gramuser/.globus/job/vm/16217.1764157"],"jobtype":["multiple"],
 "librarypath":["/usr/lib"],"rslsubstitution":[["GLOBUSRUN_GASS_URL","https://vm:34683"]],"savejobdescription":["no"],
 "statefile":["/var/lib/globus/gram_job_state/gramuser/a1b2/workspace/job.16217.1764157"],
 "stderr":["/home/gramuser/.globus/job/vm/16217.1764157/stderr"],"stdin":["/dev/null"],
 "stdout":["/home/gramuser/.globus/job/vm/16217.1764157/stdout"],"streamingdisabled":[0],"streamingrequested":[0],
 "uniqid":["16217.1764157"],"workspaceprofile":["default"]}
"""#

private func json(_ s: String) -> Data { Data(s.utf8) }

private func descriptionCode(_ s: String, context: GRAMMappingContext = .init()) -> GRAMErrorCode? {
    do {
        _ = try GRAMAdapter.submitRequest(descriptionJSON: json(s), context: context)
        return nil
    } catch {
        return error.code
    }
}

@Test("the live job description maps to a JobSpec")
func liveDescription() throws {
    let specs = try GRAMAdapter.submitSpecs(descriptionJSON: json(liveDescriptionJSON))
    #expect(specs.count == 1)
    let spec = try #require(specs.first)
    #expect(spec.executable == "/bin/echo")
    #expect(spec.arguments == ["hi"])
    #expect(spec.directory == "/home/gramuser")
    #expect(spec.stdin == "/dev/null")
    #expect(spec.stdout == "/home/gramuser/.globus/job/vm/16217.1764157/stdout")
    #expect(spec.stderr == "/home/gramuser/.globus/job/vm/16217.1764157/stderr")
    #expect(spec.count == 1)
    #expect(spec.environment.count == 8)
    #expect(spec.environment["LOGNAME"] == "gramuser")
    #expect(spec.environment["LD_LIBRARY_PATH"] == "/usr/lib")
    #expect(spec.workspace == .any)
    #expect(spec.resources == ResourceRequest())
    #expect(spec.origin == .gram(GRAMOrigin(jobType: "multiple", contact: "https://vm:40001/16217/1764157/")))
    #expect(try GRAMAdapter.submitRequest(descriptionJSON: json(liveDescriptionJSON)).dryRun == false)
}

@Test("resources, class, job type and retries from a description")
func resources() throws {
    let text = #"""
    {"executable":["/opt/sim"],"arguments":["-n","4"],"count":["3"],"jobtype":["multiple"],"maxwalltime":["90"],
     "maxtime":["30"],"maxcputime":["60"],"maxmemory":["2048"],"minmemory":["512"],"queue":["long"],"project":["p42"],
     "workspaceclass":["kvm-big"],"xcount":["2"],"mindisk":["1000"],"maxretries":["2"],"directory":["work"],
     "environment":[["HOME","/home/a"],["A","1"],["A","2"]],"jobid":["7"]}
    """#
    let spec = try #require(try GRAMAdapter.submitSpecs(descriptionJSON: json(text)).first)
    #expect(spec.count == 3)
    #expect(spec.resources == ResourceRequest(cpus: 2, memoryMB: 2048, minMemoryMB: 512, diskMB: 1000,
                                              wallTimeSeconds: 5400, cpuTimeSeconds: 3600))
    #expect(spec.workspace == .named("kvm-big"))
    #expect(spec.maxRetries == 2)
    #expect(spec.directory == "/home/a/work")
    #expect(spec.environment["A"] == "2")
    #expect(spec.origin == .gram(GRAMOrigin(jobType: "multiple", queue: "long", project: "p42")))
    let single = try #require(try GRAMAdapter.submitSpecs(descriptionJSON: json(#"{"executable":["/x"],"count":["5"],"jobtype":["single"],"maxtime":["30"],"queue":["q"]}"#)).first)
    #expect(single.count == 1)
    #expect(single.resources.wallTimeSeconds == 1800)
    #expect(single.workspace == .named("q"))
}

@Test("description errors carry the GRAM code", arguments: [
    (#"{"arguments":["a"]}"#, GRAMErrorCode.undefinedExe),
    (#"{"executable":[""]}"#, .rslExecutable),
    (#"{"executable":["/a","/b"]}"#, .rslExecutable),
    (#"{"executable":["/a"],"arguments":[["x"]]}"#, .rslArguments),
    (#"{"executable":["/a"],"environment":[["A"]]}"#, .rslEnvironment),
    (#"{"executable":["/a"],"environment":[["A=B","1"]]}"#, .rslEnvironment),
    (#"{"executable":["/a"],"count":["two"]}"#, .invalidCount),
    (#"{"executable":["/a"],"count":["0"]}"#, .invalidCount),
    (#"{"executable":["/a"],"jobtype":["mpi"]}"#, .jobTypeNotSupported),
    (#"{"executable":["/a"],"jobtype":["condor"]}"#, .jobTypeNotSupported),
    (#"{"executable":["/a"],"jobtype":["parallel"]}"#, .invalidJobType),
    (#"{"executable":["/a"],"maxwalltime":["1h"]}"#, .invalidMaxWallTime),
    (#"{"executable":["/a"],"maxcputime":["-1"]}"#, .invalidMaxCpuTime),
    (#"{"executable":["/a"],"maxtime":["0"]}"#, .invalidMaxTime),
    (#"{"executable":["/a"],"maxmemory":["lots"]}"#, .invalidMaxMemory),
    (#"{"executable":["/a"],"minmemory":["900"],"maxmemory":["100"]}"#, .invalidMinMemory),
    (#"{"executable":["/a"],"hostcount":["0"]}"#, .invalidHostCount),
    (#"{"executable":["/a"],"queue":["a","b"]}"#, .rslQueue),
    (#"{"executable":["/a"],"directory":[""]}"#, .badDirectory),
    (#"{"executable":["/a"],"stdin":[""]}"#, .rslStdin),
    (#"{"executable":["gsiftp://h/bin/a"]}"#, .stagingExecutable),
    (#"{"executable":["/a"],"stdout":["https://h:1/out"]}"#, .openingStdout),
    (#"{"executable":["/a"],"xcount":["x"]}"#, .invalidSchedulerSpecific),
    (#"{"executable":["/a"],"workspaceclass":[["a"]]}"#, .rslSchedulerSpecific),
    (#"{"executable":["/a"],"dryrun":["perhaps"]}"#, .rslDryRun),
    (#"not json"#, .badScriptArgFile),
    (#"["executable"]"#, .badScriptArgFile),
])
func descriptionErrors(text: String, expected: GRAMErrorCode) {
    #expect(descriptionCode(text) == expected)
}

@Test("known classes: the named class must exist and fit")
func classChecks() {
    let classes = [WorkspaceClass(name: "small", memoryMB: 1024, cpus: 1, diskMB: 500)]
    let ctx = GRAMMappingContext(classes: classes)
    #expect(descriptionCode(#"{"executable":["/a"],"workspaceclass":["huge"]}"#, context: ctx) == .invalidSchedulerSpecific)
    #expect(descriptionCode(#"{"executable":["/a"],"queue":["huge"]}"#, context: ctx) == .invalidQueue)
    #expect(descriptionCode(#"{"executable":["/a"],"workspaceclass":["small"],"maxmemory":["2048"]}"#, context: ctx) == .invalidMaxMemory)
    #expect(descriptionCode(#"{"executable":["/a"],"workspaceclass":["small"],"minmemory":["2048"]}"#, context: ctx) == .invalidMinMemory)
    #expect(descriptionCode(#"{"executable":["/a"],"workspaceclass":["small"],"xcount":["4"]}"#, context: ctx) == .invalidSchedulerSpecific)
    #expect(descriptionCode(#"{"executable":["/a"],"workspaceclass":["small"],"mindisk":["800"]}"#, context: ctx) == .invalidSchedulerSpecific)
    #expect(descriptionCode(#"{"executable":["/a"],"workspaceclass":["small"],"maxmemory":["512"]}"#, context: ctx) == nil)
}

@Test("an RSL submit goes through parse, evaluate, validate, evaluate, map")
func rslSubmit() throws {
    let rsl = """
    &(rsl_substitution = (BIN $(HOME)/bin))
     (executable = $(BIN)/sim)(arguments = "a b" c)
     (environment = (MODE fast) (WHERE $(HOME)))
     (count = 2)(max_wall_time = 10)(workspace_class = small)
     (stdout = out.txt)
    """
    let request = try GRAMRSLSubmission.request(rsl: rsl, variables: ["HOME": "/home/alice", "LOGNAME": "alice"],
                                                context: GRAMMappingContext())
    let spec = request.spec
    #expect(spec.executable == "/home/alice/bin/sim")
    #expect(spec.arguments == ["a b", "c"])
    #expect(spec.environment == ["MODE": "fast", "WHERE": "/home/alice"])
    #expect(spec.directory == "/home/alice")
    #expect(spec.stdin == "/dev/null")
    #expect(spec.stdout == "out.txt")
    #expect(spec.stderr == "/dev/null")
    #expect(spec.count == 2)
    #expect(spec.resources.wallTimeSeconds == 600)
    #expect(spec.workspace == .named("small"))
    #expect(spec.origin == .gram(GRAMOrigin(jobType: "multiple")))
    #expect(request.dryRun == false)
    #expect(try GRAMRSLSubmission.request(rsl: "&(executable=/bin/true)(dry_run=yes)", variables: ["HOME": "/h"],
                                          context: .init()).dryRun)
}

@Test("RSL submit errors", arguments: [
    ("&(executable = /bin/true", GRAMErrorCode.badRSL),
    ("&(executable = $(NOPE))", .rslEvaluationFailed),
    ("&(executable = /bin/true)(fancy = 1)", .parameterNotSupported),
    ("&(arguments = x)", .undefinedExe),
    ("&(executable = /bin/true)(count = many)", .invalidCount),
    ("&(executable = /bin/true)(file_stage_in = (gsiftp://h/a a))", .rslFileStageIn),
    ("&(executable = /bin/true)(scratch_dir = /tmp)", .rslScratch),
    ("&(executable = /bin/true)(username = mallory)", .authorization),
    ("&(executable = https://h/x)", .stagingExecutable),
    ("&(executable = /bin/true)(stdout = (x-gass-cache://a b))", .rslStdout),
])
func rslSubmitErrors(rsl: String, expected: GRAMErrorCode) {
    do {
        _ = try GRAMRSLSubmission.request(rsl: rsl, variables: ["HOME": "/home/alice", "LOGNAME": "alice"], context: .init())
        Issue.record("\(rsl) should fail")
    } catch {
        #expect(error.code == expected)
    }
}

@Test("file:// URLs are local paths; RSL errors keep their position")
func fileURLsAndPositions() throws {
    let r = try GRAMRSLSubmission.request(rsl: "&(executable = file:///bin/true)(stdin = file://localhost/etc/hosts)",
                                          variables: ["HOME": "/h"], context: .init())
    #expect(r.spec.executable == "/bin/true")
    #expect(r.spec.stdin == "/etc/hosts")
    do {
        _ = try GRAMRSLSubmission.request(rsl: "&(executable = /bin/true)\n  (count = )", variables: [:], context: .init())
    } catch {
        #expect(error.code == .badRSL)
        #expect(error.position?.line == 2)
    }
}

/// GCT `gram/jobmanager/lrms/fork/source/fork.pm` checks `-e` of a relative executable in the
/// job's directory and runs `directory/executable`: GRAM has no PATH lookup.
@Test("a relative executable is a file in the job's directory, as fork.pm runs it")
func relativeExecutable() throws {
    let inDir = try #require(try GRAMAdapter.submitSpecs(descriptionJSON: json(#"{"executable":["true"],"directory":["/tmp/w"]}"#)).first)
    #expect(inDir.executable == "/tmp/w/true")
    let sub = try #require(try GRAMAdapter.submitSpecs(descriptionJSON: json(#"{"executable":["bin/run"],"directory":["w"]}"#),
                                                        context: GRAMMappingContext(home: "/home/a")).first)
    #expect(sub.executable == "/home/a/w/bin/run")
    let home = try #require(try GRAMAdapter.submitSpecs(descriptionJSON: json(#"{"executable":["run"]}"#),
                                                         context: GRAMMappingContext(home: "/home/a")).first)
    #expect(home.executable == "/home/a/run")
}
