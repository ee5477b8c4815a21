import Foundation
import ProcessSpawn
import WorkspaceBridge

/// A job VM's images, made ready to boot. The daemon runs as root and QEMU opens what the
/// domain names as root, so a user's image is never handed to QEMU by its path: it is read as
/// the job's user (who must be able to read it) into the workspace's instance directory, owned
/// by root. A qcow2 image that names a backing file is refused (it would make QEMU open that
/// file). Then:
/// - a writable disk whose changes come back (`vm_no_output_vm = false`) is that copy;
/// - a writable disk whose changes are thrown away gets a copy-on-write qcow2 overlay over it,
///   so the copy stays as the user gave it;
/// - a read-only disk is the copy, attached `<readonly/>`.
enum JobVMImages {
    struct Staged {
        var disks: [JobVMDomain.Disk] = []
        var kernel: String?
        var initrd: String?
        /// Instance-directory file → the name it comes back under in the job's directory.
        var returned: [String: String] = [:]
    }

    static func stage(_ vm: VMDescription, into directory: String, as owner: UserFiles.Owner) throws -> Staged {
        var out = Staged()
        for (i, d) in vm.disks.enumerated() {
            let format = d.format ?? "raw"
            let copy = "\(directory)/disk\(i)-\(d.device).\(format)"
            try copyAsUser(d.file, to: copy, as: owner)
            if format == "qcow2" { try checkStandalone(copy, name: d.file) }
            if d.writable && vm.outputDisks {
                out.disks.append(.init(path: copy, format: format, device: d.device, readOnly: false))
                out.returned[copy] = String(d.file.split(separator: "/").last ?? "disk")
            } else if d.writable {
                let overlay = copy + ".overlay.qcow2"
                do { try HostCommand.run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", format, "-b", copy, overlay]) } catch {
                    throw LibvirtProviderError.image("cannot make an overlay of \(d.file): \(error)")
                }
                out.disks.append(.init(path: overlay, format: "qcow2", device: d.device, readOnly: false))
            } else {
                out.disks.append(.init(path: copy, format: format, device: d.device, readOnly: true))
            }
        }
        if let kernel = vm.kernel {
            out.kernel = directory + "/kernel"
            try copyAsUser(kernel, to: out.kernel!, as: owner)
        }
        if let initrd = vm.initrd {
            out.initrd = directory + "/initrd"
            try copyAsUser(initrd, to: out.initrd!, as: owner)
        }
        return out
    }

    /// Reads `source` with the user's identity (their permissions, their view of symlinks) and
    /// writes it to `destination` as root, mode 0600.
    static func copyAsUser(_ source: String, to destination: String, as owner: UserFiles.Owner) throws {
        let input = UserFiles.openFile(source, flags: O_RDONLY | O_NONBLOCK | O_CLOEXEC, as: owner)
        guard input >= 0 else {
            throw LibvirtProviderError.image("cannot read \(source) as uid \(owner.uid): \(String(cString: strerror(errno)))")
        }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw LibvirtProviderError.image("\(source) is not a plain file")
        }
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) & ~O_NONBLOCK)
        unlink(destination)
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard output >= 0 else {
            throw LibvirtProviderError.image("cannot write \(destination): \(String(cString: strerror(errno)))")
        }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw LibvirtProviderError.image("reading \(source): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            var done = 0
            while done < n {
                let w = buffer.withUnsafeBytes { write(output, $0.baseAddress! + done, n - done) }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw LibvirtProviderError.image("writing \(destination): \(String(cString: strerror(errno)))") }
                done += w
            }
        }
        guard fsync(output) == 0 else { throw LibvirtProviderError.image("writing \(destination): \(String(cString: strerror(errno)))") }
    }

    /// A qcow2 image must stand alone: a backing file named inside it would be opened by QEMU as root.
    static func checkStandalone(_ copy: String, name: String) throws {
        let info: String
        do { info = try HostCommand.run("qemu-img", ["info", "--output=json", "-f", "qcow2", copy]) } catch {
            throw LibvirtProviderError.image("\(name) is not a qcow2 image: \(error)")
        }
        if info.contains("\"backing-filename\"") || info.contains("\"data-file\"") {
            throw LibvirtProviderError.image("\(name) names a backing or data file; give a standalone image (qemu-img convert)")
        }
    }
}
