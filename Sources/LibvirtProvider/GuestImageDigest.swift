import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// A guest's image digest: its kernel, initramfs and base disk by content, and its kernel
/// command line (the class's own arguments, the boot options and the shared directories it
/// mounts: all change what runs in the guest). Memory, vCPUs and other resources are not part
/// of the image: changing them rolls nothing out.
enum GuestImageDigest {
    static func combine(kernel: String, initrd: String?, disk: String?, cmdline: String) -> String {
        ImageDigest.combine([("provider", "libvirt"), ("kernel", kernel), ("initrd", initrd ?? "-"),
                             ("disk", disk ?? "-"), ("cmdline", cmdline)])
    }

    /// From the files a guest boots from: copies named by their content (`ImageCache`, or a
    /// remote host's pool), so the digest is of what the guest actually uses.
    static func of(kernel: String, initrd: String?, disk: String?, settings: LibvirtClassSettings) throws(ImageCache.Failure) -> String {
        func named(_ path: String) throws(ImageCache.Failure) -> String {
            guard let d = ImageCache.digest(ofCached: path) else { throw .io(path, "not named by its content") }
            return d
        }
        return combine(kernel: try named(kernel), initrd: try initrd.map { p throws(ImageCache.Failure) in try named(p) },
                       disk: try disk.map { p throws(ImageCache.Failure) in try named(p) }, cmdline: settings.cmdline)
    }
}

extension LibvirtProvider {
    /// The class's image as its source files are now (digests remembered by file identity).
    public func imageDigest(of workspaceClass: WorkspaceClass) async throws -> String {
        let settings: LibvirtClassSettings
        do { settings = try LibvirtClassSettings(workspaceClass) } catch {
            throw LibvirtProviderError.configuration(error.description)
        }
        let cache = self.cache
        return try await Task.detached {
            GuestImageDigest.combine(kernel: try cache.sha256(of: settings.kernel),
                                     initrd: try settings.initrd.map { p throws(ImageCache.Failure) in try cache.sha256(of: p) },
                                     disk: try settings.image.map { p throws(ImageCache.Failure) in try cache.sha256(of: p) },
                                     cmdline: settings.cmdline)
        }.value
    }
}
