import WorkspaceBridge

extension LocalProvider {
    public func planRetune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, from: ResourceAllocation,
                           to: ResourceAllocation) async -> RetunePlan {
        let used = cgroups.memoryInUse(id: workspace.id)
        return RetunePlan(from: from, to: to) { control in
            CgroupHost.refusal(control, from: from, to: to, version: cgroups.version,
                               unavailableReason: cgroups.unavailableReason, memoryInUseBytes: used)
        }
    }

    public func retune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, plan: RetunePlan) async throws(RetuneError) -> [Enforcement] {
        try await RetuneTransaction.apply(plan) { control, allocation in
            try cgroups.set(control, of: workspace.id, to: allocation)
        }
        let details = cgroups.enforcementDetails(plan.to)
        return workspace.enforcement.replacingDetail(of: "memory", with: details.memory)
            .replacingDetail(of: "cpu", with: details.cpu)
    }
}
