import Testing
import WorkspaceBridge

@Suite struct RetunePlanTests {
    let base = ResourceAllocation(memoryMB: 512, cpus: 1, cpuWeight: 100, cpuCapPercent: nil)

    @Test func aRequestChangesOnlyWhatItNamesAndZeroRemovesTheCap() throws {
        let capped = try RetuneRequest(memoryMB: 768, cpuCapPercent: 25).applied(to: base)
        #expect(capped == ResourceAllocation(memoryMB: 768, cpus: 1, cpuWeight: 100, cpuCapPercent: 25))
        #expect(try RetuneRequest(cpuCapPercent: 0).applied(to: capped).cpuCapPercent == nil)
        #expect(capped.effectiveCapPercent == 25 && base.effectiveCapPercent == 100)
    }

    @Test func valuesOutOfBoundsAndEmptyRequestsAreRefusedWithoutTrapping() {
        let bad: [RetuneRequest] = [RetuneRequest(), RetuneRequest(memoryMB: Int.max), RetuneRequest(memoryMB: Int.min),
                                    RetuneRequest(memoryMB: 15), RetuneRequest(cpus: 0), RetuneRequest(cpus: 4097),
                                    RetuneRequest(cpuWeight: 0), RetuneRequest(cpuWeight: 10_001), RetuneRequest(cpuCapPercent: -1),
                                    RetuneRequest(cpuCapPercent: 409_601), RetuneRequest(diskMB: 0), RetuneRequest(bandwidthKBps: Int.max)]
        for r in bad {
            #expect(throws: RetuneError.self, "\(r)") { try r.applied(to: base) }
        }
        // The largest values accepted are safe to compute with (bytes, CFS quota in µs).
        let top = try? RetuneRequest(memoryMB: ResourceAllocation.Bounds.memoryMB.upperBound, cpus: ResourceAllocation.Bounds.cpus.upperBound,
                                     cpuWeight: ResourceAllocation.Bounds.cpuWeight.upperBound,
                                     cpuCapPercent: ResourceAllocation.Bounds.cpuCapPercent.upperBound).applied(to: base)
        #expect(top.map { UInt64($0.memoryMB) << 20 } == 1 << 44)
        #expect(top.map { $0.effectiveCapPercent * 1000 } == 409_600_000)
    }

    @Test func aPlanHasOneStepPerChangedControlInOrderAndIsLiveOnlyWithoutRefusals() throws {
        let to = ResourceAllocation(memoryMB: 768, cpus: 2, cpuWeight: 100, cpuCapPercent: 25, diskMB: 100)
        let plan = RetunePlan(from: base, to: to) { $0 == .disk ? "no disk here" : nil }
        #expect(plan.controls == [.memory, .cpus, .cpuCap, .disk])
        #expect(plan.steps[0] == RetuneStep(control: .memory, from: "512 MB", to: "768 MB", refusal: nil))
        #expect(plan.steps[2].from == "none" && plan.steps[2].to == "25%")
        #expect(!plan.isLive && plan.refusals.map(\.control) == [.disk])
        #expect(RetuneError.refused(plan).description.contains("disk none → 100 MB: refused, no disk here"))
        #expect(RetunePlan(from: base, to: base) { _ in "never asked" }.isEmpty)
        #expect(RetunePlan(from: base, to: to) { _ in nil }.isLive)
    }

    /// What the transaction did, in order: each control set to `to`, or set back to `from`.
    actor Log {
        var entries: [String] = []
        func add(_ e: String) { entries.append(e) }
    }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    @Test func aFailureSetsBackWhatWasAppliedInReverseOrder() async throws {
        let to = ResourceAllocation(memoryMB: 768, cpus: 1, cpuWeight: 50, cpuCapPercent: 25)
        let plan = RetunePlan(from: base, to: to) { _ in nil }
        #expect(plan.controls == [.memory, .cpuWeight, .cpuCap])
        let log = Log()
        do {
            try await RetuneTransaction.apply(plan) { control, a in
                if control == .cpuCap && a == to { throw Failed(description: "EINVAL") }
                await log.add("\(control.rawValue)=\(control.value(in: a))")
            }
            Issue.record("the failure was not reported")
        } catch {
            #expect(error == .failed(control: .cpuCap, error: "EINVAL", rolledBack: [.cpuWeight, .memory], rollbackFailure: nil))
            #expect("\(error)" == "changing cpu_cap failed (EINVAL); set back: cpu_weight, memory")
        }
        #expect(await log.entries == ["memory=768 MB", "cpu_weight=50", "cpu_weight=100", "memory=512 MB"])
    }

    @Test func aRollbackThatFailsTooIsReportedNotHidden() async {
        let to = ResourceAllocation(memoryMB: 768, cpus: 1, cpuWeight: 50, cpuCapPercent: nil)
        let plan = RetunePlan(from: base, to: to) { _ in nil }
        do {
            try await RetuneTransaction.apply(plan) { control, a in
                if control == .cpuWeight && a == to { throw Failed(description: "EBUSY") }
                if control == .memory && a == plan.from { throw Failed(description: "guest gone") }
            }
        } catch {
            #expect(error == .failed(control: .cpuWeight, error: "EBUSY", rolledBack: [], rollbackFailure: "memory: guest gone"))
        }
    }

    @Test func aRefusedPlanTouchesNothing() async {
        let plan = RetunePlan(from: base, to: ResourceAllocation(memoryMB: 768, cpus: 1, cpuWeight: 100, cpuCapPercent: nil)) { _ in "no" }
        let log = Log()
        await #expect(throws: RetuneError.refused(plan)) {
            try await RetuneTransaction.apply(plan) { c, _ in await log.add(c.rawValue) }
        }
        #expect(await log.entries.isEmpty)
    }
}
