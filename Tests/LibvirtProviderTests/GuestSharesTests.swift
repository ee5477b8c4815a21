import Testing
import WorkspaceBridge
@testable import LibvirtProvider

@Suite("Shared directories in guests")
struct GuestSharesTests {
    static let binds = [SharedDirectory(path: "/cvmfs", writable: false), SharedDirectory(path: "/home", writable: true)]

    func spec(_ kind: GuestKind, _ fs: SharedFilesystemKind) -> DomainSpec {
        var s = sampleSpec(kind)
        s.shares = GuestShares.plan(Self.binds)
        s.sharedFilesystem = fs
        return s
    }

    func settings(_ extra: [String: String] = [:], binds: [SharedDirectory] = binds,
                  warmMode: WarmMode = .running) throws(ConfigError) -> LibvirtClassSettings {
        var c = WorkspaceClass(name: "vm", provider: "libvirt", settings: ["kernel": "/boot/vmlinuz"].merging(extra) { $1 })
        c.binds = binds
        c.warmMode = warmMode
        return try LibvirtClassSettings(c)
    }

    @Test("every guest kind with shares validates against libvirt's schema", .enabled(if: haveXMLValidator),
          arguments: [(GuestKind.qemu, SharedFilesystemKind.virtiofs), (.kvm, .virtiofs), (.qemu, .ninep), (.kvm, .ninep),
                      (.xenPV, .ninep), (.xenHVM, .ninep)])
    func validates(kind: GuestKind, fs: SharedFilesystemKind) throws {
        let xml = DomainXML.render(spec(kind, fs))
        let (status, output) = try validateDomainXML(xml)
        #expect(status == 0, "\(kind) \(fs): \(output)\n\(xml)")
        #expect(xml.components(separatedBy: "<filesystem type='mount' accessmode='passthrough'>").count == 3)
    }

    @Test("virtio-fs: shared memory, the virtiofs driver, read-only left to the guest (libvirt 9.0 refuses <readonly/>)")
    func virtioFS() {
        let xml = DomainXML.render(spec(.qemu, .virtiofs))
        #expect(xml.contains("<memoryBacking>\n    <source type='memfd'/>\n    <access mode='shared'/>\n  </memoryBacking>"))
        #expect(xml.contains("<driver type='virtiofs'/>"))
        // Shorter paths first (an outer directory is mounted before one inside it).
        #expect(xml.contains("<source dir='/home'/>\n      <target dir='wsbridge0'/>"))
        #expect(xml.contains("<source dir='/cvmfs'/>\n      <target dir='wsbridge1'/>"))
        #expect(!xml.contains("<readonly/>"))
    }

    @Test("9p over virtio: path driver, passthrough, <readonly/> for ro; no shared memory needed")
    func ninePVirtio() {
        let xml = DomainXML.render(spec(.kvm, .ninep))
        #expect(!xml.contains("memoryBacking"))
        #expect(xml.contains("<driver type='path'/>"))
        #expect(xml.contains("<source dir='/cvmfs'/>\n      <target dir='wsbridge1'/>\n      <readonly/>"))
        #expect(xml.components(separatedBy: "<readonly/>").count == 2)
    }

    @Test("Xen: the libxl 9pfs form (no driver element, never virtio-fs) and it defines on the test driver")
    func xen() async throws {
        var s = spec(.xenPV, .virtiofs) // virtio-fs is never rendered for Xen
        s.name = "wsb-xenshare-\(UInt32.random(in: 0...UInt32.max))"
        let xml = DomainXML.render(s)
        #expect(!xml.contains("memoryBacking") && !xml.contains("<driver type="))
        #expect(xml.contains("<source dir='/home'/>"))
        let c = try await LibvirtConnection.open("test:///default")
        let d = try await c.defineDomain(xml: xml)
        #expect(try await d.xmlDescription().contains("<filesystem type='mount' accessmode='passthrough'>"))
        try await d.undefine()
    }

    @Test("no binds: no filesystem, no memory backing, nothing on the command line")
    func none() throws {
        #expect(!DomainXML.render(sampleSpec(.qemu)).contains("filesystem"))
        #expect(!(try settings(binds: [])).cmdline.contains("wsbridge.share"))
    }

    @Test("the guest learns where to mount each share from the kernel command line, outer paths first")
    func commandLine() throws {
        let s = try settings(binds: [SharedDirectory(path: "/home/grid", writable: true), SharedDirectory(path: "/home", writable: false)])
        #expect(s.sharedFilesystem == .virtiofs)
        #expect(s.cmdline.hasSuffix(" wsbridge.sharefs=virtiofs wsbridge.share=wsbridge0:/home:ro wsbridge.share=wsbridge1:/home/grid:rw"))
        #expect(try settings(["shared_fs": "9p"]).cmdline.contains("wsbridge.sharefs=9p"))
        #expect(try settings(["uri": "xen:///system"]).sharedFilesystem == .ninep)
    }

    @Test("refused at config validation, with the reason")
    func refusals() {
        func refused(_ fragment: String, _ make: () throws(ConfigError) -> LibvirtClassSettings) {
            #expect { _ = try make() } throws: { "\($0)".contains("binds") && "\($0)".contains(fragment) }
        }
        refused("remote libvirt host") { () throws(ConfigError) in try settings(["uris": "qemu:///system,qemu+ssh://root@node2/system"]) }
        refused("9p only") { () throws(ConfigError) in try settings(["uri": "xen:///system", "shared_fs": "virtiofs"]) }
        refused("cannot be saved") { () throws(ConfigError) in try settings(warmMode: .saved) }
        refused("kernel command line") { () throws(ConfigError) in try settings(binds: [SharedDirectory(path: "/my data", writable: true)]) }
        refused("guest's own system") { () throws(ConfigError) in try settings(binds: [SharedDirectory(path: "/usr", writable: false)]) }
        refused("guest's own system") { () throws(ConfigError) in try settings(binds: [SharedDirectory(path: "/proc/sys", writable: false)]) }
        refused("at most") { () throws(ConfigError) in
            try settings(binds: (0...GuestShares.maxShares).map { SharedDirectory(path: "/s\($0)", writable: false) })
        }
        refused("command line would be") { () throws(ConfigError) in
            try settings(binds: (0..<8).map { SharedDirectory(path: "/" + String(repeating: "d", count: 250) + "\($0)", writable: false) })
        }
        #expect { _ = try settings(["shared_fs": "nfs"]) } throws: { "\($0)".contains("shared_fs") }
        #expect((try? settings(["uris": "qemu+ssh://root@node2/system"], binds: [])) != nil)
    }
}

@Suite struct ProviderValidationTests {
    @Test("the provider validates a class as the daemon asks at load: binds on a remote host refused, on a local one accepted")
    func validate() throws {
        let provider = LibvirtProvider(uris: [])
        var far = WorkspaceClass(name: "far", provider: "libvirt", settings: ["uris": "qemu+ssh://root@node2/system", "kernel": "/k"])
        far.binds = [SharedDirectory(path: "/home", writable: true)]
        #expect { try provider.validate(far) } throws: { "\($0)".contains("remote libvirt host") }
        var near = far
        near.settings["uris"] = "qemu:///system"
        try provider.validate(near)
        #expect { try provider.validate(WorkspaceClass(name: "nokernel", provider: "libvirt")) } throws: { "\($0)".contains("kernel") }
    }
}
