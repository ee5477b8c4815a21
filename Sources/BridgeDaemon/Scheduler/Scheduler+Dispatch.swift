import AgentProtocol
import Foundation
import ProcessSpawn
import WorkspaceBridge

/// What goes to an agent for one run: the request, and for a workspace that does not share our
/// files, the job's stdin with it, read off the scheduler (a user's file may sit on a hung NFS
/// server) with a deadline.
extension Scheduler {
    /// Resolves what the agent needs; `nil` while the owner or class cannot be resolved. A
    /// workspace that does not share our files gets stdin with the request, read by `send`.
    func runRequest(for job: inout Job, in wsID: String) -> RunRequest? {
        guard let id = identity(job.owner), let cls = config.workspaceClass(named: job.className) else { return nil }
        var staging: RunStaging?
        if !shares(.sharesHostFileSystem, cls.provider) {
            let out = job.spec.stdout.flatMap { $0 == "/dev/null" ? nil : $0 }
            let err = job.spec.stderr.flatMap { $0 == "/dev/null" ? nil : $0 }
            staging = RunStaging(stdin: nil, captureStdout: out != nil, captureStderr: err != nil,
                                 joined: out != nil && out == err)
        }
        job.attempts += 1
        job.workspaceID = wsID
        job.startedAt = nil
        job.reason = nil
        let s = job.spec
        var env = s.environment
        env["HOME"] = env["HOME"] ?? id.home
        env["USER"] = env["USER"] ?? id.name
        env["LOGNAME"] = env["LOGNAME"] ?? id.name
        env["WSBRIDGE_JOB_ID"] = String(job.id)
        env["WSBRIDGE_WORKSPACE"] = wsID
        let memory = min(s.resources.memoryMB ?? cls.memoryMB, cls.memoryMB)
        var request = RunRequest(key: RunKey(job: job.id, attempt: job.attempts), executable: s.executable, arguments: s.arguments,
                          environment: env, directory: s.directory ?? id.home, stdin: s.stdin, stdout: s.stdout,
                          stderr: s.stderr, uid: id.uid, gid: id.gid, groups: id.groups,
                          limits: RunLimits(memoryMB: memory, cpuTimeSeconds: s.resources.cpuTimeSeconds,
                                            wallTimeSeconds: s.resources.wallTimeSeconds))
        if case .gram = s.origin { request.appendOutput = true }
        if let staging {
            request.staging = staging
            request.directory = RunStaging.scratchDirectory(for: request.key)
            request.stdin = nil
            request.stdout = nil
            request.stderr = nil
        }
        return request
    }

    /// Sends a run; first reads its stdin, as the job's user, when the workspace needs it sent.
    func send(_ request: RunRequest, over link: AgentLink) {
        guard let staging = request.staging, let job = jobs[request.key.job], let path = job.spec.stdin, path != "/dev/null",
              let id = identity(job.owner) else {
            link.send(.run(request))
            return
        }
        let key = request.key, wsID = link.workspaceID
        let once = FirstCaller()
        DispatchQueue.global().async {
            let read: Result<[UInt8], SpawnFailure> = Result { () throws(SpawnFailure) in
                try UserFiles.read(path, uid: id.uid, gid: id.gid, limit: RunStaging.maxStdinBytes)
            }
            guard once.first() else { return }
            switch read {
            case .success(let bytes):
                var staged = request
                staged.staging = staging
                staged.staging?.stdin = Data(bytes)
                link.send(.run(staged))
            case .failure(let e):
                Task { await self.stagingFailed(key, in: wsID, link: link, reason: e.message) }
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
            guard once.first() else { return }
            Task { await self.stagingFailed(key, in: wsID, link: link, reason: "reading \(path) took over 60 s") }
        }
    }

    /// The run never reached its agent: the job fails (its spec would fail the same way again).
    func stagingFailed(_ key: RunKey, in wsID: String, link: AgentLink, reason: String) {
        ended(key, in: wsID, link: link) { job in
            try? job.move(to: .failed, reason: "cannot stage stdin into the workspace: \(reason)"
                          + " (at most \(RunStaging.maxStdinBytes >> 20) MiB)")
            job.endedAt = Self.now
        }
    }
}
