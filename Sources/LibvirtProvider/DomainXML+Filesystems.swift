/// Shared directories in domain XML: one `<filesystem>` per share, and the shared memory that
/// virtio-fs needs.
extension DomainXML {
    /// virtio-fs maps guest memory into virtiofsd: the guest's RAM must be shareable.
    static func memoryBacking(_ spec: DomainSpec) -> XMLTree? {
        guard !spec.shares.isEmpty, spec.usesVirtioFS else { return nil }
        return XMLTree("memoryBacking", children: [
            XMLTree("source", [("type", "memfd")]),
            XMLTree("access", [("mode", "shared")]),
        ])
    }

    /// The `<filesystem>` devices. All use the passthrough access mode, so that files keep
    /// their host owners and the host checks access with the job's own uid and groups:
    /// - virtio-fs (QEMU/KVM): libvirt starts virtiofsd as root. libvirt 9.0 refuses
    ///   `<readonly/>` for it ("virtiofs does not yet support read-only mode"), so a read-only
    ///   share is mounted read-only by the guest, whose kernel enforces it on the job.
    /// - 9p over virtio (QEMU/KVM): QEMU's local backend, read-only enforced by QEMU.
    /// - 9p under Xen: the same element without a driver, the form of a libxl 9pfs device
    ///   (security model `none`, the passthrough one, served by QEMU in dom0). libvirt 9.0's
    ///   libxl driver does not pass it on to libxl yet; the guest then finds no share and its
    ///   `/init` stops the boot with the reason, which the provider reports.
    static func filesystems(_ spec: DomainSpec) -> [XMLTree] {
        spec.shares.map { share in
            var c: [XMLTree] = []
            if spec.usesVirtioFS {
                c.append(XMLTree("driver", [("type", "virtiofs")]))
            } else if !spec.kind.isXen {
                c.append(XMLTree("driver", [("type", "path")]))
            }
            c += [XMLTree("source", [("dir", share.directory.path)]), XMLTree("target", [("dir", share.tag)])]
            if !share.directory.writable && !spec.usesVirtioFS { c.append(XMLTree("readonly")) }
            return XMLTree("filesystem", [("type", "mount"), ("accessmode", "passthrough")], children: c)
        }
    }
}

extension DomainSpec {
    /// Whether the shares go through virtio-fs (never under Xen).
    var usesVirtioFS: Bool { sharedFilesystem == .virtiofs && !kind.isXen }
}
