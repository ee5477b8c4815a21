import Testing
@testable import WorkspaceBridge

@Suite struct ThrottlePolicyTests {
    func job(_ id: JobID = 1, owner: UInt32 = 1000, state: JobState = .queued, cls: String = "default") -> Job {
        Job(id: id, spec: JobSpec(executable: "/bin/true"), owner: owner, state: state, className: cls, submittedAt: 0)
    }

    var policy: ThrottlePolicy {
        var c = BridgeConfig()
        c.throttle.maxRunning = 4
        c.throttle.maxRunningPerOwner = 2
        c.throttle.maxCreating = 1
        c.classes = [WorkspaceClass(name: "default", slots: 2, maxWorkspaces: 2)]
        return ThrottlePolicy(config: c)
    }

    @Test func dispatchesIntoAFreeSlot() {
        let s = SchedulerSnapshot(now: 0, freeSlots: ["default": [("w1", 0), ("w2", 1)]], workspaces: ["default": 2])
        #expect(policy.admit(job(), s) == .dispatch(workspace: "w2"))
    }

    @Test func globalLimitWinsFirst() {
        let s = SchedulerSnapshot(now: 0, running: 4, freeSlots: ["default": [("w1", 1)]])
        #expect(policy.admit(job(), s) == .wait(.globalRunning(limit: 4)))
    }

    @Test func perOwnerLimit() {
        let s = SchedulerSnapshot(now: 0, running: 2, runningByOwner: [1000: 2], freeSlots: ["default": [("w1", 1)]])
        #expect(policy.admit(job(), s) == .wait(.ownerRunning(owner: 1000, limit: 2)))
        #expect(policy.admit(job(owner: 1001), s) == .dispatch(workspace: "w1"))
    }

    @Test func startRateHoldsWhenNoToken() {
        let s = SchedulerSnapshot(now: 0, freeSlots: ["default": [("w1", 1)]], startTokens: false)
        #expect(policy.admit(job(), s) == .wait(.startRate(rate: 20)))
    }

    @Test func createsThenWaitsForTheCreation() {
        #expect(policy.admit(job(), SchedulerSnapshot(now: 0)) == .createWorkspace(className: "default"))
        let creating = SchedulerSnapshot(now: 0, workspaces: ["default": 1], creating: ["default": 1], creatingTotal: 1,
                                         waitingForCreation: ["default": 1])
        #expect(policy.admit(job(), creating) == .wait(.workspaceBeingCreated(className: "default")))
        let full = SchedulerSnapshot(now: 0, workspaces: ["default": 1], creating: ["default": 1], creatingTotal: 1,
                                     waitingForCreation: ["default": 2])
        #expect(policy.admit(job(), full) == .wait(.creationLimit(limit: 1)))
    }

    @Test func classFull() {
        let s = SchedulerSnapshot(now: 0, freeSlots: ["default": [("w1", 0), ("w2", 0)]], workspaces: ["default": 2])
        #expect(policy.admit(job(), s) == .wait(.classFull(className: "default", maxWorkspaces: 2, slots: 2)))
    }

    /// In an image rollout: max_surge more workspaces; an idle outdated one takes a job only
    /// when no current one can and none can be made.
    @Test func rolloutSurgeAndOutdatedFallback() {
        var s = SchedulerSnapshot(now: 0, freeSlots: ["default": [("w1", 0), ("w2", 0)]], workspaces: ["default": 2])
        s.surge = ["default": 1]
        s.outdatedSlots = ["default": [("old", 2)]]
        #expect(policy.admit(job(), s) == .createWorkspace(className: "default"))
        s.workspaces["default"] = 3
        #expect(policy.admit(job(), s) == .dispatch(workspace: "old"))
        var next = s
        next.record(.dispatch(workspace: "old"), for: job())
        next.record(.dispatch(workspace: "old"), for: job(2))
        #expect(next.outdatedSlots["default"]?.first?.free == 0)
        #expect(policy.admit(job(3, owner: 1001), next) == .wait(.classFull(className: "default", maxWorkspaces: 2, slots: 2, surge: 1)))
        s.workspaces["default"] = 2
        s.creatingTotal = 1
        #expect(policy.admit(job(), s) == .dispatch(workspace: "old"))
        s.freeSlots["default"] = [("w1", 1)]
        #expect(policy.admit(job(), s) == .dispatch(workspace: "w1"))
        #expect(WaitReason.classFull(className: "default", maxWorkspaces: 2, slots: 2, surge: 1).description.contains("3 workspaces exist (max_workspaces 2 + max_surge 1 during an image rollout)"))
    }

    @Test func backoffAndHeld() {
        var j = job()
        j.notBefore = 100
        #expect(policy.admit(j, SchedulerSnapshot(now: 50)) == .wait(.backoff(until: 100)))
        #expect(policy.admit(job(state: .held), SchedulerSnapshot(now: 0)) == .wait(.held(nil)))
    }

    @Test func tokenBucketRefillsAtItsRate() {
        var b = TokenBucket(rate: 2, burst: 2, now: 0)
        let first = b.take(now: 0), second = b.take(now: 0), third = b.take(now: 0)
        #expect(first && second && !third)
        #expect(abs(b.wait(now: 0) - 0.5) < 1e-9)
        let later = b.take(now: 0.5)
        #expect(later)
    }

    @Test func retryBackoffDoubles() {
        var r = RetrySettings()
        r.backoffSeconds = 10
        #expect(r.backoff(afterFailures: 1) == 10)
        #expect(r.backoff(afterFailures: 3) == 40)
    }

    @Test func formatsUTC() {
        #expect(formatTime(0) == "1970-01-01T00:00:00Z")
        #expect(formatTime(1_795_000_000) == "2026-11-18T11:06:40Z")
    }
}
