import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// `wsbridge status` names owners as `condor_q` and `qstat` do; `--json` keeps the uid and adds
/// the name.
@Suite struct StatusOwnerTests {
    @Test func ownersAreUserNames() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let id = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])[0]
        _ = try d.waitAll([id])
        let me = UInt32(geteuid())
        let name = try #require(String(validatingCString: getpwuid(me).pointee.pw_name))

        let (status, text) = try cli(d, ["status", String(id)], in: d.work)
        #expect(status == 0)
        let lines = text.split(separator: "\n")
        let header = lines[0].split(separator: " ", omittingEmptySubsequences: true)
        let row = lines[1].split(separator: " ", omittingEmptySubsequences: true)
        #expect(header[2] == "OWNER")
        #expect(row[2] == Substring(name), "\(text)")

        let (_, json) = try cli(d, ["status", "--json", String(id)], in: d.work)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(objects[0]["ownerName"] as? String == name, "\(json)")
        #expect((objects[0]["job"] as? [String: Any])?["owner"] as? Int == Int(me), "the uid stays")
    }
}
