import Foundation
import WorkspaceBridge

/// What the job ad builder learned besides the ad itself: the parts a `JobSpec` needs.
struct BuiltJob: Sendable {
    var ad: ClassAd
    var argv: [String]
    var environment: [String: String]
    /// The user's own `requirements` / `rank` text, before HTCondor's automatic clauses.
    var userRequirements: String?
    var userRank: String?
    /// `workspace_class = name`: the bridge's own submit command naming a workspace class.
    var workspaceClassCommand: String?
    /// `universe = vm`: the machine the job is.
    var vm: VMDescription? = nil
    var warnings: [SubmitWarning]
}

/// Builds one proc's job ClassAd from the submit macros, the way `SubmitHash::make_job_ad`
/// does (`src/condor_utils/submit_utils.cpp`): universe, executable, arguments, environment,
/// stdio, initial directory, requests, requirements, policy expressions and `+Attr`s.
struct JobAdBuilder {
    let proc: SubmitProc
    let file: String
    let cwd: String
    var ad = ClassAd()
    var warnings: [SubmitWarning] = []
    var universe = 5
    var gridType = ""
    /// Batch grid jobs get no default resource requests (`UseDefaultResourceParams`).
    var useDefaultResources = true

    init(proc: SubmitProc, file: String, cwd: String) {
        self.proc = proc
        self.file = file
        self.cwd = cwd
    }

    var macros: SubmitMacros { proc.macros }

    func fail(_ message: String) -> SubmitError {
        SubmitError(.invalidValue, file: file, line: proc.queueLine, message)
    }

    func param(_ names: String...) throws(SubmitError) -> String? {
        for n in names {
            do { if let v = try macros.param(n) { return v } } catch { throw fail(error.message) }
        }
        return nil
    }

    /// `string_is_boolean_param`.
    func boolParam(_ names: String..., default dflt: Bool) throws(SubmitError) -> Bool {
        for n in names {
            guard let v = try param(n) else { continue }
            switch SubmitLexer.trim(v).lowercased() {
            case "true", "t", "yes", "y", "1": return true
            case "false", "f", "no", "n", "0": return false
            default:
                if let e = try? ClassAdParser.parseSubmitExpression(v), case .bool(let b) = ClassAd().evaluate(expression: e) { return b }
                throw fail("\(n)=\(v) is invalid, must eval to a boolean.")
            }
        }
        return dflt
    }

    /// `string_is_long_param`: an integer literal or a constant expression.
    func intParam(_ name: String, alt: String? = nil) throws(SubmitError) -> Int64? {
        let v: String?
        if let alt { v = try param(name, alt) } else { v = try param(name) }
        guard let v else { return nil }
        if let i = Int64(SubmitLexer.trim(v)) { return i }
        if let e = try? ClassAdParser.parseSubmitExpression(v), e.references().bare.isEmpty, e.references().my.isEmpty,
           case .int(let i) = ClassAd().evaluate(expression: e) { return i }
        throw fail("\(name)=\(v) is invalid, must eval to an integer.")
    }

    mutating func assignExpr(_ attr: String, _ text: String) throws(SubmitError) {
        do { ad[attr] = try ClassAdParser.parseSubmitExpression(text) } catch {
            throw fail("Parse error in expression: \n\t\(attr) = \(text)")
        }
    }

    /// `compress_path`: runs of slashes become one.
    static func compress(_ path: String) -> String {
        var out = ""
        var lastSlash = false
        for c in path {
            if c == "/" { if lastSlash { continue }; lastSlash = true } else { lastSlash = false }
            out.append(c)
        }
        return out
    }

    /// `full_path`: absolute names stay, relative ones are joined to `dir`.
    static func fullPath(_ name: String, in dir: String) -> String {
        compress(name.hasPrefix("/") ? "/" + name : "/" + dir + "/" + name)
    }

    mutating func build() throws(SubmitError) -> BuiltJob {
        try setUniverse()
        let iwd = try setIWD()
        try setExecutable()
        try setCredential(iwd)
        let argv = try setArguments()
        let env = try setEnvironment()
        try setStdFile(key: "input", alt: "stdin", attr: "In", transferKey: "transfer_input", transferAttr: "TransferIn",
                       streamKey: "stream_input", streamAttr: "StreamIn")
        try setStdFile(key: "output", alt: "stdout", attr: "Out", transferKey: "transfer_output", transferAttr: "TransferOut",
                       streamKey: "stream_output", streamAttr: "StreamOut")
        try setStdFile(key: "error", alt: "stderr", attr: "Err", transferKey: "transfer_error", transferAttr: "TransferErr",
                       streamKey: "stream_error", streamAttr: "StreamErr")
        try setUserLog(iwd: iwd)
        let rank = try setRank()
        try setRequestResources()
        try setJobStatus()
        try setSimpleCommands()
        try setJobRetries()
        try setPeriodicExpressions()
        try setNotification()
        try setTransferFiles()
        try setKillSig()
        try setGridParams()
        try setConcurrencyLimits()
        try setForcedAttributes()
        let vm = try setVMParams(iwd: iwd)
        let userRequirements = try setRequirements()
        setAutoAttributes()
        let workspaceClass = try param("workspace_class").map { Self.stripQuotes($0) }
        return BuiltJob(ad: ad, argv: argv, environment: env, userRequirements: userRequirements,
                        userRank: rank, workspaceClassCommand: workspaceClass, vm: vm, warnings: warnings)
    }

    // MARK: universe, directory, executable

    mutating func setUniverse() throws(SubmitError) {
        let text = try param("universe", "JobUniverse")
        universe = 5
        if let text {
            let t = SubmitLexer.trim(text)
            if let n = Int(t.prefix(while: { $0.isNumber })), n != 0 {
                universe = n
            } else {
                switch t.lowercased() {
                case "vanilla": universe = 5
                case "scheduler": universe = 7
                case "grid", "globus": universe = 9
                case "java": universe = 10
                case "parallel": universe = 11
                case "local": universe = 12
                case "vm": universe = 13
                case "docker": universe = 5; ad.assign("WantDocker", true)
                case "container": universe = 5; ad.assign("WantContainer", true)
                case "standard": throw fail("'Standard' is not a supported universe.")
                default: throw fail("I don't know about the '\(t)' universe.")
                }
            }
            if ![5, 7, 9, 10, 11, 12, 13].contains(universe) {
                throw fail("I don't know about the '\(t)' universe.")
            }
        }
        ad.assign("JobUniverse", universe)
        if universe == 9 {
            guard let gr = try param("grid_resource", "GridResource") else {
                throw fail("grid_resource attribute not defined for grid universe job")
            }
            gridType = String(gr.prefix(while: { $0 != " " }))
            let valid = ["blah", "batch", "pbs", "sge", "lsf", "nqs", "naregi", "condor", "arc", "ec2", "gce", "azure"]
            guard valid.contains(gridType.lowercased()) else {
                throw fail("Invalid value '\(gridType)' for grid type\nMust be one of: condor, batch, arc, ec2, gce, or azure")
            }
            if gridType.lowercased() == "batch" { useDefaultResources = false }
        }
    }

    mutating func setIWD() throws(SubmitError) -> String {
        var short = try param("initialdir", "Iwd")
        if short == nil { short = try param("initial_dir", "job_iwd") }
        var iwd = cwd
        if let short { iwd = short.hasPrefix("/") ? short : cwd + "/" + short }
        iwd = Self.compress(iwd)
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: iwd, isDirectory: &isDir) || !isDir.boolValue {
            throw fail("No such directory: \(iwd)")
        }
        ad.assign("Iwd", iwd)
        ad.assign("SubmitFile", file)
        return iwd
    }

    mutating func setExecutable() throws(SubmitError) {
        guard let ename = try param("executable", "Cmd") else {
            throw fail("No 'executable' parameter was provided")
        }
        var transfer = true
        if let t = try param("transfer_executable", "TransferExecutable"), t.first == "F" || t.first == "f" {
            ad.assign("TransferExecutable", false)
            transfer = false
        }
        let lowerGrid = gridType.lowercased()
        let pseudo = universe == 13 || (universe == 9 && ["ec2", "gce", "azure"].contains(lowerGrid))
        if pseudo && transfer {
            ad.assign("TransferExecutable", false)
            transfer = false
        }
        ad.assign("Cmd", transfer ? Self.fullPath(ename, in: cwd) : ename)
        // Java jobs run the JVM; the class file travels as input (SubmitHash::SetTransferFiles).
        if universe == 10, (try param("should_transfer_files", "ShouldTransferFiles"))?.uppercased() != "NO",
           ename != "java" {
            ad.assign("Cmd", "java")
            ad.assign("TransferExecutable", false)
        }
    }

    /// `x509userproxy` (`SubmitHash::SetGSICredentials`): the proxy file, as a full path. HTCondor
    /// also reads the proxy's subject and expiry into the ad; this parser does not open it.
    mutating func setCredential(_ iwd: String) throws(SubmitError) {
        if let proxy = try param("x509userproxy"), !proxy.isEmpty {
            ad.assign("x509userproxy", Self.fullPath(proxy, in: iwd))
        }
    }

    mutating func setArguments() throws(SubmitError) -> [String] {
        let args1 = try param("arguments", "Args")
        let args2 = try param("arguments2")
        let allowV1 = try boolParam("allow_arguments_v1", default: false)
        if args1 != nil && args2 != nil && !allowV1 {
            throw fail("If you wish to specify both 'arguments' and\n'arguments2' for maximal compatibility with different\nversions of Condor, then you must also specify\nallow_arguments_v1=true.")
        }
        var parsed = ArgumentsSyntax.Parsed(argv: [], inputWasV1: false)
        do {
            if let args2 {
                parsed = ArgumentsSyntax.Parsed(argv: try ArgumentsSyntax.splitV2Raw(try ArgumentsSyntax.v2QuotedToRaw(args2)), inputWasV1: false)
            } else if let args1 {
                parsed = try ArgumentsSyntax.parse(args1)
            }
        } catch {
            var msg = error.message
            if msg.hasSuffix("\n") { msg.removeLast() }
            throw fail("\(msg)\nThe full arguments you specified were: \(args2 ?? args1 ?? "")")
        }
        if parsed.inputWasV1 {
            ad.assign("Args", ArgumentsSyntax.v1Raw(parsed.argv))
        } else {
            ad.assign("Arguments", ArgumentsSyntax.v2Raw(parsed.argv))
        }
        if universe == 10 && parsed.argv.isEmpty {
            throw fail("In Java universe, you must specify the class name to run.\nExample:\n\narguments = MyClass\n")
        }
        return parsed.argv
    }

    mutating func setEnvironment() throws(SubmitError) -> [String: String] {
        let env1 = try param("environment", "env")
        let env2 = try param("environment2")
        let allowV1 = try boolParam("allow_environment_v1", default: false)
        var preferV1 = false
        if env1 != nil && env2 == nil, let e = try param("env"), !EnvironmentSyntax.isV2Quoted(e) { preferV1 = true }
        if env1 != nil && env2 != nil && !allowV1 {
            throw fail("If you wish to specify both 'environment' and\n'environment2' for maximal compatibility with different\nversions of Condor, then you must also specify\nallow_environment_v1=true.")
        }
        var env: [String: String] = [:]
        do {
            if let env2 { env = try EnvironmentSyntax.parse(env2, requireV2: true) } else if let env1 { env = try EnvironmentSyntax.parse(env1) }
        } catch {
            var msg = error.message
            if msg.hasSuffix("\n") { msg.removeLast() }
            throw fail("\(msg)\nThe environment you specified was: '\(env2 ?? env1 ?? "")'")
        }
        if let list = try param("getenv", "get_env") {
            let lower = SubmitLexer.trim(list).lowercased()
            let imported: [String: String]
            if ["true", "t", "yes", "y", "1"].contains(lower) {
                imported = macros.environment
            } else if ["false", "f", "no", "n", "0"].contains(lower) {
                imported = [:]
            } else {
                imported = Self.filterEnvironment(macros.environment, list: list)
            }
            for (k, v) in imported where env[k] == nil && !v.contains("\n") {
                if preferV1 && v.contains(";") { continue }
                env[k] = v
            }
        }
        if preferV1 {
            ad.assign("Env", EnvironmentSyntax.v1Raw(env))
            ad.assign("EnvDelim", ";")
        } else {
            ad.assign("Environment", EnvironmentSyntax.v2Raw(env))
        }
        return env
    }

    /// `getenv = <matchlist>`: names with `*` wildcards, `!` to exclude, case-insensitive.
    static func filterEnvironment(_ env: [String: String], list: String) -> [String: String] {
        let patterns = list.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\t" }).map(String.init)
        var out: [String: String] = [:]
        for (k, v) in env {
            var keep = false
            for p in patterns {
                if p.hasPrefix("!") {
                    if Wildcard.matches(String(p.dropFirst()).lowercased(), k.lowercased()) { keep = false; break }
                } else if Wildcard.matches(p.lowercased(), k.lowercased()) {
                    keep = true
                }
            }
            if keep { out[k] = v }
        }
        return out
    }

    mutating func setStdFile(key: String, alt: String, attr: String, transferKey: String, transferAttr: String,
                             streamKey: String, streamAttr: String) throws(SubmitError) {
        var transfer = try boolParam(transferKey, transferAttr, default: true)
        let mustSet = !transfer
        var stream = try boolParam(streamKey, streamAttr, default: false)
        var fileName = try param(key, alt) ?? ""
        if fileName.isEmpty || fileName == "/dev/null" {
            fileName = "/dev/null"
            transfer = false
            stream = false
        } else if universe == 13 {
            throw fail("You cannot use input, ouput, and error parameters in the submit description file for vm universe")
        }
        ad.assign(attr, fileName)
        if transfer {
            ad.assign(streamAttr, stream)
            if mustSet { ad.assign(transferAttr, transfer) }
        } else {
            ad.assign(transferAttr, false)
        }
    }

    mutating func setUserLog(iwd: String) throws(SubmitError) {
        if let log = try param("log", "UserLog") {
            ad.assign("UserLog", Self.fullPath(log, in: iwd))
        }
        if let dag = try param("dagman_log", "DAGManNodesLog") {
            ad.assign("DAGManNodesLog", Self.fullPath(dag, in: iwd))
        }
        if try param("log_xml", "UserLogUseXML") != nil {
            ad.assign("UserLogUseXML", try boolParam("log_xml", "UserLogUseXML", default: false))
        }
    }

    mutating func setRank() throws(SubmitError) -> String? {
        if let r = try param("rank", "preferences") {
            try assignExpr("Rank", r)
            return r
        }
        ad.assign("Rank", .real(0))
        return nil
    }

    // MARK: resources and status

    mutating func setRequestResources() throws(SubmitError) {
        if let mem = try param("request_memory", "RequestMemory") ?? (useDefaultResources ? "ifthenelse(MemoryUsage =!= UNDEFINED, MemoryUsage, ( ImageSize + 1023 ) / 1024)" : nil) {
            if let mb = ResourceUnits.parse(mem, base: 1024 * 1024) {
                ad.assign("RequestMemory", .int(mb))
            } else if mem.lowercased() != "undefined" {
                try assignExpr("RequestMemory", mem)
            }
        }
        if let disk = try param("request_disk", "RequestDisk") ?? (useDefaultResources ? "DiskUsage" : nil) {
            if let kb = ResourceUnits.parse(disk, base: 1024) {
                ad.assign("RequestDisk", .int(kb))
            } else if disk.lowercased() != "undefined" {
                try assignExpr("RequestDisk", disk)
            }
        }
        if let cpus = try param("request_cpus", "RequestCpus") ?? (useDefaultResources ? "1" : nil), cpus.lowercased() != "undefined" {
            try assignExpr("RequestCpus", cpus)
        }
        if let gpus = try param("request_gpus", "RequestGPUs"), gpus.lowercased() != "undefined" {
            try assignExpr("RequestGPUs", gpus)
            if let req = try param("require_gpus", "RequireGPUs") { try assignExpr("RequireGPUs", req) }
        }
        // Custom resources: every other `request_<tag>` becomes `Request<tag>`.
        let special: Set<String> = ["request_cpus", "request_memory", "request_disk", "request_gpus", "request_cpu", "request_gpu",
                                    "request_gpu_memory", "request_gpus_memory"]
        for (name, _) in macros.fileDefinitions {
            let lower = name.lowercased()
            guard lower.hasPrefix("request_"), !special.contains(lower) else {
                if lower == "request_cpu" || lower == "request_gpu" {
                    warnings.append(SubmitWarning(file: file, line: nil, message: "\(name) is not a valid submit keyword, did you mean \(lower)s?"))
                }
                continue
            }
            let tag = String(name.dropFirst("request_".count))
            guard tag.count >= 2, !tag.hasPrefix("_"), let value = try param(name) else { continue }
            try assignExpr("Request" + tag, value)
        }
    }

    mutating func setJobStatus() throws(SubmitError) {
        if try boolParam("hold", default: false) {
            ad.assign("JobStatus", 5)
            ad.assign("HoldReasonCode", 15)
            ad.assign("HoldReason", "submitted on hold at user's request")
        } else {
            ad.assign("JobStatus", 1)
        }
    }

    mutating func setNotification() throws(SubmitError) {
        guard let how = try param("notification", "JobNotification") else { ad.assign("JobNotification", 0); return }
        let value: Int
        switch how.lowercased() {
        case "never": value = 0
        case "always": value = 1
        case "complete": value = 2
        case "error": value = 3
        case "start": value = 4
        default: throw fail("Notification must be 'Never', 'Always', 'Complete', 'Start', or 'Error'")
        }
        ad.assign("JobNotification", value)
    }

    mutating func setKillSig() throws(SubmitError) {
        if let sig = try Self.signalName(param("kill_sig", "KillSig"), fail: fail) {
            ad.assign("KillSig", sig)
        } else if universe != 5 {
            ad.assign("KillSig", "SIGTERM")
        }
        if let sig = try Self.signalName(param("remove_kill_sig", "RemoveKillSig"), fail: fail) { ad.assign("RemoveKillSig", sig) }
        if let sig = try Self.signalName(param("hold_kill_sig", "HoldKillSig"), fail: fail) { ad.assign("HoldKillSig", sig) }
        if let t = try param("kill_sig_timeout", "KillSigTimeout") { ad.assign("KillSigTimeout", Int(t.prefix(while: { $0.isNumber || $0 == "-" })) ?? 0) }
    }

    static let signals = ["SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGBUS": 7,
                          "SIGFPE": 8, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12, "SIGPIPE": 13,
                          "SIGALRM": 14, "SIGTERM": 15, "SIGSTKFLT": 16, "SIGCHLD": 17, "SIGCONT": 18, "SIGSTOP": 19,
                          "SIGTSTP": 20, "SIGTTIN": 21, "SIGTTOU": 22]

    static func signalName(_ text: String?, fail: (String) -> SubmitError) throws(SubmitError) -> String? {
        guard let text else { return nil }
        if let n = Int(text.prefix(while: { $0.isNumber })), n != 0 {
            guard let name = signals.first(where: { $0.value == n })?.key else { throw fail("invalid signal \(text)") }
            return name
        }
        let upper = text.uppercased()
        let name = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        guard signals[name] != nil else { throw fail("invalid signal \(text)") }
        return upper
    }

    mutating func setConcurrencyLimits() throws(SubmitError) {
        let limits = try param("concurrency_limits", "ConcurrencyLimits")
        let expr = try param("concurrency_limits_expr")
        if limits != nil && expr != nil { throw fail("concurrency_limits and concurrency_limits_expr may not both be specified") }
        if let expr { try assignExpr("ConcurrencyLimits", expr); return }
        guard let limits else { return }
        var items: [String] = []
        for raw in ClassAdFunctions.stringListItems(limits.lowercased()) {
            let name = raw.split(separator: ":", maxSplits: 1).first.map(String.init) ?? raw
            let dots = name.filter { $0 == "." }.count
            guard let f = name.first, !f.isNumber, dots <= 1,
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) else {
                throw fail("Invalid concurrency limit '\(raw)'")
            }
            items.append(raw)
        }
        items.sort()
        if !items.isEmpty { ad.assign("ConcurrencyLimits", items.joined(separator: ",")) }
    }

    mutating func setGridParams() throws(SubmitError) {
        guard universe == 9 else { return }
        if let gr = try param("grid_resource", "GridResource") { ad.assign("GridResource", gr) }
        for (key, attr) in [("batch_extra_submit_args", "BatchExtraSubmitArgs"), ("batch_project", "BatchProject"),
                            ("batch_queue", "BatchQueue"), ("arc_rte", "ArcRte"), ("arc_resources", "ArcResources")] {
            if let v = try param(key, attr) { ad.assign(attr, v) }
        }
        if let rt = try param("batch_runtime", "BatchRuntime") { try assignExpr("BatchRuntime", rt) }
    }

    /// `+Attr` / `MY.Attr`: verbatim expressions, `undefined` when empty.
    mutating func setForcedAttributes() throws(SubmitError) {
        for (name, raw) in macros.fileDefinitions {
            guard name.lowercased().hasPrefix("my."), name.count > 3 else { continue }
            let attr = String(name.dropFirst(3))
            var value = ""
            if !raw.isEmpty {
                do { value = try macros.expand(raw) } catch { throw fail(error.message) }
            }
            try assignExpr(attr, value.isEmpty ? "undefined" : value)
        }
        ad.assign("ClusterId", proc.cluster)
        ad.assign("ProcId", proc.proc)
    }

    /// Attributes every job ad carries from the start (`CreateJobAd` and
    /// `SubmitHash::SetAutoAttributes`), and the lease default for reconnectable universes.
    mutating func setAutoAttributes() {
        let now = Int64(Date().timeIntervalSince1970)
        let constants: [(String, ClassAdValue)] = [
            ("MyType", .string("Job")), ("TargetType", .string("Machine")), ("QDate", .int(now)),
            ("EnteredCurrentStatus", .int(now)), ("MaxHosts", .int(1)), ("MinHosts", .int(1)), ("CurrentHosts", .int(0)),
            ("NumCkpts", .int(0)), ("ExitStatus", .int(0)), ("NumRestarts", .int(0)), ("ExitBySignal", .bool(false)),
            ("NumJobStarts", .int(0)), ("NumJobCompletions", .int(0)), ("NumSystemHolds", .int(0)),
            ("RemoteSysCpu", .real(0)), ("RemoteUserCpu", .real(0)), ("RemoteWallClockTime", .real(0)),
            ("CumulativeRemoteSysCpu", .real(0)), ("CumulativeRemoteUserCpu", .real(0)), ("CommittedTime", .int(0)),
            ("CommittedSlotTime", .int(0)), ("CumulativeSlotTime", .int(0)), ("CommittedSuspensionTime", .int(0)),
            ("CumulativeSuspensionTime", .int(0)), ("TotalSuspensions", .int(0)), ("LastSuspensionTime", .int(0)),
            ("JobPrio", .int(0)), ("LeaveJobInQueue", .bool(false)),
        ]
        for (name, value) in constants where ad[name] == nil { ad.assign(name, value) }
        if [5, 10, 11, 13].contains(universe), ad["JobLeaseDuration"] == nil { ad.assign("JobLeaseDuration", 2400) }
        if ad["CheckpointExitCode"] != nil { ad.assign("WantFTOnCheckpoint", true) }
        // Leases under 20 seconds are raised to 20 (ReportCommonMistakes).
        if case .literal(.int(let l))? = ad["JobLeaseDuration"], l > 0, l < 20 {
            ad.assign("JobLeaseDuration", 20)
            warnings.append(SubmitWarning(file: file, line: nil, message: "JobLeaseDuration less than 20 seconds is not allowed, using 20 instead"))
        }
    }
}
