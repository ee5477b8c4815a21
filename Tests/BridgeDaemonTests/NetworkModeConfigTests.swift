import Foundation
import Testing
import WorkspaceBridge
@testable import BridgeDaemon

@Suite struct NetworkModeConfigTests {
    func network(_ value: String) throws -> WorkspaceNetwork? {
        try ConfigLoader.parse("[[class]]\nname = \"c\"\nnetwork = \(value)\n").classes.first?.network
    }

    @Test func modesAndTheOldBooleansAreRead() throws {
        #expect(try network("\"none\"") == WorkspaceNetwork.none)
        #expect(try network("\"host\"") == .host)
        #expect(try network("\"shaped\"") == .shaped)
        #expect(try network("true") == .host)
        #expect(try network("false") == WorkspaceNetwork.none)
        #expect(try ConfigLoader.parse("[[class]]\nname = \"c\"\n").classes.first?.network == .host)
    }

    @Test func anythingElseIsRefusedWithTheKey() {
        for bad in ["\"bridged\"", "1", "\"\"", "[\"host\"]"] {
            #expect { _ = try network(bad) } throws: { "\($0)".contains("network") }
        }
    }

    @Test func aClassDecodesFromEitherSpelling() throws {
        let old = try JSONDecoder().decode(WorkspaceNetwork.self, from: Data("false".utf8))
        let new = try JSONDecoder().decode(WorkspaceNetwork.self, from: Data("\"shaped\"".utf8))
        #expect(old == WorkspaceNetwork.none && new == .shaped)
        #expect(String(decoding: try JSONEncoder().encode(WorkspaceNetwork.host), as: UTF8.self) == "\"host\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(WorkspaceNetwork.self, from: Data("\"wifi\"".utf8)) }
    }

    @Test func diskMBIsBounded() throws {
        #expect(try ConfigLoader.parse("[[class]]\nname = \"c\"\ndisk_mb = 16\n").classes.first?.diskMB == 16)
        for bad in ["0", "-5", "1073741825"] {
            #expect { _ = try ConfigLoader.parse("[[class]]\nname = \"c\"\ndisk_mb = \(bad)\n") } throws: { "\($0)".contains("disk_mb") }
        }
    }
}
