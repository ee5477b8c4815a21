import Testing
import WorkspaceBridge

/// What a job's origin tells its accounting records, and the bounds on what a submitter may claim.
@Suite struct GridJobTests {
    @Test func aGRAMOriginCarriesItsContactAndDN() {
        var gram = GRAMOrigin(contact: "https://gk.example.org:40001/1/2/")
        gram.userDN = "/DC=org/DC=example/CN=Some User"
        #expect(JobOrigin.gram(gram).gridJob == GridJob(jobID: "https://gk.example.org:40001/1/2/", userDN: "/DC=org/DC=example/CN=Some User"))
        #expect(JobOrigin.gram(GRAMOrigin()).gridJob == nil)
        #expect(JobOrigin.cli.gridJob == nil)
    }

    @Test func aDNIsOneLineOfBoundedLength() throws {
        func spec(_ dn: String) -> JobSpec {
            var gram = GRAMOrigin()
            gram.userDN = dn
            return JobSpec(executable: "/bin/true", origin: .gram(gram))
        }
        try spec("/DC=org/CN=" + String(repeating: "é", count: 1000)).validate()
        #expect(throws: JobSpecError.self) { try spec("/CN=a\nSite: OTHER").validate() }
        #expect(throws: JobSpecError.self) { try spec("/CN=a\rb").validate() }
        #expect(throws: JobSpecError.self) { try spec(String(repeating: "x", count: 1025)).validate() }
    }

    @Test func aRunsWallTimeIsNeverNegative() {
        let r = AccountingRecord(job: 1, attempt: 1, owner: 0, origin: "cli", className: "c", workspace: "w", cores: 1,
                                 startedAt: 10, endedAt: 9, exit: .exited(0))
        #expect(r.wallSeconds == 0)
    }
}
