import Foundation
import Testing
import WorkspaceBridge
@testable import WorkspaceProviders

/// Which changes a local workspace's cgroups take live, as a table, and the writes on this host.
@Suite struct CgroupRetuneTests {
    let from = ResourceAllocation(memoryMB: 512, cpus: 1, cpuWeight: 100, cpuCapPercent: nil)

    func refusal(_ c: ResourceControl, memoryMB: Int, inUse: UInt64?, version: CgroupHost.Version = .v1) -> String? {
        var to = from
        to.memoryMB = memoryMB
        return CgroupHost.refusal(c, from: from, to: to, version: version, unavailableReason: "not root", memoryInUseBytes: inUse)
    }

    @Test func whatIsLiveAndWhatIsRefused() {
        for v in [CgroupHost.Version.v1, .v2] {
            #expect(refusal(.memory, memoryMB: 1024, inUse: nil, version: v) == nil, "growing needs no reading")
            #expect(refusal(.memory, memoryMB: 256, inUse: 100 << 20, version: v) == nil)
            #expect(refusal(.memory, memoryMB: 256, inUse: 300 << 20, version: v)?.contains("300 MB are in use, more than the 256 MB asked") == true)
            #expect(refusal(.memory, memoryMB: 256, inUse: nil, version: v)?.contains("cannot be read") == true)
            for c in [ResourceControl.cpus, .cpuWeight, .cpuCap] { #expect(refusal(c, memoryMB: 512, inUse: nil, version: v) == nil) }
        }
        #expect(refusal(.disk, memoryMB: 512, inUse: nil)?.contains("shares the host's file system") == true)
        #expect(refusal(.bandwidth, memoryMB: 512, inUse: nil)?.contains("shares the host's network") == true)
        #expect(refusal(.cpuWeight, memoryMB: 512, inUse: nil, version: .none) == "no cgroups to change on this host (not root)")
    }

    @Test("the writes land in the workspace's own cgroups", .enabled(if: geteuid() == 0 && CgroupHost.detect().version != .none))
    func writesOnThisHost() throws {
        var host = CgroupHost.detect()
        host.scope = "test-retune-\(getpid())"
        let id = "ws-retune"
        let cls = WorkspaceClass(name: "c", memoryMB: 128, cpus: 1, cpuWeight: 100)
        let placement = host.create(id: id, for: cls)
        defer { host.remove(id: id); host.removeScope() }
        #expect(placement.enforcement.allSatisfy { $0.effective }, "\(placement.enforcement)")
        let to = ResourceAllocation(memoryMB: 192, cpus: 1, cpuWeight: 50, cpuCapPercent: 25)
        for c in [ResourceControl.memory, .cpuWeight, .cpuCap] { try host.set(c, of: id, to: to) }
        func read(_ path: String) -> String {
            ((try? String(contentsOfFile: host.root + "/" + path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if host.version == .v1 {
            #expect(read("memory/wsbridge/\(host.scope)/\(id)/memory.limit_in_bytes") == "\(192 << 20)")
            #expect(read("cpu/wsbridge/\(host.scope)/\(id)/cpu.shares") == "512")
            #expect(read("cpu/wsbridge/\(host.scope)/\(id)/cpu.cfs_quota_us") == "25000")
        } else {
            #expect(read("wsbridge/\(host.scope)/\(id)/memory.max") == "\(192 << 20)")
            #expect(read("wsbridge/\(host.scope)/\(id)/cpu.weight") == "50")
            #expect(read("wsbridge/\(host.scope)/\(id)/cpu.max") == "25000 100000")
        }
        #expect(host.memoryInUse(id: id) != nil)
        #expect(host.enforcementDetails(to).cpu.contains("25000"))
    }

    /// A parent's CFS quota bounds its children's (cgroup v1 refuses a larger one with EINVAL):
    /// the cap is refused by the kernel after the memory was changed, and the memory is set back.
    @Test("a write the kernel refuses part-way sets back what was applied before it",
          .enabled(if: geteuid() == 0 && CgroupHost.detect().version == .v1))
    func aKernelRefusalRollsBack() async throws {
        let state = NSTemporaryDirectory() + "wsb-retune-\(UUID().uuidString.prefix(8))"
        let provider = LocalProvider(stateDirectory: state, agentExecutable: "/bin/false", journalPath: nil)
        let host = provider.cgroups
        let id = "ws-rollback"
        let cls = WorkspaceClass(name: "c", memoryMB: 128, cpus: 1, cpuWeight: 100)
        let placement = host.create(id: id, for: cls)
        let scopeCPU = "\(host.root)/cpu/wsbridge/\(host.scope)"
        defer {
            host.remove(id: id)
            try? "-1".write(toFile: scopeCPU + "/cpu.cfs_quota_us", atomically: false, encoding: .utf8)
            host.removeScope()
            try? FileManager.default.removeItem(atPath: state)
        }
        #expect(placement.enforcement.allSatisfy { $0.effective }, "\(placement.enforcement)")
        // The workspace's own quota (100 % of a CPU) first down to 20 %, then the scope's to 50 %.
        try host.set(.cpuCap, of: id, to: ResourceAllocation(memoryMB: 128, cpus: 1, cpuWeight: 100, cpuCapPercent: 20))
        try "50000".write(toFile: scopeCPU + "/cpu.cfs_quota_us", atomically: false, encoding: .utf8)

        let ws = Workspace(id: id, className: "c", provider: "local", state: .busy, pid: nil, endpoint: "", handle: "",
                           createdAt: 0, leaseExpiresAt: 0, lastUsedAt: 0, enforcement: placement.enforcement)
        let from = ResourceAllocation(memoryMB: 128, cpus: 1, cpuWeight: 100, cpuCapPercent: 20)
        let to = ResourceAllocation(memoryMB: 192, cpus: 1, cpuWeight: 100, cpuCapPercent: 80)
        let plan = await provider.planRetune(ws, of: cls, from: from, to: to)
        #expect(plan.isLive && plan.controls == [.memory, .cpuCap])
        do {
            _ = try await provider.retune(ws, of: cls, plan: plan)
            Issue.record("a quota above the parent's was taken")
        } catch {
            guard case .failed(let control, let why, let back, let failure) = error else { throw error }
            #expect(control == .cpuCap && back == [.memory] && failure == nil, "\(error)")
            print("kernel refusal, rolled back: \(error) (\(why))")
        }
        let limit = try String(contentsOfFile: "\(host.root)/memory/wsbridge/\(host.scope)/\(id)/memory.limit_in_bytes", encoding: .utf8)
        #expect(limit.trimmingCharacters(in: .whitespacesAndNewlines) == "\(128 << 20)", "the memory is set back")
    }
}
