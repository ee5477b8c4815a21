import Foundation
import Testing
@testable import LibvirtProvider

@Suite("Image cache")
struct ImageCacheTests {
    let haveQemuImg = FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-img")

    @Test("a file is cached once under its content hash and reused")
    func contentAddressed() throws {
        let dir = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = dir + "/kernel-a", b = dir + "/kernel-b"
        try Data("same bytes".utf8).write(to: URL(fileURLWithPath: a))
        try Data("same bytes".utf8).write(to: URL(fileURLWithPath: b))
        let cache = ImageCache(directory: dir + "/cache")
        let first = try cache.cachedCopy(of: a)
        #expect(try cache.cachedCopy(of: a) == first)
        // Same content under another name: one copy only (the name keeps the extension).
        #expect(try cache.cachedCopy(of: b) == first)
        #expect((first as NSString).lastPathComponent.hasPrefix("sha256-"))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/cache").filter { !$0.hasPrefix(".") }
        #expect(files.count == 1)
        // Read-only: a guest must never write into the shared base.
        let mode = try FileManager.default.attributesOfItem(atPath: first)[.posixPermissions] as? Int
        #expect(mode == 0o444)

        // New content at the same path: a new entry; the old one stays for the guests using it.
        try Data("new bytes".utf8).write(to: URL(fileURLWithPath: a))
        let second = try cache.cachedCopy(of: a)
        #expect(second != first)
        #expect(FileManager.default.fileExists(atPath: first))
        // Each copy's name is its content's digest: what guests made from it are labelled with.
        for copy in [first, second] { #expect(ImageCache.digest(ofCached: copy) == (try cache.sha256(of: copy))) }
        #expect(ImageCache.digest(ofCached: a) == nil)
    }

    @Test("a source that changed after it was hashed is cached under the digest of what was copied")
    func changedWhileCopied() throws {
        let dir = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = dir + "/initrd.img"
        try Data("the bytes hashed".utf8).write(to: URL(fileURLWithPath: source))
        let cache = ImageCache(directory: dir + "/cache")
        try FileManager.default.createDirectory(atPath: cache.directory, withIntermediateDirectories: true)
        let stale = try cache.sha256(of: source)
        try Data("the bytes copied".utf8).write(to: URL(fileURLWithPath: source))
        let placed = try cache.insert(copyOf: source, claimed: stale, ext: "img")
        #expect(ImageCache.digest(ofCached: placed) != stale)
        #expect(ImageCache.digest(ofCached: placed) == (try cache.sha256(of: placed)))
        #expect(FileManager.default.contents(atPath: placed) == Data("the bytes copied".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir + "/cache/sha256-\(stale).img"), "no file under a name that lies")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/cache").filter { $0.contains("partial") }.isEmpty)
    }

    @Test("a missing source is a typed error")
    func missing() {
        let cache = ImageCache(directory: makeTempDirectory())
        #expect(throws: ImageCache.Failure.self) { try cache.cachedCopy(of: "/nonexistent/image.qcow2") }
    }

    @Test("overlays are qcow2 files backed by the cached base", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-img")))
    func overlay() throws {
        let dir = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try HostCommand.run("qemu-img", ["create", "-q", "-f", "qcow2", dir + "/base.qcow2", "64M"])
        let cache = ImageCache(directory: dir + "/cache")
        let base = try cache.cachedCopy(of: dir + "/base.qcow2")
        #expect(ImageCache.format(of: base) == "qcow2")
        try cache.createOverlay(base: base, at: dir + "/o1.qcow2")
        try cache.createOverlay(base: base, at: dir + "/o2.qcow2", sizeMB: 128)
        let info = try HostCommand.run("qemu-img", ["info", "--output=json", dir + "/o2.qcow2"])
        #expect(info.contains("\"backing-filename\": \"\(base)\""))
        #expect(info.contains("\"backing-filename-format\": \"qcow2\""))
        #expect(info.contains("\"virtual-size\": 134217728"))

        try Data(count: 4096).write(to: URL(fileURLWithPath: dir + "/raw.img"))
        #expect(ImageCache.format(of: dir + "/raw.img") == "raw")
    }
}
