import Foundation
import Testing
import WorkspaceBridge
@testable import WorkspaceProviders

/// Image digests of files and trees: equal for equal content, different for any change a
/// workspace could see (content, mode, a new file, a link's target), and not stale after a change.
@Suite struct ImageDigestTests {
    func tree() throws -> String {
        let root = NSTemporaryDirectory() + "wsb-imgtree-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try "echo 1\n".write(toFile: root + "/bin/tool", atomically: true, encoding: .utf8)
        try "data".write(toFile: root + "/README", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/current", withDestinationPath: "bin/tool")
        return root
    }

    @Test func aFileIsItsSHA256() throws {
        let path = NSTemporaryDirectory() + "wsb-imgfile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "abc".write(toFile: path, atomically: true, encoding: .utf8)
        // FIPS 180-4's example "abc".
        #expect(try ImageDigest.file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try ImageDigest.tree(path) == ImageDigest.file(path))
        #expect(throws: ImageDigest.Failure.self) { try ImageDigest.file(path + ".missing") }
        #expect(throws: ImageDigest.Failure.self) { try ImageDigest.file("/dev/null") }
    }

    @Test func aTreeChangesWithWhatItHolds() throws {
        let a = try tree(), b = try tree()
        defer { for p in [a, b] { try? FileManager.default.removeItem(atPath: p) } }
        let first = try ImageDigest.tree(a)
        #expect(ImageDigest.isValid(first))
        #expect(try ImageDigest.tree(b) == first, "the same content elsewhere is the same image")
        #expect(try ImageDigest.tree(a) == first)

        try "echo 2\n".write(toFile: a + "/bin/tool", atomically: false, encoding: .utf8)
        let content = try ImageDigest.tree(a)
        #expect(content != first)
        chmod(a + "/bin/tool", 0o755)
        let mode = try ImageDigest.tree(a)
        #expect(mode != content)
        try FileManager.default.removeItem(atPath: a + "/current")
        try FileManager.default.createSymbolicLink(atPath: a + "/current", withDestinationPath: "README")
        let link = try ImageDigest.tree(a)
        #expect(link != mode)
        try FileManager.default.createDirectory(atPath: a + "/empty", withIntermediateDirectories: false)
        #expect(try ImageDigest.tree(a) != link)
    }

    @Test func aLinkedRootIsFollowed() throws {
        let one = try tree(), two = try tree()
        let link = NSTemporaryDirectory() + "wsb-imglink-\(UUID().uuidString)"
        defer { for p in [one, two, link] { try? FileManager.default.removeItem(atPath: p) } }
        try "echo 2\n".write(toFile: two + "/bin/tool", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: one)
        #expect(try ImageDigest.tree(link) == ImageDigest.tree(one))
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: two)
        #expect(try ImageDigest.tree(link) == ImageDigest.tree(two))
        #expect(try ImageDigest.tree(one) != ImageDigest.tree(two))
    }

    @Test func localClassesDigestTheirImageSetting() async throws {
        let a = try tree()
        defer { try? FileManager.default.removeItem(atPath: a) }
        var c = WorkspaceClass(name: "c")
        let none = try LocalProvider.digest(of: c)
        c.settings["image"] = a
        let one = try LocalProvider.digest(of: c)
        #expect(one != none && ImageDigest.isValid(one) && ImageDigest.isValid(none))
        try "v2".write(toFile: a + "/README", atomically: true, encoding: .utf8)
        #expect(try LocalProvider.digest(of: c) != one)
        c.settings["image"] = a + "/nothing-here"
        #expect(throws: ImageDigest.Failure.self) { try LocalProvider.digest(of: c) }
        let provider = LocalProvider(stateDirectory: NSTemporaryDirectory() + "wsb-lp-\(UUID().uuidString)", agentExecutable: "/bin/false",
                                     journalPath: nil)
        c.settings["image"] = "relative/path"
        #expect(throws: ProviderError.self) { try provider.validate(c) }
    }

    @Test func combiningIsOrderedAndNamed() {
        let x = ImageDigest.combine([("kernel", "k"), ("initrd", "i")])
        #expect(x != ImageDigest.combine([("initrd", "i"), ("kernel", "k")]))
        #expect(x != ImageDigest.combine([("kernel", "ki"), ("initrd", "")]))
        #expect(!ImageDigest.isValid("ABC") && !ImageDigest.isValid(String(repeating: "A", count: 64)))
    }
}
