import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// How often a failing job runs, per front door, against a real daemon: a grid job's exit code is
/// its answer unless it or the site's default for its front door asks for retries.
@Suite(.serialized) struct RetryOriginTests {
    func runs(_ d: TestDaemon, _ id: JobID) -> Int {
        d.journal().filter { $0.kind == "start" && $0.job == id }.count
    }

    func failing(_ d: TestDaemon, origin: JobOrigin, own: Int? = nil) -> JobSpec {
        JobSpec(executable: "/bin/sh", arguments: ["-c", "exit 7"], directory: d.work, maxRetries: own, origin: origin)
    }

    @Test func theSiteWideNumberDoesNotRetryGridJobs() throws {
        let text = config().replacingOccurrences(of: "max_retries = 0", with: "max_retries = 2")
        let d = try TestDaemon(config: text)
        defer { d.cleanUp() }
        try d.start()
        let gram = try d.submit([failing(d, origin: .gram(GRAMOrigin()))])[0]
        let condor = try d.submit([failing(d, origin: .condor(CondorOrigin()))])[0]
        let cli = try d.submit([failing(d, origin: .cli)])[0]
        let jobs = try d.waitAll([gram, condor, cli])
        #expect(jobs[0].state == .failed && jobs[0].exit == .exited(7))
        #expect(runs(d, gram) == 1, "a GRAM job runs once, as with jobmanager-fork")
        #expect(runs(d, condor) == 1, "an HTCondor job without max_retries runs once")
        #expect(runs(d, cli) == 3, "[retry] max_retries = 2 is for wsbridge submit jobs")
    }

    @Test func eachFrontDoorsDefaultAndTheJobsOwnNumber() throws {
        let d = try TestDaemon(config: config(extra: "[retry.gram]\nmax_retries = 1\n[retry.condor]\nmax_retries = 2\n"))
        defer { d.cleanUp() }
        try d.start()
        let gram = try d.submit([failing(d, origin: .gram(GRAMOrigin()))])[0]
        let gramOwn = try d.submit([failing(d, origin: .gram(GRAMOrigin()), own: 0)])[0]
        let condor = try d.submit([failing(d, origin: .condor(CondorOrigin()))])[0]
        let cli = try d.submit([failing(d, origin: .cli)])[0]
        _ = try d.waitAll([gram, gramOwn, condor, cli])
        #expect(runs(d, gram) == 2, "[retry.gram] max_retries = 1")
        #expect(runs(d, gramOwn) == 1, "RSL max_retries = 0 wins over the site's default")
        #expect(runs(d, condor) == 3, "[retry.condor] max_retries = 2")
        #expect(runs(d, cli) == 1, "[retry] max_retries = 0")
    }
}
