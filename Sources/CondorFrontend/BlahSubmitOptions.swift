import WorkspaceBridge

/// The command line of `<lrms>_submit.sh`, read as `bls_parse_submit_options`
/// (`src/blahp/src/scripts/blah_common_submit_functions.sh`) reads it, and the job it asks for.
///
/// blahpd assembles the line in `cmd_submit_job` (`src/blahp/src/server.c`); every option takes a
/// value except `-d`. Parsing follows bash `getopts` with the option string
/// `a:i:o:e:c:s:v:V:dw:q:n:N:z:h:g:G:M:P:S:r:p:l:x:u:j:T:I:O:R:C:D:m:A:t:`: flags may be grouped
/// (`-dc cmd`), a value may be glued (`-c/bin/sh`) or be the next word even if it starts with a
/// dash, options end at `--` (consumed) or at the first word that is not an option, and a later
/// option overrides an earlier one. What remains is the job's arguments as shell text.
public struct BlahSubmitOptions: Sendable, Equatable {
    /// `-c`: the executable (mandatory).
    public var command: String?
    /// `-i`, `-o`, `-e`: standard input, output and error; relative to `-w`.
    public var stdin: String?
    public var stdout: String?
    public var stderr: String?
    /// `-v`: environment in HTCondor's V1 form (`Env`), `;`-separated.
    public var environmentV1: String?
    /// `-V`: environment as shell words (`environment`, converted by blahpd's `ConvertArgs`).
    public var environmentV2: String?
    /// `-s yes|no`: stage the executable (default yes).
    public var stageCommand = "yes"
    /// `-d`: debug.
    public var debug = false
    /// `-w`: the working directory (default: the current directory).
    public var workdir: String?
    /// `-q`: the queue; names a workspace class when one has that name.
    public var queue: String?
    /// `-n`: `NodeNumber`, the processes the job needs.
    public var nodeNumber: String?
    /// `-N`: `HostSMPSize`.
    public var hostSMPSize: String?
    /// `-z yes|no`: `WholeNodes`.
    public var wholeNodes: String?
    /// `-h`: `HostNumber`.
    public var hostNumber: String?
    /// `-g`, `-G`, `-M`, `-P`: GPUs, GPU mode, GPU model, MICs.
    public var gpuNumber: String?
    public var gpuMode: String?
    public var gpuModel: String?
    public var micNumber: String?
    /// `-S`: `SMPGranularity`, processes per host.
    public var smpGranularity: String?
    /// `-r`, `-p`, `-l`: proxy renewal on the worker node, its poll interval and minimum lifetime.
    public var proxyRenewal: String?
    public var proxyPoll: String?
    public var proxyLifetime: String?
    /// `-x`, `-u`: the X.509 proxy file and its subject.
    public var proxy: String?
    public var proxySubject: String?
    /// `-j`: the client's job id.
    public var clientJobID: String?
    /// `-T`: blahpd's temporary directory.
    public var tempDir: String?
    /// `-I`, `-O`, `-R`: files listing the input files, the output files and their remaps.
    public var inputFileList: String?
    public var outputFileList: String?
    public var outputRemapList: String?
    /// `-C`: the CE requirements file.
    public var requirementsFile: String?
    /// `-D`: `JobDirectory`.
    public var jobDirectory: String?
    /// `-m`: `RequestMemory`, MiB.
    public var memory: String?
    /// `-A`: `BatchProject`.
    public var project: String?
    /// `-t`: `BatchRuntime`, wall-clock seconds.
    public var runtime: String?
    /// `-a`: `BatchExtraSubmitArgs`, raw directives for the LRM.
    public var extraArgs: String?
    /// Everything after the options, joined by single spaces as `$*` does.
    public var argumentText = ""

    public init() {}

    /// `getopts`'s option string: a letter followed by `:` takes a value.
    public static let optionString = "a:i:o:e:c:s:v:V:dw:q:n:N:z:h:g:G:M:P:S:r:p:l:x:u:j:T:I:O:R:C:D:m:A:t:"

    /// `bls_parse_submit_options`'s usage line, which upstream scripts print on stdout before
    /// exiting 1 (`script` is the script's `$0`).
    public static func usage(script: String) -> String {
        "Usage: \(script) -c <command> [-i <stdin>] [-o <stdout>] [-e <stderr>] [-x <x509userproxy>] [-v <environment>] [-s <yes | no>] [-- command_arguments]"
    }

    /// Why a command line is refused; the message is what bash's `getopts` says on stderr.
    public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func parse(_ args: [String]) throws(UsageError) -> BlahSubmitOptions {
        var o = BlahSubmitOptions()
        let takesValue = Self.valueFlags
        var i = 0
        scan: while i < args.count {
            let word = args[i]
            if word == "--" { i += 1; break }
            guard word.hasPrefix("-"), word.count > 1 else { break }
            var letters = Substring(word.dropFirst())
            i += 1
            while let flag = letters.first {
                letters = letters.dropFirst()
                guard let needsValue = takesValue[flag] else {
                    throw UsageError(message: "illegal option -- \(flag)")
                }
                if !needsValue {
                    o.set(flag, "yes")
                    continue
                }
                if !letters.isEmpty {
                    o.set(flag, String(letters))
                } else if i < args.count {
                    o.set(flag, args[i])
                    i += 1
                } else {
                    throw UsageError(message: "option requires an argument -- \(flag)")
                }
                continue scan
            }
        }
        // "Command is mandatory" (bls_parse_submit_options).
        guard let c = o.command, !c.isEmpty else { throw UsageError(message: "the -c <command> option is mandatory") }
        o.argumentText = args[i...].joined(separator: " ")
        return o
    }

    /// Letter → whether it takes a value, from `optionString`.
    static let valueFlags: [Character: Bool] = {
        var table: [Character: Bool] = [:]
        let chars = Array(optionString)
        var k = 0
        while k < chars.count {
            let takes = k + 1 < chars.count && chars[k + 1] == ":"
            table[chars[k]] = takes
            k += takes ? 2 : 1
        }
        return table
    }()

    mutating func set(_ flag: Character, _ value: String) {
        switch flag {
        case "a": extraArgs = value
        case "i": stdin = value
        case "o": stdout = value
        case "e": stderr = value
        case "v": environmentV1 = value
        case "V": environmentV2 = value
        case "c": command = value
        case "s": stageCommand = value
        case "d": debug = true
        case "w": workdir = value
        case "q": queue = value
        case "n": nodeNumber = value
        case "N": hostSMPSize = value
        case "z": wholeNodes = value
        case "h": hostNumber = value
        case "g": gpuNumber = value
        case "G": gpuMode = value
        case "M": gpuModel = value
        case "P": micNumber = value
        case "S": smpGranularity = value
        case "r": proxyRenewal = value
        case "p": proxyPoll = value
        case "l": proxyLifetime = value
        case "x": proxy = value
        case "u": proxySubject = value
        case "j": clientJobID = value
        case "T": tempDir = value
        case "I": inputFileList = value
        case "O": outputFileList = value
        case "R": outputRemapList = value
        case "C": requirementsFile = value
        case "D": jobDirectory = value
        case "m": memory = value
        case "A": project = value
        case "t": runtime = value
        default: break
        }
    }
}

/// A submit command line that parses but asks for something that cannot be run.
public struct BlahSubmitError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension BlahSubmitOptions {
    /// The job's arguments: `$*` as the batch script's shell splits it (see `BlahShellWords`).
    public func arguments() throws(BlahSubmitError) -> [String] {
        do { return try BlahShellWords.split(argumentText) } catch {
            throw BlahSubmitError("cannot read the job arguments: \(error.message)")
        }
    }

    /// The job's environment as `bls_start_job_wrapper` exports it: `-V` wins over `-v`.
    public func environment() throws(BlahSubmitError) -> [String: String] {
        var env: [String: String] = [:]
        if let v2 = environmentV2, !v2.isEmpty {
            // eval "env_array=($bls_opt_environment)"; export "$env_var" for each word.
            let words: [String]
            do { words = try BlahShellWords.split(v2) } catch {
                throw BlahSubmitError("cannot read the -V environment: \(error.message)")
            }
            for w in words {
                guard let eq = w.firstIndex(of: "="), eq != w.startIndex else { continue }
                env[String(w[..<eq])] = String(w[w.index(after: eq)...])
            }
        } else if let v1 = environmentV1, !v1.isEmpty {
            // The sed pipeline: split on ';', drop entries without '=', NAME=value up to the next ';'.
            for entry in v1.split(separator: ";", omittingEmptySubsequences: true) {
                guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex else { continue }
                env[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
            }
        }
        return env
    }

    /// The job this command line asks for.
    /// - Parameters:
    ///   - cwd: the script's current directory, the default working directory (`bls_opt_workdir=$PWD`).
    ///   - classNames: the workspace classes the site defines; `-q` chooses one when it names it.
    ///   - readFile: reads the `-I`/`-O`/`-R` list files (they are blahpd's temporary files).
    public func jobSpec(cwd: String, classNames: Set<String>,
                        readFile: (String) -> String?) throws(BlahSubmitError) -> JobSpec {
        let command = command ?? ""
        func absolute(_ path: String, base: String) -> String {
            path.hasPrefix("/") ? path : (base.hasSuffix("/") ? base + path : base + "/" + path)
        }
        let workdir = absolute(self.workdir ?? cwd, base: cwd)
        // Relative stdio paths are taken from the working directory, as upstream does.
        func stdio(_ path: String?) -> String? {
            guard let p = path, !p.isEmpty, p != "/dev/null" else { return nil }
            return absolute(p, base: workdir)
        }
        func positive(_ value: String?, _ flag: String, _ what: String) throws(BlahSubmitError) -> Int? {
            guard let v = value, !v.isEmpty else { return nil }
            guard let n = Int(v), n >= 0 else { throw BlahSubmitError("-\(flag) takes \(what), not \"\(v)\"") }
            return n > 0 ? n : nil
        }
        let memory = try positive(self.memory, "m", "a memory size in MiB")
        let runtime = try positive(self.runtime, "t", "a wall-clock limit in seconds")
        let nodes = try positive(nodeNumber, "n", "a number of processes")
        let granularity = try positive(smpGranularity, "S", "a number of processes per host")
        let hosts = try positive(hostNumber, "h", "a number of hosts")
        _ = try positive(hostSMPSize, "N", "a number of processes per host")
        _ = try positive(gpuNumber, "g", "a number of GPUs")
        _ = try positive(micNumber, "P", "a number of MICs")
        if let h = hosts, h > 1 {
            throw BlahSubmitError("-h \(h): a job runs inside one workspace and cannot span \(h) hosts")
        }
        var environment = try environment()
        // One BLAH job is one batch job (one id): -n sizes it, it does not make copies. The
        // batch script exports NODE_COUNT for MPI launchers; so do we.
        let cpus = [nodes, granularity].compactMap { $0 }.max()
        if let n = nodes, environment["NODE_COUNT"] == nil { environment["NODE_COUNT"] = String(n) }
        if let p = proxy, !p.isEmpty, environment["X509_USER_PROXY"] == nil {
            environment["X509_USER_PROXY"] = absolute(p, base: workdir)
        }
        let argv = try arguments()

        var ad: [String: String] = ["GridResource": ClassAdUnparser.quote("batch workspace")]
        func string(_ name: String, _ value: String?) {
            if let v = value, !v.isEmpty { ad[name] = ClassAdUnparser.quote(v) }
        }
        func integer(_ name: String, _ value: String?) {
            if let v = value, let n = Int(v) { ad[name] = String(n) }
        }
        func boolean(_ name: String, _ value: String?) {
            if let v = value?.lowercased(), v == "yes" || v == "no" { ad[name] = v == "yes" ? "true" : "false" }
        }
        string("Cmd", command)
        ad["Arguments"] = ClassAdUnparser.quote(ArgumentsSyntax.v2Raw(argv))
        ad["Environment"] = ClassAdUnparser.quote(EnvironmentSyntax.v2Raw(environment))
        ad["Iwd"] = ClassAdUnparser.quote(workdir)
        string("In", stdio(stdin)); string("Out", stdio(stdout)); string("Err", stdio(stderr))
        string("BatchQueue", queue)
        integer("RequestMemory", self.memory); integer("BatchRuntime", self.runtime)
        integer("NodeNumber", nodeNumber); integer("SMPGranularity", smpGranularity)
        integer("HostNumber", hostNumber); integer("HostSMPSize", hostSMPSize)
        boolean("WholeNodes", wholeNodes); boolean("StageCmd", stageCommand)
        integer("GPUNumber", gpuNumber); string("GPUMode", gpuMode); string("GPUModel", gpuModel)
        integer("MICNumber", micNumber)
        string("BatchProject", project); string("ClientJobId", clientJobID)
        string("JobDirectory", jobDirectory); string("BatchExtraSubmitArgs", extraArgs)
        string("x509userproxy", proxy); string("x509UserProxySubject", proxySubject)
        // The file lists name files on this host (`-I`: absolute paths, `-O`: names in the working
        // directory). A local workspace runs in the working directory, where HTCondor-CE spools
        // them; a guest gets them copied in and out (`FileTransfer`).
        func list(_ name: String, _ path: String?, _ flag: String) throws(BlahSubmitError) -> [String] {
            guard let p = path, !p.isEmpty else { return [] }
            guard let text = readFile(p) else { throw BlahSubmitError("-\(flag): cannot read the file list \(p)") }
            let entries = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
            if !entries.isEmpty { ad[name] = ClassAdUnparser.quote(entries.joined(separator: ",")) }
            return entries
        }
        let inputs = try list("TransferInput", inputFileList, "I")
        let outputs = try list("TransferOutput", outputFileList, "O")
        _ = try list("TransferOutputRemaps", outputRemapList, "R")
        let transfer = FileTransfer(inputs: inputs.map { absolute($0, base: workdir) }, outputs: outputs,
                                    executable: stageCommand.lowercased() == "yes" && command.hasPrefix("/"),
                                    credential: proxy.flatMap { $0.isEmpty ? nil : absolute($0, base: workdir) })

        let workspace: WorkspaceSelector = queue.flatMap { classNames.contains($0) ? .named($0) : nil } ?? .any
        return JobSpec(
            executable: command, arguments: argv, environment: environment, directory: workdir,
            stdin: stdio(stdin), stdout: stdio(stdout), stderr: stdio(stderr), count: 1,
            resources: ResourceRequest(cpus: cpus, memoryMB: memory, wallTimeSeconds: runtime),
            workspace: workspace, origin: .condor(CondorOrigin(ad: ad)), transfer: transfer)
    }
}
