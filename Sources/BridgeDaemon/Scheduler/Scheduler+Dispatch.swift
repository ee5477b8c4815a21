import AgentProtocol
import Foundation
import ProcessSpawn
import WorkspaceBridge

/// What goes to an agent for one run: the request, and for a workspace that does not share our
/// files, the job's stdin with it and its input files, executable and credential before it,
/// read off the scheduler (a user's file may sit on a hung NFS server) with a deadline.
extension Scheduler {
    /// Resolves what the agent needs; `nil` while the owner or class cannot be resolved. A
    /// workspace that does not share our files gets stdin with the request, read by `send`.
    func runRequest(for job: inout Job, in wsID: String) -> RunRequest? {
        guard let id = identity(job.owner), let cls = config.workspaceClass(named: job.className) else { return nil }
        var staging: RunStaging?
        let directory = job.spec.directory ?? id.home
        // A job whose directory the workspace sees writable through the class's binds runs there.
        if !shares(.sharesHostFileSystem, cls.provider), cls.binds.holding(directory)?.writable != true {
            let out = job.spec.stdout.flatMap { $0 == "/dev/null" ? nil : $0 }
            let err = job.spec.stderr.flatMap { $0 == "/dev/null" ? nil : $0 }
            staging = RunStaging(stdin: nil, captureStdout: out != nil, captureStderr: err != nil,
                                 joined: out != nil && out == err)
            if let t = job.spec.transfer {
                staging?.outputs = t.outputs?.compactMap(StagedPath.init)
                staging?.maxOutputBytes = cls.maxStageOutMB << 20
                if t.executable, !Self.isSystemProgram(job.spec.executable) {
                    staging?.executable = StagedPath(Self.lastComponent(job.spec.executable))
                }
                if let credential = t.credential {
                    staging?.credential = StagedPath(Self.lastComponent(credential))
                    staging?.credentialVariable = job.spec.environment["BEARER_TOKEN_FILE"] == credential ? "BEARER_TOKEN_FILE" : "X509_USER_PROXY"
                }
            }
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
                          environment: env, directory: directory, stdin: s.stdin, stdout: s.stdout,
                          stderr: s.stderr, uid: id.uid, gid: id.gid, groups: id.groups,
                          limits: RunLimits(memoryMB: memory, cpuTimeSeconds: s.resources.cpuTimeSeconds,
                                            wallTimeSeconds: s.resources.wallTimeSeconds,
                                            maxProcesses: cls.processLimits.perRun))
        // What a sandbox that shows the host read-only leaves writable to the run.
        request.writablePaths = [directory, id.home] + cls.binds.filter(\.writable).map(\.path)
        if case .gram = s.origin { request.appendOutput = true }
        if let staging {
            request.staging = staging
            request.directory = RunStaging.scratchDirectory(for: request.key)
            request.stdin = nil
            request.stdout = nil
            request.stderr = nil
        }
        if let vm = s.vm { addJobVM(vm, to: &request, maxOutputMB: cls.maxStageOutMB) }
        return request
    }

    static func lastComponent(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// A program of the system's (`/bin/sh`, `/usr/bin/python3`): the workspace runs its own,
    /// which fits its libraries, rather than a copy of the host's, which may not.
    static func isSystemProgram(_ path: String) -> Bool {
        ["/bin/", "/sbin/", "/usr/", "/lib/", "/lib64/", "/etc/"].contains { path.hasPrefix($0) }
    }

    /// Sends a run. For a staged run, first reads its stdin and sends its files, as the job's
    /// user, on a thread of its own; the run request follows the files, naming each with its
    /// checksum, so the agent starts it only with every file whole.
    func send(_ request: RunRequest, over link: AgentLink) {
        guard let staging = request.staging, let job = jobs[request.key.job], let id = identity(job.owner),
              let cls = config.workspaceClass(named: job.className) else {
            link.send(.run(request))
            return
        }
        let stdinPath = job.spec.stdin.flatMap { $0 == "/dev/null" ? nil : $0 }
        let transfer = job.spec.transfer ?? FileTransfer()
        guard stdinPath != nil || !transfer.inputs.isEmpty || transfer.directoryFiles || staging.executable != nil || staging.credential != nil else {
            link.send(.run(request))
            return
        }
        let key = request.key, wsID = link.workspaceID, spec = job.spec
        // The job's directory on this host (the request's is the run's scratch directory inside).
        let jobDirectory = spec.directory ?? id.home
        let limit = min(cls.maxStageInMB, cls.diskMB ?? Int.max) << 20
        let owner = FileOwner(uid: id.uid, gid: id.gid, groups: id.groups)
        let progress = StagingProgress()
        Thread.detachNewThread {
            var staged = request
            do throws(InputStager.Failure) {
                if let path = stdinPath {
                    do throws(SpawnFailure) {
                        staged.staging?.stdin = Data(try UserFiles.read(path, uid: id.uid, gid: id.gid, limit: RunStaging.maxStdinBytes))
                    } catch {
                        throw InputStager.Failure(description: "stdin: \(error.message) (at most \(RunStaging.maxStdinBytes >> 20) MiB)")
                    }
                    progress.touch()
                }
                var stager = InputStager(key: key, owner: owner, link: link, limit: limit, progress: progress)
                if let exe = staging.executable {
                    let host = spec.executable.hasPrefix("/") ? spec.executable : jobDirectory + "/" + spec.executable
                    try stager.stage(host, as: exe)
                }
                for input in transfer.inputs {
                    switch FileTransfer.placement(of: input, jobDirectory: jobDirectory) {
                    case .contentsAtTop?: try stager.stage(String(input.dropLast()), as: nil)
                    case .at(let path)?: try stager.stage(input, as: path)
                    case nil: throw InputStager.Failure(description: "\(input) has no name to stage it under")
                    }
                }
                if let credential = transfer.credential, let path = staging.credential { try stager.stage(credential, as: path) }
                if transfer.directoryFiles {
                    try stager.stageTopFiles(of: jobDirectory, except: Set([spec.stdout, spec.stderr].compactMap { $0 }))
                }
                staged.staging?.inputs = stager.sent
                guard progress.finish() else { return }
                link.send(.run(staged))
            } catch {
                guard progress.finish() else { return }
                link.send(.ack(key))
                Task { await self.stagingFailed(key, in: wsID, link: link, reason: error.description) }
            }
        }
        // A user's file on a file system that does not answer holds only this run, and not for ever.
        progress.watch(every: 10, stalledAfter: 60) {
            link.send(.ack(key))
            Task { await self.stagingFailed(key, in: wsID, link: link, reason: "no progress for 60 s (a file system does not answer)") }
        }
    }

    /// The run never reached its agent: the job fails (its spec would fail the same way again).
    func stagingFailed(_ key: RunKey, in wsID: String, link: AgentLink, reason: String) {
        ended(key, in: wsID, link: link) { job in
            try? job.move(to: .failed, reason: "cannot stage into the workspace: \(reason)")
            job.endedAt = Self.now
        }
    }
}
