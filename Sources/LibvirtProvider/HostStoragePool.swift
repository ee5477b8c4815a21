import CLibvirt
import Foundation

/// Files on a host that is reached only through libvirt (a remote URI): a directory storage pool
/// there holds the content-addressed copies of kernels, initramfs files and base images, uploaded
/// once per host through the libvirt connection (`virStorageVolUpload`), plus each workspace's
/// overlay disk, serial log and save file. No shared file system and no extra login is needed.
///
/// A copy counts only once its `.complete` marker volume exists, so an upload cut short (daemon
/// killed, link lost) is redone instead of booting a truncated kernel.
struct HostStoragePool: Sendable {
    let connection: LibvirtConnection
    /// The pool's name on the host; created as a directory pool at `path` when missing.
    let name: String
    let path: String

    /// Upload and overlay creation copy whole files: far longer than an ordinary call.
    static let transferTimeout: Double = 1800

    /// Makes sure the pool exists and runs (define, build, start, autostart as needed).
    /// - Returns: the pool's directory on the host.
    func prepare() async throws(LibvirtError) -> String {
        let (name, path) = (self.name, self.path)
        return try await connection.perform("prepare storage pool \(name)") { (c) throws(LibvirtError) -> String in
            var pool = virStoragePoolLookupByName(c, name)
            if pool == nil {
                virResetLastError()
                let xml = XMLTree("pool", [("type", "dir")], children: [
                    .leaf("name", name),
                    XMLTree("target", children: [.leaf("path", path), XMLTree("permissions", children: [.leaf("mode", "0711")])]),
                ]).rendered()
                pool = virStoragePoolDefineXML(c, xml, 0)
                guard let p = pool else { throw LibvirtError.last("virStoragePoolDefineXML(\(name))") }
                if virStoragePoolBuild(p, 0) < 0 { virResetLastError() } // the directory may exist already
                _ = virStoragePoolSetAutostart(p, 1)
            }
            guard let p = pool else { throw LibvirtError.last("virStoragePoolLookupByName(\(name))") }
            defer { virStoragePoolFree(p) }
            if virStoragePoolIsActive(p) != 1, virStoragePoolCreate(p, 0) < 0 {
                throw LibvirtError.last("virStoragePoolCreate(\(name))")
            }
            guard let desc = virStoragePoolGetXMLDesc(p, 0) else { throw LibvirtError.last("virStoragePoolGetXMLDesc(\(name))") }
            defer { free(desc) }
            return Self.targetPath(inPoolXML: String(cString: desc)) ?? path
        }
    }

    /// The host path of `localFile`'s copy named `volume`, uploading it first if the host does
    /// not have a complete copy yet.
    func stage(localFile: String, as volume: String) async throws(LibvirtError) -> String {
        let name = self.name
        return try await connection.perform("stage \(volume) on \(name)", timeout: Self.transferTimeout) { (c) throws(LibvirtError) -> String in
            guard let pool = virStoragePoolLookupByName(c, name) else { throw LibvirtError.last("virStoragePoolLookupByName(\(name))") }
            defer { virStoragePoolFree(pool) }
            if let path = Self.completeCopy(pool, volume) { return path }
            // Not listed: another daemon may have added it since the pool was last listed.
            if virStoragePoolRefresh(pool, 0) < 0 { throw LibvirtError.last("virStoragePoolRefresh(\(name))") }
            if let path = Self.completeCopy(pool, volume) { return path }
            // A copy without its marker is a cut-short upload: start over.
            if let stale = Self.lookup(pool, volume) {
                _ = virStorageVolDelete(stale, 0)
                virStorageVolFree(stale)
                virResetLastError()
            }
            var st = stat()
            guard stat(localFile, &st) == 0 else {
                throw LibvirtError.call(operation: "stage \(localFile)", code: .internalError, domain: 0,
                                        message: "cannot read \(localFile): \(String(cString: strerror(errno)))")
            }
            let xml = Self.volumeXML(volume, bytes: UInt64(st.st_size), format: "raw", mode: "0644")
            guard let vol = virStorageVolCreateXML(pool, xml, 0) else { throw LibvirtError.last("virStorageVolCreateXML(\(volume))") }
            defer { virStorageVolFree(vol) }
            do throws(LibvirtError) {
                try Self.upload(localFile, to: vol, connection: c)
            } catch {
                _ = virStorageVolDelete(vol, 0)
                throw error
            }
            let marker = Self.volumeXML(volume + ".complete", bytes: 0, format: "raw", mode: "0644")
            guard let m = virStorageVolCreateXML(pool, marker, 0) else { throw LibvirtError.last("virStorageVolCreateXML(\(volume).complete)") }
            virStorageVolFree(m)
            return try Self.path(of: vol)
        }
    }

    /// Creates volume `volume`, a qcow2 overlay of the host file `backing`; returns its path.
    func createOverlay(_ volume: String, backing: String, backingFormat: String, sizeMB: Int?) async throws(LibvirtError) -> String {
        let name = self.name
        return try await connection.perform("create overlay \(volume)", timeout: Self.transferTimeout) { (c) throws(LibvirtError) -> String in
            guard let pool = virStoragePoolLookupByName(c, name) else { throw LibvirtError.last("virStoragePoolLookupByName(\(name))") }
            defer { virStoragePoolFree(pool) }
            if let old = Self.lookup(pool, volume) { _ = virStorageVolDelete(old, 0); virStorageVolFree(old) }
            virResetLastError()
            // Without a size of its own the overlay is as large as its base.
            var capacity = UInt64(sizeMB ?? 0) * 1024 * 1024
            if capacity == 0, let base = virStorageVolLookupByPath(c, backing) {
                var info = virStorageVolInfo()
                if virStorageVolGetInfo(base, &info) == 0 { capacity = info.capacity }
                virStorageVolFree(base)
            }
            virResetLastError()
            let xml = Self.volumeXML(volume, bytes: capacity, format: "qcow2", mode: "0600",
                                     backing: (backing, backingFormat))
            guard let vol = virStorageVolCreateXML(pool, xml, 0) else { throw LibvirtError.last("virStorageVolCreateXML(\(volume))") }
            defer { virStorageVolFree(vol) }
            return try Self.path(of: vol)
        }
    }

    /// Deletes the named volumes that exist (after a refresh: files written by QEMU, such as the
    /// serial log and save files, become volumes only then).
    func remove(_ volumes: [String]) async throws(LibvirtError) {
        let name = self.name
        try await connection.perform("remove files from \(name)") { (c) throws(LibvirtError) in
            guard let pool = virStoragePoolLookupByName(c, name) else {
                virResetLastError()
                return // no pool, nothing of ours there
            }
            defer { virStoragePoolFree(pool) }
            if virStoragePoolRefresh(pool, 0) < 0 { throw LibvirtError.last("virStoragePoolRefresh(\(name))") }
            for v in volumes {
                guard let vol = Self.lookup(pool, v) else { continue }
                defer { virStorageVolFree(vol) }
                if virStorageVolDelete(vol, 0) < 0 { throw LibvirtError.last("virStorageVolDelete(\(v))") }
            }
        }
    }

    // MARK: C helpers (on the connection's queue)

    private static func lookup(_ pool: OpaquePointer, _ volume: String) -> OpaquePointer? {
        if let v = virStorageVolLookupByName(pool, volume) { return v }
        virResetLastError()
        return nil
    }

    /// The path of `volume` if it and its `.complete` marker are listed.
    private static func completeCopy(_ pool: OpaquePointer, _ volume: String) -> String? {
        guard let done = lookup(pool, volume + ".complete") else { return nil }
        virStorageVolFree(done)
        guard let vol = lookup(pool, volume) else { return nil }
        defer { virStorageVolFree(vol) }
        return try? path(of: vol)
    }

    private static func path(of vol: OpaquePointer) throws(LibvirtError) -> String {
        guard let p = virStorageVolGetPath(vol) else { throw LibvirtError.last("virStorageVolGetPath") }
        defer { free(p) }
        return String(cString: p)
    }

    /// Sends the whole file through a blocking stream, then finishes it (the host syncs it).
    private static func upload(_ file: String, to vol: OpaquePointer, connection c: OpaquePointer) throws(LibvirtError) {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LibvirtError.call(operation: "upload \(file)", code: .internalError, domain: 0,
                                    message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        guard let stream = virStreamNew(c, 0) else { throw LibvirtError.last("virStreamNew") }
        defer { virStreamFree(stream) }
        if virStorageVolUpload(vol, stream, 0, 0, 0) < 0 { throw LibvirtError.last("virStorageVolUpload(\(file))") }
        var buffer = [CChar](repeating: 0, count: 1 << 20)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                _ = virStreamAbort(stream)
                throw LibvirtError.call(operation: "upload \(file)", code: .internalError, domain: 0, message: message)
            }
            var offset = 0
            while offset < n {
                let sent = buffer.withUnsafeBufferPointer { virStreamSend(stream, $0.baseAddress! + offset, n - offset) }
                if sent < 0 {
                    let error = LibvirtError.last("virStreamSend(\(file))")
                    _ = virStreamAbort(stream)
                    throw error
                }
                offset += Int(sent)
            }
        }
        if virStreamFinish(stream) < 0 { throw LibvirtError.last("virStreamFinish(\(file))") }
    }

    /// A `<volume>` definition; a sparse file (no allocation up front).
    static func volumeXML(_ name: String, bytes: UInt64, format: String, mode: String,
                          backing: (path: String, format: String)? = nil) -> String {
        var c: [XMLTree] = [
            .leaf("name", name),
            .leaf("capacity", bytes, [("unit", "bytes")]),
            .leaf("allocation", 0, [("unit", "bytes")]),
            XMLTree("target", children: [XMLTree("format", [("type", format)]),
                                         XMLTree("permissions", children: [.leaf("mode", mode)])]),
        ]
        if let backing {
            c.append(XMLTree("backingStore", children: [.leaf("path", backing.path), XMLTree("format", [("type", backing.format)])]))
        }
        return XMLTree("volume", children: c).rendered()
    }

    /// `<target><path>` of pool XML.
    static func targetPath(inPoolXML xml: String) -> String? {
        guard let t = xml.range(of: "<target>"), let s = xml.range(of: "<path>", range: t.upperBound..<xml.endIndex),
              let e = xml.range(of: "</path>", range: s.upperBound..<xml.endIndex) else { return nil }
        return String(xml[s.upperBound..<e.lowerBound])
    }
}
