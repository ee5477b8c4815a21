import Testing
@testable import WorkspaceBridge

/// A job that is a VM runs only in its own workspace, which still counts against its class.
@Suite struct JobVMAdmissionTests {
    var policy: ThrottlePolicy {
        var c = BridgeConfig()
        c.throttle.maxRunning = 4
        c.throttle.maxCreating = 2
        c.classes = [WorkspaceClass(name: "vm", provider: "libvirt", slots: 2, maxWorkspaces: 2)]
        return ThrottlePolicy(config: c)
    }

    func vmJob(_ id: JobID) -> Job {
        let vm = VMDescription(hypervisor: .kvm, memoryMB: 256, disks: [.init(file: "/d/disk.img", device: "vda", writable: true)])
        return Job(id: id, spec: JobSpec(executable: "myvm", vm: vm), owner: 1000, state: .queued, className: "vm", submittedAt: 0)
    }

    func plainJob(_ id: JobID) -> Job {
        Job(id: id, spec: JobSpec(executable: "/bin/true"), owner: 1000, state: .queued, className: "vm", submittedAt: 0)
    }

    @Test func aVMJobGetsItsOwnWorkspaceNeverAnotherJobsSlot() {
        var s = SchedulerSnapshot(now: 0, freeSlots: ["vm": [("ws-1", 2)]], workspaces: ["vm": 1])
        #expect(policy.admit(vmJob(7), s) == .createWorkspace(className: "vm"), "a free slot of the class is not its")
        s.record(.createWorkspace(className: "vm"), for: vmJob(7))
        #expect(s.creating["vm-7"] == 1 && s.creating["vm"] == nil && s.workspaces["vm"] == 2)
        #expect(policy.admit(vmJob(7), s) == .wait(.workspaceBeingCreated(className: "vm-7")))
        #expect(policy.admit(plainJob(8), s) == .dispatch(workspace: "ws-1"), "nor is its slot another job's")
        #expect(policy.admit(vmJob(9), s) == .wait(.classFull(className: "vm", maxWorkspaces: 2, slots: 2)))
        let ready = SchedulerSnapshot(now: 0, freeSlots: ["vm-7": [("vm-7.3", 1)]], workspaces: ["vm": 1])
        #expect(policy.admit(vmJob(7), ready) == .dispatch(workspace: "vm-7.3"))
        #expect(policy.admit(plainJob(8), ready) == .createWorkspace(className: "vm"))
    }

    @Test func workspaceIdsNameTheirJob() {
        let id = JobVMWorkspace.workspaceID(for: 42, number: 17)
        #expect(id == "vm-42.17" && JobVMWorkspace.job(ofWorkspace: id) == 42 && JobVMWorkspace.key(for: 42) == "vm-42")
        #expect(JobVMWorkspace.job(ofWorkspace: "ws-17") == nil && JobVMWorkspace.job(ofWorkspace: "vm-x.1") == nil)
    }
}
