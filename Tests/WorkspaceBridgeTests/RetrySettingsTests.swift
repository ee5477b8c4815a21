import Testing
import WorkspaceBridge

/// A grid job's exit code is its answer: GRAM and HTCondor jobs run again only when they ask or
/// their front door's site default says so; `[retry] max_retries` is for `wsbridge submit` jobs.
@Suite struct RetrySettingsTests {
    func spec(_ origin: JobOrigin, own: Int? = nil) -> JobSpec {
        JobSpec(executable: "/bin/false", maxRetries: own, origin: origin)
    }

    @Test func transientBackoffGrowsAndIsBounded() {
        #expect([1, 2, 3, 6, 7, Int.max].map { RetrySettings.transientBackoff(afterUncountedRuns: $0) } == [1, 2, 4, 32, 32, 32])
        #expect(RetrySettings.transientBackoff(afterUncountedRuns: Int.min) == 1)
    }

    @Test func everyDefaultIsZero() {
        let r = RetrySettings()
        for o in [JobOrigin.cli, .gram(GRAMOrigin()), .condor(CondorOrigin())] { #expect(r.retries(for: spec(o)) == 0) }
    }

    @Test func theSiteWideNumberIsForCommandLineJobsOnly() {
        var r = RetrySettings()
        r.maxRetries = 2
        #expect(r.retries(for: spec(.cli)) == 2)
        #expect(r.retries(for: spec(.gram(GRAMOrigin()))) == 0)
        #expect(r.retries(for: spec(.condor(CondorOrigin()))) == 0)
    }

    @Test func eachFrontDoorHasItsOwnDefault() {
        var r = RetrySettings()
        r.gramMaxRetries = 1
        r.condorMaxRetries = 3
        #expect(r.retries(for: spec(.gram(GRAMOrigin()))) == 1)
        #expect(r.retries(for: spec(.condor(CondorOrigin()))) == 3)
        #expect(r.retries(for: spec(.cli)) == 0)
    }

    @Test func anHTCondorJobWithItsOwnExitPolicyIsLeftToIt() {
        var r = RetrySettings()
        r.condorMaxRetries = 3
        #expect(r.retries(for: spec(.condor(CondorOrigin(ad: ["OnExitRemove": "true"])))) == 0)
        #expect(r.retries(for: spec(.condor(CondorOrigin(ad: ["OnExitHold": "ExitCode != 0"])))) == 0)
        #expect(r.retries(for: spec(.condor(CondorOrigin(ad: ["Cmd": "\"/bin/false\""])))) == 3)
    }

    @Test func theJobsOwnNumberWins() {
        var r = RetrySettings()
        r.maxRetries = 5
        r.gramMaxRetries = 5
        #expect(r.retries(for: spec(.gram(GRAMOrigin()), own: 0)) == 0)
        #expect(r.retries(for: spec(.gram(GRAMOrigin()), own: 2)) == 2)
        #expect(r.retries(for: spec(.cli, own: 1)) == 1)
    }
}
