import Foundation
import WorkspaceBridge

/// One proc of a submit file: its HTCondor job ClassAd and the `JobSpec` the bridge runs.
public struct CondorSubmitJob: Sendable {
    public var cluster: Int
    public var proc: Int
    public var ad: ClassAd
    public var spec: JobSpec
}

/// Everything a submit file describes.
public struct CondorSubmitResult: Sendable {
    public var jobs: [CondorSubmitJob]
    public var warnings: [SubmitWarning]
    /// The `queue` statements read; with no jobs, tells "no queue at all" from "only empty ones".
    public var queueStatements = 0

    /// Why nothing would be submitted, in condor_submit's words (`src/condor_submit.V6/submit.cpp`),
    /// or `nil` when there are jobs. condor_submit only warns about empty queue statements (and
    /// exits 0); a submit that queues nothing is an error here, so a script never takes
    /// "0 job(s) submitted" for success.
    public func nothingQueued(file: String) -> String? {
        guard jobs.isEmpty else { return nil }
        if queueStatements == 0 {
            return "ERROR: \"\(file)\" doesn't contain any \"queue\" commands -- no jobs queued"
        }
        return "ERROR: \"\(file)\" has only empty \"queue\" commands -- no jobs queued (0 job(s) submitted)"
    }
}

/// The submit description language front door: text in, job ads and `JobSpec`s out.
public enum CondorSubmit {
    /// Parses submit text.
    /// - Parameters:
    ///   - file: the name used in errors and for `$(SUBMIT_FILE)`.
    ///   - cwd: the submitter's working directory: the default `Iwd`, the base of relative
    ///     `executable`, `initialdir`, `include` and `queue from` paths.
    ///   - environment: the submitter's environment, for `$ENV()` and `getenv`.
    ///   - cluster: the cluster id of the first cluster.
    public static func parse(text: String, file: String, cwd: String, environment: [String: String],
                             cluster: Int = 1) throws(SubmitError) -> CondorSubmitResult {
        var reader = SubmitFileReader(file: file, cwd: cwd, environment: environment, cluster: cluster)
        let procs = try reader.read(text: text)
        var warnings = reader.warnings
        var jobs: [CondorSubmitJob] = []
        for p in procs {
            var builder = JobAdBuilder(proc: p, file: file, cwd: cwd)
            let built = try builder.build()
            warnings += built.warnings.filter { !warnings.contains($0) }
            jobs.append(CondorSubmitJob(cluster: p.cluster, proc: p.proc, ad: built.ad,
                                        spec: JobSpecMapper.spec(for: built, cluster: p.cluster, proc: p.proc)))
        }
        return CondorSubmitResult(jobs: jobs, warnings: warnings, queueStatements: reader.queueStatements)
    }

    /// Reads and parses a submit file, with the current directory and environment of this process.
    public static func parse(path: String, cluster: Int = 1) throws(SubmitError) -> CondorSubmitResult {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SubmitError(.io, file: path, line: nil, "Failed to open submit file \(path)")
        }
        return try parse(text: try SubmitText.decode(data, file: path), file: path,
                         cwd: FileManager.default.currentDirectoryPath,
                         environment: ProcessInfo.processInfo.environment, cluster: cluster)
    }
}

/// Maps a built job ad to the bridge's `JobSpec`.
///
/// Workspace choice: a submit file names a class with `+WorkspaceClass = "name"` (a job
/// attribute, so it also reaches us through HTCondor-CE routes) or the submit command
/// `workspace_class = name`; otherwise the user's own `requirements` and `rank` (without
/// condor_submit's automatic clauses, which speak of slots, not workspaces) choose the class.
enum JobSpecMapper {
    static func spec(for job: BuiltJob, cluster: Int, proc: Int) -> JobSpec {
        let ad = job.ad
        func string(_ a: String) -> String? {
            if case .literal(.string(let s))? = ad[a] { return s }
            return nil
        }
        func int(_ a: String) -> Int? {
            if case .literal(.int(let i))? = ad[a] { return Int(exactly: i) }
            return nil
        }
        func file(_ a: String) -> String? {
            guard let s = string(a), s != "/dev/null" else { return nil }
            return s
        }
        var resources = ResourceRequest()
        resources.cpus = int("RequestCpus").flatMap { $0 > 0 ? $0 : nil }
        resources.memoryMB = int("RequestMemory").flatMap { $0 > 0 ? $0 : nil }
        resources.diskMB = int("RequestDisk").flatMap { $0 > 0 ? ($0 + 1023) / 1024 : nil }

        let workspace: WorkspaceSelector
        if let name = string("WorkspaceClass") ?? job.workspaceClassCommand {
            workspace = .named(name)
        } else if job.userRequirements != nil || job.userRank != nil {
            workspace = .requirements(job.userRequirements ?? "true", rank: job.userRank)
        } else {
            workspace = .any
        }
        let iwd = string("Iwd") ?? "/"
        func list(_ a: String) -> [String]? {
            string(a).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }
        var transferExecutable = true
        if case .literal(.bool(false))? = ad["TransferExecutable"] { transferExecutable = false }
        // For workspaces that do not see this host's files: what HTCondor's file transfer would move.
        var transfer: FileTransfer? = FileTransfer(inputs: (list("TransferInput") ?? []).map { $0.hasPrefix("/") ? $0 : iwd + "/" + $0 },
                                    outputs: list("TransferOutput"), executable: transferExecutable,
                                    credential: string("x509userproxy"))
        // A VM job's images are read by the provider that boots them, not staged into a workspace.
        if job.vm != nil { transfer = nil }
        var origin = CondorOrigin(cluster: cluster, proc: proc, ad: ad.unparsedAttributes, userLog: string("UserLog"))
        origin.ad = ad.unparsedAttributes
        return JobSpec(
            executable: string("Cmd") ?? "",
            arguments: job.argv,
            environment: job.environment,
            directory: string("Iwd"),
            stdin: file("In"), stdout: file("Out"), stderr: file("Err"),
            count: 1,
            resources: resources,
            workspace: workspace,
            maxRetries: int("JobMaxRetries"),
            hold: int("JobStatus") == 5,
            priority: int("JobPrio") ?? 0,
            origin: .condor(origin),
            transfer: transfer,
            vm: job.vm
        )
    }
}
