import Foundation
import WorkspaceBridge

/// Changing a local workspace while its jobs run: its cgroups, and the rate of its own network
/// when it has one (`network = "shaped"`).
extension LocalProvider {
    public func planRetune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, from: ResourceAllocation,
                           to: ResourceAllocation) async -> RetunePlan {
        let used = cgroups.memoryInUse(id: workspace.id)
        return RetunePlan(from: from, to: to) { control in
            switch control {
            case .bandwidth:
                guard workspaceClass.network == .shaped else {
                    return "a local workspace with network = \"\(workspaceClass.network.rawValue)\" has no interface of its own to shape"
                }
                if case .failure(let why) = shapedNetwork { return "no shaped network on this host: \(why.reason)" }
                return nil
            case .disk where workspaceClass.diskMB != nil:
                return "its disk is a file system its runs have mounted; a reload with a new disk_mb replaces the workspace"
            default:
                return CgroupHost.refusal(control, from: from, to: to, version: cgroups.version,
                                          unavailableReason: cgroups.unavailableReason, memoryInUseBytes: used)
            }
        }
    }

    public func retune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, plan: RetunePlan) async throws(RetuneError) -> [Enforcement] {
        let names = ShapedNetwork.Names(scope: cgroups.scope, id: workspace.id)
        try await RetuneTransaction.apply(plan) { control, allocation in
            if control == .bandwidth, case .success(let net) = shapedNetwork, let rate = allocation.bandwidthKBps {
                try net.setRate(names, bytesPerSecond: rate << 10)
            } else {
                try cgroups.set(control, of: workspace.id, to: allocation)
            }
        }
        let details = cgroups.enforcementDetails(plan.to)
        var enforcement = workspace.enforcement.replacingDetail(of: "memory", with: details.memory)
            .replacingDetail(of: "cpu", with: details.cpu)
        if let rate = plan.to.bandwidthKBps, let old = enforcement.first(where: { $0.control == "bandwidth" })?.detail,
           let rest = old.range(of: "; ") {
            enforcement = enforcement.replacingDetail(of: "bandwidth", with: "in \(rate) KiB/s / out \(rate) KiB/s" + old[rest.lowerBound...])
        }
        return enforcement
    }
}
