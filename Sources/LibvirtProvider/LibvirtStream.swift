import CLibvirt
import Foundation

extension LibvirtDomain {
    /// Opens the guest channel `name` as a non-blocking libvirt stream, taking it over from any
    /// earlier client (`VIR_DOMAIN_CHANNEL_FORCE`), the way a new connection to the channel's
    /// local socket would. Works over any connection, remote ones included.
    func openChannel(_ name: String) async throws(LibvirtError) -> SendablePointer {
        let label = "virDomainOpenChannel(\(self.name), \(name))"
        return try await perform("virDomainOpenChannel") { (d) throws(LibvirtError) -> SendablePointer in
            guard let stream = virStreamNew(virDomainGetConnect(d), UInt32(VIR_STREAM_NONBLOCK.rawValue)) else {
                throw LibvirtError.last("virStreamNew")
            }
            if virDomainOpenChannel(d, name, stream, UInt32(VIR_DOMAIN_CHANNEL_FORCE.rawValue)) < 0 {
                let error = LibvirtError.last(label)
                _ = virStreamFree(stream)
                throw error
            }
            return SendablePointer(stream)
        }
    }
}
