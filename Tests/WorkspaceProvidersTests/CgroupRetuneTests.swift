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
}
