import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// `wsbridge workspaces` names the host each workspace runs on and its age.
@Suite struct WorkspaceListTests {
    @Test func hostAndAge() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["30"], directory: d.work)])
        try d.waitUntil("a running job") { try d.status(ids)[0].state == .running }
        var name = [CChar](repeating: 0, count: 256)
        #expect(gethostname(&name, 255) == 0)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        let list = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
        #expect(list.count == 1 && list[0].host == host)
        sleep(2)
        let (status, text) = try cli(d, ["workspaces"], in: d.work)
        #expect(status == 0, "\(text)")
        let lines = text.split(separator: "\n")
        #expect(lines[0].split(separator: " ").prefix(8) == ["ID", "CLASS", "PROVIDER", "HOST", "STATE", "AGE", "PID", "JOBS"], "\(text)")
        let row = lines[1].split(separator: " ")
        #expect(row[0] == Substring(list[0].workspace.id) && row[3] == Substring(host), "\(text)")
        // days+hh:mm:ss, at least the two seconds slept and less than a minute.
        let age = String(row[5])
        #expect(age.hasPrefix("0+00:00:") && (2..<60).contains(Int(age.suffix(2)) ?? -1), "\(text)")

        let (_, shown) = try cli(d, ["workspaces", "show", list[0].workspace.id], in: d.work)
        #expect(shown.contains("host       \(host)") && shown.contains("(age 0+00:00:"), "\(shown)")
        let (_, json) = try cli(d, ["workspaces", "--json"], in: d.work)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(objects[0]["host"] as? String == host && objects[0]["slots"] as? Int == 2, "\(json)")
        // The image digest it was made from, short in the list, whole in `show`, and in the JSON.
        let digest = try #require(list[0].workspace.imageDigest)
        #expect(digest.count == 64 && list[0].outdated == false)
        #expect(lines[1].contains(" \(digest.prefix(12)) ") && !lines[1].contains("outdated"), "\(text)")
        #expect(shown.contains("image      sha256:\(digest)\n") || shown.hasSuffix("image      sha256:\(digest)"), "\(shown)")
        #expect((objects[0]["workspace"] as? [String: Any])?["imageDigest"] as? String == digest && objects[0]["outdated"] as? Bool == false, "\(json)")
        _ = try d.client.post("/v1/jobs/\(ids[0])/cancel", as: JobActionReply.self)
    }
}
