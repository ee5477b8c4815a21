import Foundation
import Testing
import WorkspaceBridge
@testable import LibvirtProvider

/// Which changes a running guest takes, as a table, and the provider applying a plan to a domain
/// of the test driver.
@Suite struct GuestRetuneTests {
    let from = ResourceAllocation(memoryMB: 512, cpus: 1, cpuWeight: 100, cpuCapPercent: nil)

    func refusal(_ c: ResourceControl, _ to: ResourceAllocation, scheduler: String = "posix", kind: GuestKind = .qemu,
                 shaped: Bool = false, jobVM: Bool = false) -> String? {
        GuestRetuneFacts(kind: kind, maxMemoryMiB: 1024, vcpus: 1, scheduler: scheduler, shapedNetwork: shaped, isJobVM: jobVM)
            .refusal(c, from: from, to: to)
    }

    @Test func whatIsLiveAndWhatIsRefused() {
        var to = from
        to.memoryMB = 768
        #expect(refusal(.memory, to) == nil, "up to the defined maximum")
        to.memoryMB = 256
        #expect(refusal(.memory, to) == nil, "the balloon shrinks it")
        to.memoryMB = 1025
        #expect(refusal(.memory, to)?.contains("defined with at most 1024 MiB") == true)
        var more = from, fewer = from, many = from
        more.cpus = 2
        many.cpus = 3
        #expect(GuestRetuneFacts(kind: .qemu, maxMemoryMiB: 1024, vcpus: 1, maxVcpus: 2, scheduler: "posix", shapedNetwork: false)
            .refusal(.cpus, from: from, to: more) == nil, "hot-plug up to the defined maximum")
        #expect(GuestRetuneFacts(kind: .qemu, maxMemoryMiB: 1024, vcpus: 1, maxVcpus: 2, scheduler: "posix", shapedNetwork: false)
            .refusal(.cpus, from: from, to: many)?.contains("at most 2 vCPU") == true)
        #expect(refusal(.cpus, more)?.contains("at most 1 vCPU") == true, "no room: defined without max_cpus")
        fewer.cpus = 1
        #expect(GuestRetuneFacts(kind: .qemu, maxMemoryMiB: 1024, vcpus: 2, maxVcpus: 2, scheduler: "posix", shapedNetwork: false)
            .refusal(.cpus, from: more, to: fewer)?.contains("ACPI eject") == true, "never unplugged live")
        for s in ["posix", "credit", "credit2"] {
            #expect(refusal(.cpuWeight, to, scheduler: s) == nil && refusal(.cpuCap, to, scheduler: s) == nil, "\(s)")
        }
        #expect(refusal(.cpuWeight, to, scheduler: "fair") == nil)
        #expect(refusal(.cpuCap, to, scheduler: "fair") == "the fair scheduler has no CPU cap")
        #expect(refusal(.disk, to)?.contains("would not grow the file system inside it") == true)
        #expect(refusal(.bandwidth, to)?.contains("no shaped interface") == true)
        #expect(refusal(.bandwidth, to, shaped: true) == nil)
        #expect(refusal(.memory, from, jobVM: true)?.contains("job's own virtual machine") == true)
    }

    @Test("a plan on a test-driver guest: memory through setMemory and the weight through the scheduler; past the maximum, refused")
    func retuneATestDriverGuest() async throws {
        let dir = makeTempDirectory()
        let kernel = dir + "/vmlinuz"
        try Data("not really a kernel".utf8).write(to: URL(fileURLWithPath: kernel))
        let uri = "test://" + (try writeNodeFile(in: dir, domains: []))
        let provider = testProvider(dir: dir, uris: [uri])
        let cls = testClass(uris: [uri], kernel: kernel, extra: ["max_memory_mb": "512"])
        let ws = try await provider.create(id: "ws-rt", workspaceClass: cls)
        let current = ResourceAllocation(of: cls)

        var to = current
        to.memoryMB = 384
        to.cpuWeight = 200
        let plan = await provider.planRetune(ws, of: cls, from: current, to: to)
        #expect(plan.isLive && plan.controls == [.memory, .cpuWeight], "\(plan.summary)")
        let enforcement = try await provider.retune(ws, of: cls, plan: plan)
        let domain = try await provider.domain(of: ws)
        #expect(try await domain.info().memoryKiB == 384 * 1024)
        // (The test driver takes a weight but keeps reporting its own: only the call is checked.)
        #expect(enforcement.contains { $0.control == "memory" && $0.detail == "384 MiB (max 512 MiB)" }, "\(enforcement)")

        to.memoryMB = 640
        to.cpuCapPercent = 50
        let refused = await provider.planRetune(ws, of: cls, from: current, to: to)
        #expect(refused.refusals.map(\.control) == [.memory, .cpuCap], "\(refused.summary)")
        await #expect(throws: RetuneError.refused(refused)) { try await provider.retune(ws, of: cls, plan: refused) }
        #expect(try await domain.info().memoryKiB == 384 * 1024, "nothing changed")
        try await provider.destroy(ws)
        await provider.hosts.closeAll()
        try? FileManager.default.removeItem(atPath: dir)
    }
    @Test("a shaped NIC's rate changes live on a test-driver guest; its allocation starts from the class's rate")
    func retuneBandwidth() async throws {
        let dir = makeTempDirectory()
        let kernel = dir + "/vmlinuz"
        try Data("not really a kernel".utf8).write(to: URL(fileURLWithPath: kernel))
        let uri = "test://" + (try writeNodeFile(in: dir, domains: []))
        let provider = testProvider(dir: dir, uris: [uri])
        var cls = testClass(uris: [uri], kernel: kernel, extra: ["bridge": "br-ws", "bandwidth_kbps": "1000"])
        cls.network = true
        let ws = try await provider.create(id: "ws-bw", workspaceClass: cls)
        let current = try #require(ws.allocation)
        #expect(current.bandwidthKBps == 1000)
        var to = current
        to.bandwidthKBps = 2500
        let plan = await provider.planRetune(ws, of: cls, from: current, to: to)
        #expect(plan.isLive && plan.controls == [.bandwidth], "\(plan.summary)")
        let enforcement = try await provider.retune(ws, of: cls, plan: plan)
        let xml = try await provider.domain(of: ws).xmlDescription()
        #expect(xml.contains("<inbound average='2500'") && xml.contains("<outbound average='2500'"), "\(xml)")
        #expect(enforcement.contains { $0.control == "bandwidth" && $0.detail == "in 2500 / out 2500 KiB/s" }, "\(enforcement)")
        try await provider.destroy(ws)
        await provider.hosts.closeAll()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
