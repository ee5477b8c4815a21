import Testing
import WorkspaceBridge

@Suite struct ProcessLimitsTests {
    @Test func perRunAndPerWorkspace() {
        let l = ProcessLimits(maxProcesses: 20, slots: 2)
        #expect(l.perRun == 20)
        #expect(l.perWorkspace == 40 + ProcessLimits.agentAllowance, "one run at its limit leaves the other slots theirs")
        #expect(ProcessLimits(maxProcesses: nil, slots: 4) == ProcessLimits(maxProcesses: nil, slots: 1))
        #expect(ProcessLimits(maxProcesses: nil, slots: 4).perRun == nil)
    }

    @Test func hugeValuesAreCutNotTrapped() {
        let l = ProcessLimits(maxProcesses: Int.max, slots: Int.max)
        #expect(l.perRun == ProcessLimits.ceiling)
        #expect(l.perWorkspace == ProcessLimits.ceiling)
        #expect(ProcessLimits(maxProcesses: 5, slots: 0).perWorkspace == 5 + ProcessLimits.agentAllowance)
    }
}
