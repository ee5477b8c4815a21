import Foundation
import WorkspaceBridge

/// What the mapper may know about the submitter and the site.
public struct GRAMMappingContext: Sendable {
    /// The submitter's home directory: a relative `directory` is taken relative to it, as
    /// `fork.pm` does. When `nil`, `HOME` from the job's environment is used, if any.
    public var home: String?
    /// The submitter's account name; an RSL `username` must equal it.
    public var userName: String?
    /// The site's workspace classes, when known: a class the job names must exist and fit.
    public var classes: [WorkspaceClass]?
    /// The job manager's job contact, when the adapter knows it.
    public var contact: String?
    /// The submitter's grid identity (the DN of the job manager's proxy), when the adapter knows it.
    public var userDN: String?
    /// True for RSL submitted without a job manager (`wsbridge submit --rsl`): then nobody
    /// stages files or streams output, so attributes that need that are refused.
    public var standalone: Bool

    public init(home: String? = nil, userName: String? = nil, classes: [WorkspaceClass]? = nil,
                contact: String? = nil, userDN: String? = nil, standalone: Bool = false) {
        self.home = home
        self.userDN = userDN
        self.userName = userName
        self.classes = classes
        self.contact = contact
        self.standalone = standalone
    }
}

/// A job request ready for the daemon.
public struct GRAMJobRequest: Sendable, Equatable {
    /// One spec; with `count > 1` the daemon records `count` jobs (GRAM sub-jobs).
    public var spec: JobSpec
    /// `dry_run = yes`: validated, not to be submitted (GRAM answers `DRYRUN`, 41).
    public var dryRun: Bool
}

/// Maps a GRAM job description to a `JobSpec`.
///
/// Job types: `multiple` (the default) runs `count` processes, each its own job in a workspace
/// slot; `single` runs one process whatever `count` says; `mpi` and `condor` are refused with
/// `JOBTYPE_NOT_SUPPORTED` (26): a workspace slot is not an MPI host list (run `mpiexec` inside a
/// `single` job and ask for cores with `xcount`).
///
/// Times are minutes: `max_wall_time` (or, without it, `max_time`) limits wall time,
/// `max_cpu_time` CPU time. Memory is megabytes: `max_memory` caps the job, `min_memory` and
/// `min_disk` choose a workspace big enough. `workspace_class` names the class; without it
/// `queue` does ("queue (class) name" in the core RVF). `host_count` is checked and otherwise
/// ignored: every process gets a workspace slot of its own.
public enum GRAMJobMapper {
    /// What crosses into a guest, which does not see the gatekeeper's files: the files the job
    /// manager staged in (`file_stage_in` and `file_stage_in_shared` destinations when the
    /// description still names them, and the files at the top of the job's directory), the
    /// executable when it is one of the user's files (GRAM stages executables into the user's
    /// home), and the proxy the job manager names in `X509_USER_PROXY`; and back, the
    /// `file_stage_out` sources inside the job's directory, for the job manager to stage out.
    static func transfer(_ d: GRAMDescription, executable: String, base: String?, environment: [String: String]) -> FileTransfer {
        func absolute(_ p: String) -> String {
            guard !p.hasPrefix("/"), let base else { return p }
            return base.hasSuffix("/") ? base + p : base + "/" + p
        }
        func pairs(_ name: String) -> [(String, String)] {
            (d[name] ?? []).compactMap { v in
                guard case .list(let pair) = v, pair.count == 2, let a = pair[0].string, let b = pair[1].string else { return nil }
                return (a, b)
            }
        }
        let inputs = (pairs("filestagein") + pairs("filestageinshared")).map { absolute($0.1) }.filter { !$0.contains("://") }
        let prefix = base.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        let outputs = pairs("filestageout").compactMap { source, _ -> String? in
            let path = absolute(source)
            guard let prefix, path.hasPrefix(prefix) else { return nil }
            return String(path.dropFirst(prefix.count))
        }
        let userFile = [base, environment["HOME"]].compactMap { $0 }.contains { executable.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
        var transfer = FileTransfer(inputs: inputs, outputs: outputs, executable: userFile, credential: environment["X509_USER_PROXY"])
        // The job manager fetches file_stage_in files into the directory before it hands the job
        // over, and the description it hands over no longer lists them.
        transfer.directoryFiles = true
        return transfer
    }

    public static func request(from d: GRAMDescription, context: GRAMMappingContext,
                               defaulted: Set<String> = []) throws(GRAMError) -> GRAMJobRequest {
        // Executable first: the job manager reports a missing one before anything else.
        guard let exeValues = d["executable"] else { throw GRAMError(.undefinedExe, "the job names no executable") }
        var executable = try single(exeValues, "executable")
        if executable.isEmpty { throw GRAMError(.rslExecutable, "the executable is empty") }
        executable = try localPath(executable, "executable", context, staging: .stagingExecutable)

        var arguments: [String] = []
        for v in d["arguments"] ?? [] {
            guard let s = v.string else {
                throw GRAMError(.rslArguments, "each argument must be one string, not a (...) list")
            }
            arguments.append(s)
        }

        var environment: [String: String] = [:]
        for v in d["environment"] ?? [] {
            guard case .list(let pair) = v, pair.count == 2, let name = pair[0].string, let value = pair[1].string else {
                throw GRAMError(.rslEnvironment, "environment takes (NAME VALUE) pairs")
            }
            guard !name.isEmpty, !name.contains("="), !name.contains("\0") else {
                throw GRAMError(.rslEnvironment, "\"\(name)\" is not a valid environment variable name")
            }
            environment[name] = value
        }
        if let paths = d["librarypath"], !defaulted.contains("librarypath"), environment["LD_LIBRARY_PATH"] == nil {
            let dirs = paths.compactMap(\.string)
            if !dirs.isEmpty { environment["LD_LIBRARY_PATH"] = dirs.joined(separator: ":") }
        }
        let home = context.home ?? environment["HOME"]

        var directory: String?
        if let v = d["directory"] {
            var dir = try single(v, "directory")
            if dir.isEmpty { throw GRAMError(.badDirectory, "the directory is empty") }
            dir = try localPath(dir, "directory", context, staging: .badDirectory)
            if !dir.hasPrefix("/"), let home { dir = home.hasSuffix("/") ? home + dir : home + "/" + dir }
            directory = dir
        }
        // A relative executable names a file in the job's directory, as fork.pm runs
        // "directory/executable": there is no PATH lookup in GRAM.
        if !executable.hasPrefix("/"), let base = directory ?? home {
            executable = base.hasSuffix("/") ? base + executable : base + "/" + executable
        }
        let stdin = try stream(d, "stdin", context, staging: .stagingStdin)
        let stdout = try stream(d, "stdout", context, staging: .openingStdout)
        let stderr = try stream(d, "stderr", context, staging: .openingStderr)

        let jobType = try optionalString(d, "jobtype") ?? "multiple"
        var count = try integer(d, "count", minimum: 1) ?? 1
        switch jobType {
        case "multiple": break
        case "single": count = 1
        case "mpi", "condor":
            throw GRAMError(.jobTypeNotSupported,
                            "job_type=\(jobType) is not supported by the workspace LRM; run mpiexec in a job_type=single job and ask for CPUs with xcount")
        default:
            throw GRAMError(.invalidJobType, "job_type \"\(jobType)\" is not one of single, multiple, mpi, condor")
        }
        _ = try integer(d, "hostcount", minimum: 1)

        var resources = ResourceRequest()
        var wallMinutes = try integer(d, "maxwalltime", minimum: 1)
        let anyMinutes = try integer(d, "maxtime", minimum: 1)
        if wallMinutes == nil { wallMinutes = anyMinutes }
        resources.wallTimeSeconds = try seconds(wallMinutes, "max_wall_time")
        resources.cpuTimeSeconds = try seconds(try integer(d, "maxcputime", minimum: 1), "max_cpu_time")
        resources.memoryMB = try integer(d, "maxmemory", minimum: 1)
        resources.minMemoryMB = try integer(d, "minmemory", minimum: 1)
        resources.cpus = try integer(d, "xcount", minimum: 1)
        resources.diskMB = try integer(d, "mindisk", minimum: 1)
        if let lo = resources.minMemoryMB, let hi = resources.memoryMB, lo > hi {
            throw GRAMError(.invalidMinMemory, "min_memory (\(lo) MB) is larger than max_memory (\(hi) MB)")
        }
        let maxRetries = try integer(d, "maxretries", minimum: 0)

        let queue = try optionalString(d, "queue")
        let project = try optionalString(d, "project")
        let className = try optionalString(d, "workspaceclass")
        var workspace = WorkspaceSelector.any
        if let name = className ?? queue {
            if let classes = context.classes {
                guard let chosen = classes.first(where: { $0.name == name }) else {
                    let known = classes.map(\.name).joined(separator: ", ")
                    throw GRAMError(className != nil ? .invalidSchedulerSpecific : .invalidQueue,
                                    "there is no workspace class \"\(name)\" (this site has: \(known))")
                }
                try check(resources, fitIn: chosen)
            }
            workspace = .named(name)
        }

        let dryRun: Bool
        switch try optionalString(d, "dryrun")?.lowercased() {
        case nil, "no", "false": dryRun = false
        case "yes", "true": dryRun = true
        case let other?: throw GRAMError(.rslDryRun, "dry_run must be yes or no, not \"\(other)\"")
        }

        if context.standalone {
            if let wanted = try optionalString(d, "username"), let me = context.userName, wanted != me {
                throw GRAMError(.authorization, "the job must run as \"\(wanted)\" but was submitted by \"\(me)\"")
            }
            let needsJobManager: [(String, GRAMErrorCode)] = [
                ("filestagein", .rslFileStageIn), ("filestageinshared", .rslFileStageInShared),
                ("filestageout", .rslFileStageOut), ("filecleanup", .rslFileCleanup),
                ("scratchdir", .rslScratch), ("gasscache", .rslGassCache), ("remoteiourl", .rslRemoteIOURL),
            ]
            for (name, code) in needsJobManager where !(d[name] ?? []).isEmpty {
                throw GRAMError(code, "\(name) needs the GRAM job manager: submit the job through the gatekeeper (jobmanager-workspace)")
            }
        }

        let transfer = context.standalone ? nil : Self.transfer(d, executable: executable, base: directory ?? home, environment: environment)
        let contact = context.contact ?? environment["GLOBUS_GRAM_JOB_CONTACT"]
        var origin = GRAMOrigin(jobType: jobType, queue: queue, project: project, contact: contact)
        origin.userDN = context.userDN
        let spec = JobSpec(executable: executable, arguments: arguments, environment: environment, directory: directory,
                           stdin: stdin, stdout: stdout, stderr: stderr, count: count, resources: resources,
                           workspace: workspace, maxRetries: maxRetries, origin: .gram(origin), transfer: transfer)
        do {
            try spec.validate()
        } catch {
            switch error {
            case .missingExecutable: throw GRAMError(.undefinedExe, error.description)
            case .invalidCount: throw GRAMError(.invalidCount, error.description)
            case .outOfRange(let field, _, _):
                throw GRAMError(field == "count" ? .invalidCount : .invalidRequest, error.description)
            case .invalid(let why): throw GRAMError(.invalidRequest, why)
            }
        }
        return GRAMJobRequest(spec: spec, dryRun: dryRun)
    }

    static func single(_ values: [GRAMValue], _ name: String) throws(GRAMError) -> String {
        guard values.count == 1, let s = values[0].string else {
            throw GRAMError(GRAMAttributeErrors.shape(name), "\(name) takes exactly one value")
        }
        return s
    }

    static func optionalString(_ d: GRAMDescription, _ name: String) throws(GRAMError) -> String? {
        guard let v = d[name] else { return nil }
        return try single(v, name)
    }

    /// A whole number in decimal, at least `minimum`. Stricter than the job manager's `atoi`, so
    /// that `max_wall_time=1h` is an error instead of a one-minute limit.
    static func integer(_ d: GRAMDescription, _ name: String, minimum: Int) throws(GRAMError) -> Int? {
        guard let v = d[name] else { return nil }
        let text = try single(v, name).trimmingCharacters(in: .whitespaces)
        guard let n = Int(text), n >= minimum else {
            throw GRAMError(GRAMAttributeErrors.value(name), "\(name) must be a whole number of at least \(minimum), not \"\(text)\"")
        }
        return n
    }

    static func seconds(_ minutes: Int?, _ name: String) throws(GRAMError) -> Int? {
        guard let m = minutes else { return nil }
        let (s, overflow) = m.multipliedReportingOverflow(by: 60)
        if overflow { throw GRAMError(GRAMAttributeErrors.value(name), "\(name) of \(m) minutes is too large") }
        return s
    }

    /// `file://` URLs name local files; other URLs need the job manager's staging.
    static func localPath(_ value: String, _ name: String, _ context: GRAMMappingContext,
                          staging: GRAMErrorCode) throws(GRAMError) -> String {
        if value.hasPrefix("file://") {
            let rest = value.dropFirst("file://".count)
            // file:///path or file://localhost/path
            if rest.hasPrefix("/") { return String(rest) }
            if rest.hasPrefix("localhost/") { return String(rest.dropFirst("localhost".count)) }
        }
        if let scheme = value.range(of: "://"), value[..<scheme.lowerBound].allSatisfy({ $0.isLetter || $0 == "-" || $0 == "+" }) {
            throw GRAMError(staging, context.standalone
                ? "\(name) \"\(value)\" is a URL: staging needs the GRAM job manager (submit through the gatekeeper)"
                : "\(name) \"\(value)\" is a URL the job manager did not stage to a local file")
        }
        return value
    }

    static func stream(_ d: GRAMDescription, _ name: String, _ context: GRAMMappingContext,
                       staging: GRAMErrorCode) throws(GRAMError) -> String? {
        guard let v = d[name] else { return nil }
        let path = try single(v, name)
        if path.isEmpty { throw GRAMError(GRAMAttributeErrors.shape(name), "\(name) is empty") }
        return try localPath(path, name, context, staging: staging)
    }

    static func check(_ r: ResourceRequest, fitIn c: WorkspaceClass) throws(GRAMError) {
        if let m = r.memoryMB, m > c.memoryMB {
            throw GRAMError(.invalidMaxMemory, "max_memory \(m) MB is more than workspace class \"\(c.name)\" has (\(c.memoryMB) MB)")
        }
        if let m = r.minMemoryMB, m > c.memoryMB {
            throw GRAMError(.invalidMinMemory, "min_memory \(m) MB is more than workspace class \"\(c.name)\" has (\(c.memoryMB) MB)")
        }
        if let n = r.cpus, n > c.cpus {
            throw GRAMError(.invalidSchedulerSpecific, "xcount \(n) is more CPUs than workspace class \"\(c.name)\" has (\(c.cpus))")
        }
        if let disk = r.diskMB, let have = c.diskMB, disk > have {
            throw GRAMError(.invalidSchedulerSpecific, "min_disk \(disk) MB is more than workspace class \"\(c.name)\" has (\(have) MB)")
        }
    }
}
