import CLibvirt

/// libvirt itself, loaded at run time when a class first needs it (see `CLibvirt.h`), so that a
/// site with only local workspaces runs without libvirt installed.
public enum LibvirtLibrary {
    /// Loads libvirt.so.0, or says why it cannot be.
    public static func load() throws(LibvirtError) {
        var error: UnsafePointer<CChar>?
        if wsb_libvirt_load(&error) != 0 {
            throw .call(operation: "load libvirt.so.0", code: .internalError, domain: 0,
                        message: error.map { String(cString: $0) } ?? "unknown error")
        }
    }
}
