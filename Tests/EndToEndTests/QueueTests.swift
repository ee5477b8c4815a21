import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// `wsbridge q` sums up the queue as `condor_q` does: per owner and state, and its total lines.
@Suite struct QueueTests {
    @Test func totalsPerOwnerAndState() throws {
        let d = try TestDaemon(config: config(maxRunning: 1))
        defer { d.cleanUp() }
        try d.start()
        let done = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
        _ = try d.waitAll(done)
        let running = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["30"], directory: d.work)])
        try d.waitUntil("a running job") { try d.status(running)[0].state == .running }
        // max_running = 1 holds these two in the queue.
        let queued = try d.submit([JobSpec(executable: "/bin/true", directory: d.work, count: 2)])
        let held = try d.submit([JobSpec(executable: "/bin/true", directory: d.work, count: 2, hold: true)])
        _ = try d.client.post("/v1/jobs/\(held[1])/cancel", as: JobActionReply.self)
        #expect(try d.status(queued).allSatisfy { $0.state == .queued })

        let me = try #require(String(validatingCString: getpwuid(geteuid()).pointee.pw_name))
        var owners = [me]
        // A second owner, when users can be switched: root sees both, that user only their own.
        let other = isRoot && FileManager.default.fileExists(atPath: "/usr/sbin/runuser") && ensureUser("wsbtest")
        if other {
            let (code, out) = try runAs("wsbtest", ["submit", "--state-dir", d.stateDir, "--directory", "/tmp", "--hold", "--", "/bin/true"])
            #expect(code == 0, "\(out)")
            owners.append("wsbtest")
        }

        let (status, text) = try cli(d, ["q"], in: d.work)
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].split(separator: " ") == ["OWNER", "QUEUED", "STARTING", "RUNNING", "SUSPENDED", "HELD", "DONE", "FAILED", "CANCELLED", "TOTAL"],
                "\(text)")
        let mine = try #require(lines.first { $0.hasPrefix(me + " ") }, "\(text)")
        #expect(mine.split(separator: " ").dropFirst() == ["2", "0", "1", "0", "1", "1", "0", "1", "6"], "\(text)")
        #expect(lines.contains("Total for \(me): 6 jobs; 1 completed, 1 removed, 2 idle, 1 running, 1 held, 0 suspended"), "\(text)")
        let all = other ? "7 jobs; 1 completed, 1 removed, 2 idle, 1 running, 2 held, 0 suspended"
                        : "6 jobs; 1 completed, 1 removed, 2 idle, 1 running, 1 held, 0 suspended"
        #expect(lines.contains("Total for query: \(all)"), "\(text)")
        if other {
            #expect(lines.contains("Total for wsbtest: 1 jobs; 0 completed, 0 removed, 0 idle, 0 running, 1 held, 0 suspended"), "\(text)")
            let (_, theirs) = try runAs("wsbtest", ["q", "--state-dir", d.stateDir])
            #expect(!theirs.contains("Total for \(me):") && theirs.contains("Total for query: 1 jobs;"), "\(theirs)")
        }

        let (_, json) = try cli(d, ["queue", "--json"], in: d.work)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        let total = try #require(object["total"] as? [String: Any])
        #expect(total["total"] as? Int == (other ? 7 : 6))
        #expect((total["condor"] as? [String: Int])?["idle"] == 2)
        #expect((total["states"] as? [String: Int])?["cancelled"] == 1)
        let ownerRows = try #require(object["owners"] as? [[String: Any]])
        #expect(ownerRows.compactMap { $0["ownerName"] as? String }.sorted() == owners.sorted(), "\(json)")
        let row = try #require(ownerRows.first { $0["ownerName"] as? String == me })
        #expect(row["owner"] as? Int == Int(geteuid()))
        #expect(((row["counts"] as? [String: Any])?["states"] as? [String: Int])?["queued"] == 2, "\(json)")
        _ = try d.client.post("/v1/jobs/\(running[0])/cancel", as: JobActionReply.self)
    }
}
