import AgentProtocol
import WorkspaceBridge

/// Jobs that are virtual machines (`JobSpec.vm`, HTCondor `universe = vm`) run in a workspace of
/// their own, made for them by the provider (`createJobVM`) and destroyed when their run ends:
/// the rest of their life (admission, dispatch, signals, holds, output, restart) is every job's.
extension Scheduler {
    /// The run request's VM part: the disks to boot, and the writable images that come back
    /// (as a staged run's output files, written into the job's directory as its owner).
    func addJobVM(_ vm: VMDescription, to request: inout RunRequest, maxOutputMB: Int) {
        request.vm = vm
        var staging = RunStaging(stdin: nil, captureStdout: false, captureStderr: false, joined: false)
        staging.outputs = vm.returnedDisks.compactMap { StagedPath(Self.lastComponent($0.file)) }
        staging.maxOutputBytes = maxOutputMB << 20
        request.staging = staging
    }

    /// Destroys job VMs whose job no longer waits for them: the run ended (done, failed,
    /// requeued for a retry), or the job was cancelled or held before it started.
    func retireJobVMs() {
        for (id, w) in workspaces where w.isJobVM && w.runs.isEmpty && w.collecting.isEmpty {
            switch w.record.state {
            case .ready, .busy, .draining: break
            default: continue
            }
            let job = JobVMWorkspace.job(ofWorkspace: id).flatMap { jobs[$0] }
            if let job, job.state == .queued || job.state.isActive { continue }
            retire(id, reason: job.map { "its job is \($0.state.rawValue)" } ?? "its job has ended")
        }
    }

    /// The job's VM has served its one run. It takes no job from now on (a released or retried
    /// job gets a fresh one), before the destruction, which happens off this call.
    func retire(_ wsID: String, reason: String) {
        if workspaces[wsID]?.record.state.takesJobs == true { move(wsID, to: .draining) }
        Task { await self.destroyWorkspace(wsID, reason: reason) }
    }
}
