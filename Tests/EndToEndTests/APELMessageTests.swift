import BridgeDaemon
import Foundation
import Testing
import WorkspaceBridge

/// The APEL messages and BLAH accounting lines the daemon writes, read as upstream reads them.
@Suite struct APELMessageTests {
    static let site = APELMessage.Site(name: "EXAMPLE-SITE", submitHost: "ce.example.org:9619/ce.example.org-wsbridge",
                                       machineName: "ce.example.org")

    static func record(attempt: Int = 1, cpu: Double? = 3.6, grid: GridJob? = nil) -> AccountingRecord {
        AccountingRecord(job: 123, attempt: attempt, owner: 1000, ownerName: "atlas001", origin: "condor", grid: grid,
                         className: "default", workspace: "w-7", host: "w-7", cores: 2, startedAt: 1_765_000_000.25,
                         endedAt: 1_765_003_600.5, cpuSeconds: cpu, peakMemoryBytes: 2_097_152_000, usageSource: "cgroup-v1",
                         exit: .exited(0))
    }

    @Test func aRecordHasTheUpstreamFieldsAndTypes() throws {
        let grid = GridJob(jobID: "ce.example.org#12.0#1765000000", userDN: "/DC=org/DC=example/CN=Some User",
                           fqan: "/atlas/Role=production/Capability=NULL")
        let text = try #require(APELMessage.message([Self.record(grid: grid)], site: Self.site))
        #expect(text.hasPrefix("APEL-individual-job-message: v0.3\n"))
        #expect(text.hasSuffix("\n%%\n"))
        let records = try APELRecordValidator.records(text)
        #expect(records.count == 1)
        let r = records[0]
        #expect(r["Site"] == "EXAMPLE-SITE")
        #expect(r["SubmitHost"] == "ce.example.org:9619/ce.example.org-wsbridge")
        #expect(r["MachineName"] == "ce.example.org")
        #expect(r["LocalJobId"] == "123")
        #expect(r["LocalUserId"] == "atlas001")
        #expect(r["GlobalUserName"] == "/DC=org/DC=example/CN=Some User")
        #expect(r["FQAN"] == "/atlas/Role=production/Capability=NULL")
        #expect(r["StartTime"] == "1765000000" && r["EndTime"] == "1765003601")
        #expect(r["WallDuration"] == "3600", "3600.25 s, to the nearest second")
        #expect(r["CpuDuration"] == "4")
        #expect(r["Processors"] == "2" && r["NodeCount"] == "1")
        #expect(r["MemoryReal"] == "2048000", "KB")
        #expect(r["InfrastructureType"] == "grid")
        #expect(r["ServiceLevelType"] == nil && r["ServiceLevel"] == nil, "both absent: the APEL client's default")
    }

    @Test func laterRunsAreRecordsOfTheirOwnAndLocalJobsAreLocal() throws {
        let text = try #require(APELMessage.message([Self.record(), Self.record(attempt: 2)], site: Self.site))
        let records = try APELRecordValidator.records(text)
        #expect(records.map { $0["LocalJobId"] } == ["123", "123.2"])
        #expect(records.allSatisfy { $0["InfrastructureType"] == "local" && $0["GlobalUserName"] == nil })
    }

    @Test func aBenchmarkComesWithItsTypeAndNoValueBreaksALine() throws {
        var site = Self.site
        site.benchmarkType = "HEPscore23"
        site.benchmark = 12.5
        let grid = GridJob(jobID: "x", userDN: "/CN=evil\nSite: OTHER\n%%\u{1e}LocalJobId: 1%%%", fqan: nil)
        let text = try #require(APELMessage.message([Self.record(grid: grid)], site: site))
        let records = try APELRecordValidator.records(text)
        #expect(records.count == 1)
        #expect(records[0]["Site"] == "EXAMPLE-SITE")
        #expect(records[0]["ServiceLevelType"] == "HEPscore23" && records[0]["ServiceLevel"] == "12.5")
    }

    @Test func aRunWithoutMeasuredCPUTimeIsNotExported() {
        #expect(APELMessage.message([Self.record(cpu: nil)], site: Self.site) == nil)
    }

    /// The validator refuses what upstream refuses (so that its passing means something).
    @Test func theValidatorRefusesWhatUpstreamRefuses() throws {
        let good = try #require(APELMessage.message([Self.record()], site: Self.site))
        func refused(_ text: String) -> Bool { (try? APELRecordValidator.records(text)) == nil }
        #expect(!refused(good))
        #expect(refused(good.replacingOccurrences(of: "Site: EXAMPLE-SITE\n", with: "")), "missing mandatory field")
        #expect(refused(good.replacingOccurrences(of: "CpuDuration: 4", with: "CpuDuration: 3.6")), "not an int")
        #expect(refused(good.replacingOccurrences(of: "CpuDuration: 4", with: "CpuDuration: none")), "null mandatory")
        #expect(refused(good.replacingOccurrences(of: "NodeCount: 1", with: "Nodes: 1")), "unknown field")
        #expect(refused(good.replacingOccurrences(of: "NodeCount: 1", with: "NodeCount: 1\nServiceLevel: 10")), "half a benchmark")
        #expect(refused(good.replacingOccurrences(of: "StartTime: 1765000000", with: "StartTime: 1765009999")), "ends before start")
        #expect(refused(good.replacingOccurrences(of: "v0.3", with: "v0.9").replacingOccurrences(of: "individual", with: "summary")))
    }

    /// Read as `apel/parsers/blah.py` reads it: split at `"`, each `key=value`, the first of each key.
    @Test func theBlahLineIsWhatTheAPELBlahParserReads() throws {
        let grid = GridJob(jobID: "https://ce:9619/12\"3", userDN: "/DC=org/CN=Some \"User\"", fqan: "/atlas/Role=NULL")
        let line = BlahAccountingLine.line(Self.record(grid: grid), submittedAt: 1_765_000_000, ceID: "ce.example.org:9619/ce-wsbridge")
        #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { !$0.isNewline })
        var fields: [String: String] = [:]
        for part in line.dropLast().split(separator: "\"") where part.contains("=") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            if fields[kv[0]] == nil { fields[kv[0]] = kv.count > 1 ? kv[1] : "" }
        }
        #expect(fields["timestamp"] == "2025-12-06 05:46:40")
        #expect(fields["userDN"] == "/DC=org/CN=Some User")
        #expect(fields["userFQAN"] == "/atlas/Role=NULL")
        #expect(fields["ceID"] == "ce.example.org:9619/ce-wsbridge")
        #expect(fields["jobID"] == "https://ce:9619/123")
        #expect(fields["lrmsID"] == "123")
        #expect(fields["localUser"] == "1000")
        #expect(BlahAccountingLine.path(prefix: "/var/log/wsbridge/blahp.log", at: 1_765_000_000) == "/var/log/wsbridge/blahp.log-20251206")
    }
}
