import AgentProtocol
import Foundation
import Testing
import WorkspaceBridge

@Suite struct StagingProtocolTests {
    /// FIPS 180-4 examples, and lengths around the 55/56/64-byte padding edges checked against
    /// `sha256sum` (coreutils).
    @Test func sha256MatchesTheStandard() throws {
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        for n in [55, 56, 63, 64, 65, 1000, 100_000] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            // Fed in uneven pieces, the digest is the same as in one.
            var h = SHA256()
            var rest = bytes[...]
            var step = 1
            while !rest.isEmpty {
                h.update(rest.prefix(step))
                rest = rest.dropFirst(step)
                step = step * 3 + 1
            }
            let whole = SHA256.hex(of: bytes)
            #expect(h.finish() == whole)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(n)-\(getpid())")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            p.arguments = [file.path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            p.waitUntilExit()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(out.hasPrefix(whole), "length \(n)")
        }
    }

    @Test func stagedPathsStayInsideTheRunDirectory() {
        #expect(StagedPath("a/b.txt")?.value == "a/b.txt")
        #expect(StagedPath("dir/")?.value == "dir")
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\nb", "a\0b"] {
            #expect(StagedPath(bad) == nil, "\(bad.debugDescription)")
        }
        // Decoding refuses what the initializer refuses: a guest cannot name a path outside.
        let json = Data(#"{"key":{"job":1,"attempt":1},"path":"../../etc/shadow","offset":0,"data":""}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FileChunk.self, from: json) }
    }

    @Test func stageMessagesRoundTrip() throws {
        let end = StagedFile(path: StagedPath("in/data")!, size: 3, sha256: SHA256.hex(of: Array("abc".utf8)), executable: false)
        let m = DaemonMessage.stage(FileChunk(key: RunKey(job: 4, attempt: 2), path: StagedPath("in/data")!, offset: 0,
                                              data: Data("abc".utf8), end: end, owner: FileOwner(uid: 1000, gid: 1000, groups: [1000, 27])))
        let back = try JSONDecoder().decode(DaemonMessage.self, from: try JSONEncoder().encode(m))
        #expect(back == m)
        // A run request of an older daemon (no file lists) still decodes.
        let old = Data(#"{"captureStdout":true,"captureStderr":false,"joined":false}"#.utf8)
        let staging = try JSONDecoder().decode(RunStaging.self, from: old)
        #expect(staging.inputs.isEmpty && staging.outputs == nil && staging.maxOutputBytes == RunStaging.maxOutputBytes)
    }

    @Test func inputsArePlacedLikeHTCondorAndGRAMExpect() {
        let dir = "/home/alice/job"
        #expect(FileTransfer.placement(of: "/home/alice/job/in/a.dat", jobDirectory: dir) == .at(StagedPath("in/a.dat")!))
        #expect(FileTransfer.placement(of: "/data/set1", jobDirectory: dir) == .at(StagedPath("set1")!))
        #expect(FileTransfer.placement(of: "/data/set1/", jobDirectory: dir) == .contentsAtTop)
        #expect(FileTransfer.placement(of: "/home/alice/jobs2/x", jobDirectory: dir) == .at(StagedPath("x")!))
    }

    @Test func transferListsAreBounded() {
        #expect(throws: JobSpecError.self) { try FileTransfer(inputs: ["relative"]).validate() }
        #expect(throws: JobSpecError.self) { try FileTransfer(inputs: ["/a/../etc"]).validate() }
        #expect(throws: JobSpecError.self) { try FileTransfer(outputs: ["/etc/passwd"]).validate() }
        #expect(throws: JobSpecError.self) { try FileTransfer(inputs: Array(repeating: "/a", count: FileTransfer.maxEntries + 1)).validate() }
        #expect(throws: Never.self) { try FileTransfer(inputs: ["/a/b", "/c/"], outputs: ["out/x"], credential: "/tmp/x509up_u1000").validate() }
    }
}
