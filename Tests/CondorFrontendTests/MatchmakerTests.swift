import Testing
import WorkspaceBridge
@testable import CondorFrontend

@Suite struct MatchmakerTests {
    let classes = [
        WorkspaceClass(name: "small", memoryMB: 2048, cpus: 1, attributes: ["Site": "CERN", "HasDocker": "false"]),
        WorkspaceClass(name: "large", memoryMB: 16384, cpus: 8, diskMB: 100_000, attributes: ["HasDocker": "true"]),
    ]

    @Test func requirementsAndRank() throws {
        let m = Matchmaker(classes: classes)
        #expect(try m.match(requirements: "Memory >= 1024", rank: "Memory") == .matched(["large", "small"]))
        #expect(try m.match(requirements: "Memory >= 1024", rank: nil) == .matched(["small", "large"]))
        #expect(try m.match(requirements: "HasDocker", rank: nil) == .matched(["large"]))
        #expect(try m.match(requirements: #"Site == "CERN""#, rank: nil) == .matched(["small"]))
    }

    @Test func explainsWhyNothingMatches() throws {
        let m = Matchmaker(classes: classes)
        guard case .noMatch(let why) = try m.match(requirements: "Cpus >= 2 && Memory >= 32768", rank: nil) else {
            Issue.record("expected no match"); return
        }
        #expect(why.map(\.description) == ["small: Cpus >= 2 is false", "large: Memory >= 32768 is false"])
    }

    @Test func matchesJobSpecsFromSubmitFiles() throws {
        let jobs = try CondorSubmit.parse(text: """
            executable = /bin/echo
            request_memory = 4GB
            requirements = Cpus >= 4
            rank = Memory
            queue
            """, file: "t.sub", cwd: "/tmp", environment: [:]).jobs
        #expect(try Matchmaker(classes: classes).match(jobs[0].spec) == .matched(["large"]))
        let ad = classes[1].classAd
        #expect(ad.unparsed("Disk") == "102400000")
        #expect(ad.unparsed("HasDocker") == "true")
    }
}
