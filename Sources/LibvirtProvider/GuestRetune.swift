import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import WorkspaceBridge

/// What decides which changes a running guest takes: read from the domain before planning.
public struct GuestRetuneFacts: Sendable, Equatable {
    public var kind: GuestKind
    /// The `<memory>` the domain was defined with: the balloon grows up to it and no further.
    public var maxMemoryMiB: Int
    public var vcpus: Int
    /// `posix` (QEMU/KVM cgroups), `credit`/`credit2` (Xen), `fair` (the test driver).
    public var scheduler: String
    /// The guest's NIC is on a bridge or libvirt network, where libvirt shapes traffic.
    public var shapedNetwork: Bool
    /// A job's own VM: its guest is the user's, not ours to resize.
    public var isJobVM: Bool

    public init(kind: GuestKind, maxMemoryMiB: Int, vcpus: Int, scheduler: String, shapedNetwork: Bool, isJobVM: Bool = false) {
        self.kind = kind
        self.maxMemoryMiB = maxMemoryMiB
        self.vcpus = vcpus
        self.scheduler = scheduler
        self.shapedNetwork = shapedNetwork
        self.isJobVM = isJobVM
    }

    /// Why `control` cannot change live from `from` to `to`; `nil` when it can. Pure.
    public func refusal(_ control: ResourceControl, from: ResourceAllocation, to: ResourceAllocation) -> String? {
        if isJobVM { return "a job's own virtual machine keeps what its job asked for" }
        switch control {
        case .memory:
            if to.memoryMB > maxMemoryMiB {
                return "the guest was defined with at most \(maxMemoryMiB) MiB (the class's max_memory_mb when it was made); \(to.memoryMB) MB needs a new workspace"
            }
            return nil
        case .cpus:
            return "vCPU hot-plug is not offered: the guest was defined with \(vcpus) vCPU and no room for more; new workspaces of a class with more cpus get them"
        case .cpuWeight:
            return ["posix", "credit", "credit2", "fair"].contains(scheduler) ? nil : "the \(scheduler) scheduler has no CPU weight"
        case .cpuCap:
            return ["posix", "credit", "credit2"].contains(scheduler) ? nil : "the \(scheduler) scheduler has no CPU cap"
        case .disk:
            return "growing the guest's disk would not grow the file system inside it; new workspaces of a class with the larger disk_mb get it"
        case .bandwidth:
            return shapedNetwork ? nil : "the guest has no shaped interface (none, or user-mode networking, which cannot be shaped)"
        }
    }
}

extension LibvirtProvider {
    /// The domain of a workspace, or why it cannot be retuned.
    func retunableDomain(_ workspace: Workspace) async throws -> LibvirtDomain {
        guard let (uri, domainName) = Self.parseHandle(workspace.handle) else { throw LibvirtProviderError.badHandle(workspace.handle) }
        let connection = try await hosts.connection(uri)
        return try await connection.lookupDomain(name: domainName)
    }

    func retuneFacts(_ workspace: Workspace, of workspaceClass: WorkspaceClass) async throws -> GuestRetuneFacts {
        let settings = try LibvirtClassSettings(workspaceClass)
        let isJobVM = Self.jobVMHandle(workspace.handle) != nil
        let domain = try await retunableDomain(workspace)
        let info = try await domain.info()
        let scheduler = (try? await domain.schedulerType()) ?? "unknown"
        return GuestRetuneFacts(kind: settings.kind, maxMemoryMiB: Int(info.maxMemoryKiB / 1024), vcpus: info.vcpus,
                                scheduler: scheduler, shapedNetwork: settings.network != nil && settings.network != .user,
                                isJobVM: isJobVM)
    }

    public func planRetune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, from: ResourceAllocation,
                           to: ResourceAllocation) async -> RetunePlan {
        do {
            let facts = try await retuneFacts(workspace, of: workspaceClass)
            return RetunePlan(from: from, to: to) { facts.refusal($0, from: from, to: to) }
        } catch {
            return RetunePlan(from: from, to: to) { _ in "the guest cannot be read: \(error)" }
        }
    }

    public func retune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, plan: RetunePlan) async throws(RetuneError) -> [Enforcement] {
        let domain: LibvirtDomain
        let scheduler: String
        let facts: GuestRetuneFacts
        var nic = ""
        var maxMiB = plan.to.memoryMB
        do {
            domain = try await retunableDomain(workspace)
            facts = try await retuneFacts(workspace, of: workspaceClass)
            scheduler = facts.scheduler
            maxMiB = facts.maxMemoryMiB
            if plan.controls.contains(.bandwidth) {
                guard let mac = Self.firstInterfaceMAC(inXML: try await domain.xmlDescription()) else {
                    throw LibvirtProviderError.configuration("the guest has no network interface")
                }
                nic = mac
            }
        } catch {
            throw .failed(control: plan.controls.first ?? .memory, error: "\(error)", rolledBack: [], rollbackFailure: nil)
        }
        try await RetuneTransaction.apply(plan) { control, a in
            switch control {
            case .memory:
                // The balloon: the guest hands pages back or takes them, up to the defined maximum.
                try await domain.setMemory(kiB: UInt(a.memoryMB) * 1024, impact: .live)
            case .cpuWeight, .cpuCap:
                let tuning = CPUTuning(weight: a.cpuWeight, capPercent: a.cpuCapPercent)
                // `.current` is the running guest here; libxl and the test driver refuse `.live`.
                try await domain.setSchedulerParameters(tuning.schedulerParameters(forScheduler: scheduler))
            case .bandwidth:
                // The class's one rate, both ways (libxl shapes only the outbound); 0 unshapes.
                let rate = UInt32(a.bandwidthKBps ?? 0)
                let values: [(String, TypedParameterValue)] = (facts.kind.isXen ? [] : [("inbound.average", .uint(rate))])
                    + [("outbound.average", .uint(rate))]
                try await domain.setInterfaceParameters(device: nic, values)
            case .cpus, .disk:
                throw LibvirtProviderError.configuration("\(control.rawValue) cannot change on a running guest")
            }
        }
        let tuning = CPUTuning(weight: plan.to.cpuWeight, capPercent: plan.to.cpuCapPercent)
        let cpu = scheduler == "posix"
            ? "shares \(tuning.qemuShares)" + (tuning.qemuGlobalQuota.map { ", quota \($0)/\(CPUTuning.period) µs" } ?? "")
            : "weight \(tuning.xenWeight), cap \(tuning.xenCap)%"
        let rate = plan.to.bandwidthKBps.map { "\($0)" } ?? "-"
        return workspace.enforcement.replacingDetail(of: "memory", with: "\(plan.to.memoryMB) MiB (max \(maxMiB) MiB)")
            .replacingDetail(of: "cpu", with: cpu)
            .replacingDetail(of: "bandwidth", with: "in \(facts.kind.isXen ? "-" : rate) / out \(rate) KiB/s")
    }

    /// The MAC address of the guest's first NIC, from its domain XML.
    static func firstInterfaceMAC(inXML xml: String) -> String? {
        guard let doc = try? XMLDocument(xmlString: xml, options: []),
              let nodes = try? doc.nodes(forXPath: "/domain/devices/interface/mac"),
              let mac = (nodes.first as? XMLElement)?.attribute(forName: "address")?.stringValue else { return nil }
        return mac
    }
}
