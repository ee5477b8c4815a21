import CLibvirt
import Foundation

extension LibvirtDomain {
    /// Opens the guest channel `name` as a non-blocking libvirt stream. Works over any
    /// connection, remote ones included. Fails while another stream has the channel open (it
    /// goes when its client closes it or disconnects); `VIR_DOMAIN_CHANNEL_FORCE` is not used:
    /// in libvirt 9.0, force-opening a channel right after its previous stream was aborted
    /// deadlocked libvirtd here.
    func openChannel(_ name: String) async throws(LibvirtError) -> SendablePointer {
        let label = "virDomainOpenChannel(\(self.name), \(name))"
        return try await perform("virDomainOpenChannel") { (d) throws(LibvirtError) -> SendablePointer in
            guard let stream = virStreamNew(virDomainGetConnect(d), UInt32(VIR_STREAM_NONBLOCK.rawValue)) else {
                throw LibvirtError.last("virStreamNew")
            }
            if virDomainOpenChannel(d, name, stream, 0) < 0 {
                let error = LibvirtError.last(label)
                _ = virStreamFree(stream)
                throw error
            }
            return SendablePointer(stream)
        }
    }
}
