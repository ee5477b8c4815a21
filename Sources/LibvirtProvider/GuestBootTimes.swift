import Foundation

/// When each step of one guest's boot happened, on this host's clock (seconds since 1970), as
/// `LibvirtProvider.create` saw it: for logs and benchmarks (`wsbridge bench boot`). The guest's
/// own steps (kernel, init) are in its serial log, with its uptime.
public struct GuestBootTimes: Sendable, Equatable, Codable {
    public var domainName: String
    /// `create` began (before its images were staged and the domain defined).
    public var createdAt: Double
    /// The domain start was asked for.
    public var startCalledAt: Double
    /// libvirt answered: QEMU runs, its virtual CPUs are going.
    public var startReturnedAt: Double
    /// The guest opened its end of the agent channel (what `create` waits for).
    public var agentChannelAt: Double
    /// The guest's serial log on this host, if it has one here.
    public var serialLogPath: String?

    public init(domainName: String, createdAt: Double, startCalledAt: Double, startReturnedAt: Double,
                agentChannelAt: Double, serialLogPath: String?) {
        self.domainName = domainName
        self.createdAt = createdAt
        self.startCalledAt = startCalledAt
        self.startReturnedAt = startReturnedAt
        self.agentChannelAt = agentChannelAt
        self.serialLogPath = serialLogPath
    }
}
