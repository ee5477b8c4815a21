import AgentProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A command line the agent cannot run with: said in words, with the usage after it.
public struct AgentUsageError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How the agent is started, shared by `wsbridge agent` and the standalone `wsbridge-agent`
/// (a guest's binary, which carries neither the argument parser nor Foundation).
public enum AgentMain {
    public static let synopsis = """
        usage: wsbridge-agent (--socket PATH | --device PATH) --state DIR [--journal FILE]
                              [--workspace ID] [--cgroup DIR --cgroup-version v1|v2 [--pids-cgroup DIR]
                              [--cpuacct-cgroup DIR]]
                              [--private-mounts]
        """

    public static let usage = synopsis + """


        Runs the agent inside a workspace (started by the daemon's providers or by a guest's init,
        not by hand).

          --socket PATH          listen on this Unix socket
          --device PATH          talk over this character device (a guest's virtio-serial or Xen channel)
          --state DIR            directory for the agent's run records
          --journal FILE         append start/end lines to this file
          --workspace ID         the workspace id, for the journal (default: workspace)
          --cgroup DIR           the workspace's cgroup directory for per-run cgroups
          --cgroup-version V     v1 or v2
          --pids-cgroup DIR      v1: the workspace's pids-controller cgroup, for per-run process limits
          --cpuacct-cgroup DIR   v1: the workspace's cpuacct-controller cgroup, for each run's CPU time
          --private-mounts       give each run the host's file system read-only, a private /tmp, and
                                 its directory, home and writable binds writable (a local sandbox)
          --scratch DIR          with --private-mounts: a size-limited disk mounted at DIR, root only,
                                 on which each run gets its /tmp, /dev/shm and /var/tmp
          --disk-mb N            the scratch disk's size, for the reason given to a run that fills it
          -h, --help             show this help
        """

    /// Parses the arguments (without the program name); nil when help was asked for.
    /// Options take their value as the next argument or after `=`; a repeated option's last value counts.
    public static func parse(_ arguments: [String]) throws(AgentUsageError) -> AgentOptions? {
        var values: [String: String] = [:]
        let known = ["socket", "device", "state", "journal", "workspace", "cgroup", "cgroup-version", "pids-cgroup", "cpuacct-cgroup",
                     "scratch", "disk-mb"]
        let flags = ["private-mounts"]
        var set = Set<String>()
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if arg == "-h" || arg == "--help" { return nil }
            guard arg.hasPrefix("--"), arg.count > 2 else {
                throw AgentUsageError("unexpected argument '\(arg)'")
            }
            var name = String(arg.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if flags.contains(name) {
                guard value == nil else { throw AgentUsageError("'--\(name)' takes no value") }
                set.insert(name)
                continue
            }
            guard known.contains(name) else { throw AgentUsageError("unknown option '--\(name)'") }
            if value == nil {
                guard i < arguments.count, !(arguments[i].hasPrefix("-") && arguments[i].count > 1) else {
                    throw AgentUsageError("missing value for '--\(name)'")
                }
                value = arguments[i]
                i += 1
            }
            values[name] = value
        }
        guard let state = values["state"] else { throw AgentUsageError("missing '--state DIR'") }
        var diskMB: Int?
        if let text = values["disk-mb"] {
            guard let mb = Int(text) else { throw AgentUsageError("'--disk-mb' takes a number of megabytes, not '\(text)'") }
            diskMB = mb
        }
        let options = AgentOptions(socketPath: values["socket"], devicePath: values["device"], stateDirectory: state,
                                   journalPath: values["journal"], cgroup: values["cgroup"],
                                   cgroupVersion: values["cgroup-version"], pidsCgroup: values["pids-cgroup"],
                                   cpuacctCgroup: values["cpuacct-cgroup"],
                                   privateMounts: set.contains("private-mounts"), scratchDirectory: values["scratch"],
                                   diskMB: diskMB, workspaceID: values["workspace"] ?? "workspace")
        try validate(options)
        return options
    }

    /// What every way of starting the agent must give it.
    public static func validate(_ options: AgentOptions) throws(AgentUsageError) {
        switch (options.socketPath, options.devicePath) {
        case (nil, nil): throw AgentUsageError("the agent needs '--socket PATH' or '--device PATH'")
        case (.some, .some): throw AgentUsageError("give '--socket' or '--device', not both")
        default: break
        }
        if (options.scratchDirectory == nil) != (options.diskMB == nil) {
            throw AgentUsageError("'--scratch' and '--disk-mb' go together")
        }
        if let mb = options.diskMB, !(1...(1 << 30)).contains(mb) {
            throw AgentUsageError("'--disk-mb' takes megabytes from 1 to \(1 << 30), not \(mb)")
        }
        if let dir = options.scratchDirectory, !dir.hasPrefix("/") { throw AgentUsageError("'--scratch' takes an absolute path") }
    }

    /// Starts the agent and serves until it is told to shut down.
    public static func run(_ options: AgentOptions) throws -> Never {
        try validate(options)
        try Agent(options: options).run()
    }

    /// The whole program: parses `arguments` (without the program name), runs, and exits with 64
    /// for a bad command line (as the argument parser does), 1 when the agent cannot start.
    public static func main(arguments: [String], program: String = "wsbridge-agent") -> Never {
        let options: AgentOptions
        do {
            guard let parsed = try parse(arguments) else {
                print(usage)
                exit(0)
            }
            options = parsed
        } catch {
            writeError("\(program): \(error)\n\(synopsis)\n")
            exit(64)
        }
        do {
            try run(options)
        } catch {
            writeError("\(program): \(error)\n")
            exit(1)
        }
    }
}

/// Writes to standard error, all of it.
private func writeError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        bytes = bytes.dropFirst(n)
    }
}
