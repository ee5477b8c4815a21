import Foundation
@testable import LibvirtProvider
import WorkspaceBridge

/// A fresh directory under the system temporary directory, removed by the caller.
func makeTempDirectory(_ label: String = "wsb-libvirt") -> String {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Whether libvirt's schema validator (libvirt-clients + libxml2-utils) is installed.
let haveXMLValidator = FileManager.default.isExecutableFile(atPath: "/usr/bin/virt-xml-validate")
    && FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint")

/// Runs `virt-xml-validate FILE domain`; returns (exit status, output).
func validateDomainXML(_ xml: String) throws -> (Int32, String) {
    try validateXML(xml, schema: "domain")
}

/// Runs `virt-xml-validate FILE SCHEMA` (`domain`, `storagevol`, `storagepool` ...).
func validateXML(_ xml: String, schema: String) throws -> (Int32, String) {
    let dir = makeTempDirectory("wsb-xml")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let file = (dir as NSString).appendingPathComponent("domain.xml")
    try xml.write(toFile: file, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/virt-xml-validate")
    p.arguments = [file, schema]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, out)
}

/// A domain spec with every optional part filled, for one guest kind.
func sampleSpec(_ kind: GuestKind, name: String = "wsb-sample", id: String = "ws-0001",
                className: String = "grid-large") -> DomainSpec {
    let meta = WorkspaceMetadata(workspaceID: id, className: className, createdAt: 1_700_000_000,
                                 leaseExpiresAt: 1_700_086_400, endpoint: "/run/wsbridge/libvirt/\(name).agent",
                                 instanceDirectory: "/var/lib/wsbridge/libvirt/instances/\(name)")
    return DomainSpec(name: name, kind: kind, memoryMiB: 512, maxMemoryMiB: 1024, vcpus: 2,
                      cpu: CPUTuning(weight: 200, capPercent: 150),
                      kernel: "/var/lib/wsbridge/libvirt/images/sha256-aa.vmlinuz",
                      initrd: "/var/lib/wsbridge/libvirt/images/sha256-bb.img",
                      cmdline: "console=\(kind.consoleDevice) panic=-1 quiet",
                      disks: [.init(path: "/var/lib/wsbridge/libvirt/instances/\(name)/disk.qcow2", format: "qcow2")],
                      network: kind.isXen ? .bridge("xenbr0") : .network("default"),
                      bandwidth: .init(inboundKiBps: 12800, outboundKiBps: 6400),
                      serialLogPath: "/var/lib/wsbridge/libvirt/instances/\(name)/serial.log",
                      agentSocketPath: meta.endpoint, metadata: meta)
}

/// Metadata element text for a node-file fixture domain.
func metadataElement(id: String, className: String = "c1") -> String {
    WorkspaceMetadata(workspaceID: id, className: className, createdAt: 1, leaseExpiresAt: 2,
                      endpoint: "/nonexistent/\(id).agent", instanceDirectory: "").element.rendered()
}

/// A libvirt test-driver node file: `test:///<path>` gives a private fake host with these
/// domains (they start running unless `shutOff`).
func writeNodeFile(in dir: String, domains: [(name: String, metadataXML: String?, shutOff: Bool)]) throws -> String {
    var xml = """
    <node>
      <cpu><mhz>2000</mhz><model>x86_64</model><active>2</active><total>2</total><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads></cpu>
      <memory>8388608</memory>
    """
    for d in domains {
        xml += """
          <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
            <name>\(d.name)</name>
            <memory>262144</memory>
            <vcpu>1</vcpu>
            <os><type>hvm</type></os>
            \(d.metadataXML.map { "<metadata>\($0)</metadata>" } ?? "")
            \(d.shutOff ? "<test:runstate>5</test:runstate>" : "")
          </domain>
        """
    }
    xml += "</node>\n"
    let path = (dir as NSString).appendingPathComponent("node-\(UUID().uuidString.prefix(6)).xml")
    try xml.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A libvirt workspace class for the test driver: a dummy kernel file is enough there.
func testClass(name: String = "tc", uris: [String], kind: String = "qemu", kernel: String,
               extra: [String: String] = [:], cap: Int? = nil) -> WorkspaceClass {
    var settings = ["uris": uris.joined(separator: ","), "domain_type": kind, "kernel": kernel]
    settings.merge(extra) { $1 }
    return WorkspaceClass(name: name, provider: "libvirt", memoryMB: 256, cpus: 1, cpuWeight: 100,
                          cpuCapPercent: cap, network: false, settings: settings)
}

/// A provider over private test-driver hosts, with its files in `dir`.
func testProvider(dir: String, uris: [String], callTimeout: Double = 10, openTimeout: Double = 10) -> LibvirtProvider {
    LibvirtProvider(configuration: .init(stateDirectory: dir + "/state", socketDirectory: dir + "/sock",
                                         openTimeout: openTimeout, callTimeout: callTimeout, waitForAgent: false),
                    uris: uris)
}

/// A Unix socket that accepts connections and then either never answers (a hung daemon) or
/// closes them at once (a dying one). `stop()` closes everything, which releases any libvirt
/// call still blocked on it.
final class FakeDaemonSocket: @unchecked Sendable {
    enum Behaviour { case hang, hangUp }
    let path: String
    private let listener: Int32
    private let lock = NSLock()
    private var accepted: [Int32] = []
    private var stopped = false

    init(path: String, behaviour: Behaviour) throws {
        self.path = path
        unlink(path)
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in raw.copyBytes(from: bytes); raw[bytes.count] = 0 }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        let fd = listener
        Thread.detachNewThread { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                switch behaviour {
                case .hang: self.lock.withLock { self.accepted.append(c) }
                case .hangUp: close(c)
                }
            }
        }
    }

    var uri: String { "qemu+unix:///system?socket=\(path)" }

    func stop() {
        let fds: [Int32] = lock.withLock {
            if stopped { return [] }
            stopped = true
            return accepted
        }
        for c in fds { shutdown(c, Int32(SHUT_RDWR)); close(c) }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }
}
