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
    /// The `<vcpu>` the domain was defined with: vCPUs are added up to it and no further.
    public var maxVcpus: Int
    /// `posix` (QEMU/KVM cgroups), `credit`/`credit2` (Xen), `fair` (the test driver).
    public var scheduler: String
    /// The guest's NIC is on a bridge or libvirt network, where libvirt shapes traffic.
    public var shapedNetwork: Bool
    /// A job's own VM: its guest is the user's, not ours to resize.
    public var isJobVM: Bool

    public init(kind: GuestKind, maxMemoryMiB: Int, vcpus: Int, maxVcpus: Int? = nil, scheduler: String, shapedNetwork: Bool,
                isJobVM: Bool = false) {
        self.maxVcpus = max(vcpus, maxVcpus ?? vcpus)
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
            if to.cpus > maxVcpus {
                return "the guest was defined with at most \(maxVcpus) vCPU (the class's max_cpus when it was made); \(to.cpus) needs a new workspace"
            }
            // An unplug is a request to the guest (ACPI eject) that libvirt stops waiting for
            // after a few seconds while it may still happen later: it could never be known to
            // be whole or undone, so vCPUs are only ever added live.
            if to.cpus < from.cpus {
                return "a running guest gives vCPUs back only if and when its kernel agrees (ACPI eject), which could leave the change half-made; new workspaces of a class with fewer cpus get them"
            }
            return nil
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
        let maxVcpus = (try? await domain.maxVcpus()) ?? info.vcpus
        return GuestRetuneFacts(kind: settings.kind, maxMemoryMiB: Int(info.maxMemoryKiB / 1024), vcpus: info.vcpus, maxVcpus: maxVcpus,
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
            case .cpus:
                // Added vCPUs come up offline; the guest brings them online (no udev there:
                // the guest image's init does it).
                try await domain.setVcpus(a.cpus)
            case .disk:
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
            .replacingDetail(of: "cpus", with: "\(plan.to.cpus) vCPU (max \(facts.maxVcpus))")
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
