import CLibvirt
import Foundation

/// Which domains `listAllDomains` returns (`virConnectListAllDomainsFlags`); empty = all.
public struct DomainListFilter: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let active = DomainListFilter(rawValue: VIR_CONNECT_LIST_DOMAINS_ACTIVE.rawValue)
    public static let inactive = DomainListFilter(rawValue: VIR_CONNECT_LIST_DOMAINS_INACTIVE.rawValue)
    public static let persistent = DomainListFilter(rawValue: VIR_CONNECT_LIST_DOMAINS_PERSISTENT.rawValue)
    public static let transient = DomainListFilter(rawValue: VIR_CONNECT_LIST_DOMAINS_TRANSIENT.rawValue)
    public static let all: DomainListFilter = []
}

extension LibvirtConnection {
    /// Every domain on the host matching `filter`, in one race-free call.
    public func listAllDomains(_ filter: DomainListFilter = .all) async throws(LibvirtError) -> [LibvirtDomain] {
        let flags = filter.rawValue
        return try await perform("virConnectListAllDomains") { (c) throws(LibvirtError) -> [LibvirtDomain] in
            var list: UnsafeMutablePointer<OpaquePointer?>? = nil
            let n = virConnectListAllDomains(c, &list, flags)
            if n < 0 { throw LibvirtError.last("virConnectListAllDomains") }
            guard let list else { return [] }
            defer { free(list) }
            return (0..<Int(n)).compactMap { i in list[i].map { LibvirtDomain(connection: self, handle: $0) } }
        }
    }

    /// The domain named `name`; throws an error with code `.noDomain` when there is none.
    public func lookupDomain(name: String) async throws(LibvirtError) -> LibvirtDomain {
        try await perform("virDomainLookupByName") { (c) throws(LibvirtError) -> LibvirtDomain in
            guard let d = virDomainLookupByName(c, name) else { throw LibvirtError.last("virDomainLookupByName(\(name))") }
            return LibvirtDomain(connection: self, handle: d)
        }
    }

    /// The domain with this UUID string.
    public func lookupDomain(uuid: String) async throws(LibvirtError) -> LibvirtDomain {
        try await perform("virDomainLookupByUUIDString") { (c) throws(LibvirtError) -> LibvirtDomain in
            guard let d = virDomainLookupByUUIDString(c, uuid) else {
                throw LibvirtError.last("virDomainLookupByUUIDString(\(uuid))")
            }
            return LibvirtDomain(connection: self, handle: d)
        }
    }

    /// Defines (or redefines) a persistent domain from XML without starting it.
    /// - Parameter validate: also validate against libvirt's RNG schema, so a typo in an element
    ///   name is an error instead of being silently dropped.
    public func defineDomain(xml: String, validate: Bool = true) async throws(LibvirtError) -> LibvirtDomain {
        let flags = validate ? VIR_DOMAIN_DEFINE_VALIDATE.rawValue : 0
        return try await perform("virDomainDefineXMLFlags") { (c) throws(LibvirtError) -> LibvirtDomain in
            guard let d = virDomainDefineXMLFlags(c, xml, flags) else { throw LibvirtError.last("virDomainDefineXMLFlags") }
            return LibvirtDomain(connection: self, handle: d)
        }
    }

    /// Restores a domain saved with `LibvirtDomain.save(to:)`; it comes back running.
    public func restoreDomain(from path: String, timeout: Double? = nil) async throws(LibvirtError) {
        try await perform("virDomainRestore", timeout: timeout) { (c) throws(LibvirtError) in
            if virDomainRestore(c, path) < 0 { throw LibvirtError.last("virDomainRestore(\(path))") }
        }
    }
}
