import Foundation
import Testing
@testable import WorkspaceAgent

@Suite struct AgentScratchOptionsTests {
    let base = ["--socket", "/s", "--state", "/st", "--private-mounts"]

    @Test func aScratchDiskAndItsSize() throws {
        let o = try #require(try AgentMain.parse(base + ["--scratch", "/w/ws-1/scratch", "--disk-mb", "16"]))
        #expect(o.scratchDirectory == "/w/ws-1/scratch" && o.diskMB == 16)
        #expect(o.runScratch?.reason == "disk limit of 16 MB reached")
        #expect(try AgentMain.parse(base)?.runScratch == nil)
    }

    @Test(arguments: [["--scratch", "/x"], ["--disk-mb", "16"], ["--scratch", "rel", "--disk-mb", "1"],
                      ["--scratch", "/x", "--disk-mb", "0"], ["--scratch", "/x", "--disk-mb", "1073741825"],
                      ["--scratch", "/x", "--disk-mb", "lots"]])
    func halfOrOutOfRangeIsRefused(extra: [String]) {
        #expect(throws: AgentUsageError.self) { try AgentMain.parse(base + extra) }
    }

    @Test func theDiskIsFullShortOfItsLastBlock() {
        #expect(RunScratch.fullBelowBytes(total: 16 << 20) == 1 << 20)
        #expect(RunScratch.fullBelowBytes(total: 64 << 30) == 1 << 30)
    }

    @Test func anAgentStartingAgainClearsWhatRunsLeftOnTheDisk() throws {
        let root = NSTemporaryDirectory() + "wsb-scratch-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/disk/runs/7.1/tmp", withIntermediateDirectories: true)
        try Data("left".utf8).write(to: URL(fileURLWithPath: root + "/disk/runs/7.1/tmp/file"))
        let options = AgentOptions(socketPath: root + "/a.sock", devicePath: nil, stateDirectory: root + "/state", journalPath: nil,
                                   cgroup: nil, cgroupVersion: nil, privateMounts: true, scratchDirectory: root + "/disk",
                                   diskMB: 1, workspaceID: "ws-t")
        _ = try Agent(options: options)
        #expect(!FileManager.default.fileExists(atPath: root + "/disk/runs"))
        #expect(FileManager.default.fileExists(atPath: root + "/disk"))
    }
}
