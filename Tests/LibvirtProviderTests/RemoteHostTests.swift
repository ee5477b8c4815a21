import Foundation
import Testing
@testable import LibvirtProvider

/// The pieces of remote-host support that need no second host: the storage pool calls against
/// the libvirt test driver, the volume XML against libvirt's schema, and the metadata tag.
/// Uploads and forwarded channels run against a real libvirtd in `RemoteHostGuestTests`.
@Suite struct RemoteHostTests {
    @Test("volume definitions (plain and qcow2 overlay) validate against libvirt's schema", .enabled(if: haveXMLValidator))
    func volumeXMLValidates() throws {
        for xml in [HostStoragePool.volumeXML("sha256-ab.img", bytes: 1234, format: "raw", mode: "0644"),
                    HostStoragePool.volumeXML("wsb-x.qcow2", bytes: 1 << 30, format: "qcow2", mode: "0600",
                                              backing: ("/var/lib/wsbridge/pool/sha256-cd.qcow2", "qcow2"))] {
            let (status, output) = try validateXML(xml, schema: "storagevol")
            #expect(status == 0, "\(output)\n\(xml)")
        }
    }

    @Test("a guest whose channel path libvirt chooses (remote host) validates", .enabled(if: haveXMLValidator))
    func channelWithoutPathValidates() throws {
        var spec = sampleSpec(.qemu)
        spec.agentSocketPath = nil
        let xml = DomainXML.render(spec)
        #expect(xml.contains("<source mode='bind'/>"))
        let (status, output) = try validateDomainXML(xml)
        #expect(status == 0, "\(output)")
    }

    @Test func storagePoolIsKeptInTheMetadata() throws {
        let m = WorkspaceMetadata(workspaceID: "ws-1", className: "vm", createdAt: 1, leaseExpiresAt: 2,
                                  endpoint: "/run/x.agent", instanceDirectory: "", owner: "d1", storagePool: "grid")
        let back = try #require(WorkspaceMetadata(xml: m.elementForSetMetadata))
        #expect(back == m)
        let local = WorkspaceMetadata(workspaceID: "ws-2", className: "vm", createdAt: 1, leaseExpiresAt: 2,
                                      endpoint: "/run/y.agent", instanceDirectory: "/var/lib/x")
        #expect(!local.elementForSetMetadata.contains("storage-pool"))
    }

    @Test("the pool is defined and started when missing, overlays are made in it and removed by name (test driver)")
    func poolLifecycleOnTheTestDriver() async throws {
        let connection = try await LibvirtConnection.open("test:///default")
        let pool = HostStoragePool(connection: connection, name: "wsb-pool-test", path: "/srv/wsb-pool-test")
        #expect(try await pool.prepare() == "/srv/wsb-pool-test")
        #expect(try await pool.prepare() == "/srv/wsb-pool-test", "a second prepare finds it running")
        let overlay = try await pool.createOverlay("wsb-a.qcow2", backing: "/srv/wsb-pool-test/base.img",
                                                   backingFormat: "raw", sizeMB: 64)
        #expect(overlay == "/srv/wsb-pool-test/wsb-a.qcow2")
        try await pool.remove(LibvirtProvider.remoteVolumes("wsb-a"))
        try await pool.remove(LibvirtProvider.remoteVolumes("wsb-a")) // absent volumes are no error
        let missing = HostStoragePool(connection: connection, name: "no-such-pool", path: "")
        try await missing.remove(["x"])
        await connection.close()
    }

    @Test func poolTargetPathIsReadFromItsXML() {
        let xml = "<pool type='dir'><name>p</name><source/><target><path>/srv/p</path><permissions/></target></pool>"
        #expect(HostStoragePool.targetPath(inPoolXML: xml) == "/srv/p")
    }
}
