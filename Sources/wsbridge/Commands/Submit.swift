import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a job; prints its id.",
        discussion: """
            Examples:
              wsbridge submit job.sub                     (an HTCondor submit file: every proc of every queue)
              wsbridge submit --rsl '&(executable=/bin/echo)(arguments=hello)(stdout=out.txt)'
              wsbridge submit -- /bin/echo hello
              wsbridge submit --class big --output out.txt --env MODE=fast -- ./analyse input.dat
            Relative paths are resolved against --directory (default: your home directory).
            """
    )

    @OptionGroup var daemon: DaemonSelection
    @OptionGroup var format: OutputFormat

    @Option(name: .customLong("class"), help: ArgumentHelp("Workspace class.", valueName: "name")) var className: String?
    @Option(help: ArgumentHelp("File for the job's standard output.", valueName: "file")) var output: String?
    @Option(help: ArgumentHelp("File for the job's standard error.", valueName: "file")) var error: String?
    @Option(help: ArgumentHelp("File for the job's standard input.", valueName: "file")) var input: String?
    @Option(help: ArgumentHelp("Working directory.", valueName: "dir")) var directory: String?
    @Option(name: .long, help: ArgumentHelp("Environment variable (repeatable).", valueName: "K=V")) var env: [String] = []
    @Option(help: ArgumentHelp("Retries after a failed run (default: the site's [retry] max_retries).", valueName: "n"))
    var maxRetries: Int?
    @Option(help: ArgumentHelp("Number of processes (one job each).", valueName: "n")) var count: Int = 1
    @Option(help: ArgumentHelp("Memory limit in MB.", valueName: "mb")) var memory: Int?
    @Option(help: ArgumentHelp("Wall-clock limit in seconds.", valueName: "s")) var wallTime: Int?
    @Option(help: ArgumentHelp("CPU-time limit in seconds.", valueName: "s")) var cpuTime: Int?
    @Option(help: "Priority among your own jobs (higher first).") var priority: Int = 0
    @Flag(help: "Submit on hold; `wsbridge release` lets it run.") var hold = false
    @Option(help: ArgumentHelp("Submit a job described in GRAM's RSL instead of a command.", valueName: "rsl")) var rsl: String?
    @Option(help: ArgumentHelp("Read the RSL from a file.", valueName: "file")) var rslFile: String?
    @Option(name: .customLong("define"), help: ArgumentHelp("An RSL variable for --rsl (repeatable).", valueName: "NAME=VALUE"))
    var defines: [String] = []

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The program and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    /// The command is captured for passthrough, and so would be `--help` itself: help comes
    /// before any daemon is asked. After a program name, `--help` is that program's argument.
    func validate() throws {
        if let first = command.first, first == "--help" || first == "-h" { throw CleanExit.helpRequest(self) }
    }

    func run() throws {
        if rsl != nil || rslFile != nil {
            var text = rsl ?? ""
            if let rslFile {
                guard let data = FileManager.default.contents(atPath: rslFile) else { throw ValidationError("cannot read \(rslFile)") }
                text = String(decoding: data, as: UTF8.self)
            }
            var vars: [String: String] = [:]
            for d in defines {
                guard let eq = d.firstIndex(of: "=") else { throw ValidationError("--define takes NAME=VALUE, not \"\(d)\"") }
                vars[String(d[..<eq])] = String(d[d.index(after: eq)...])
            }
            RSLSubmitCommand.run(rsl: text, defines: vars, daemon: daemon, json: format.json)
            return
        }
        var words = command
        let explicitCommand = words.first == "--"
        if explicitCommand { words.removeFirst() }
        // One argument that is a readable, non-executable file: an HTCondor submit file.
        if !explicitCommand, words.count == 1, FileManager.default.isReadableFile(atPath: words[0]),
           !FileManager.default.isExecutableFile(atPath: words[0]) {
            SubmitFileCommand.run(path: words[0], daemon: daemon, json: format.json)
            return
        }
        guard let executable = words.first else {
            throw ValidationError("name the program to run after --, for example: wsbridge submit -- /bin/echo hello")
        }
        var environment: [String: String] = [:]
        for pair in env {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ValidationError("--env takes NAME=VALUE, not \"\(pair)\"")
            }
            environment[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String?) -> String? { p.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 } }
        let spec = JobSpec(
            executable: executable.contains("/") && !executable.hasPrefix("/") ? cwd + "/" + executable : executable,
            arguments: Array(words.dropFirst()), environment: environment,
            directory: absolute(directory) ?? cwd, stdin: absolute(input), stdout: absolute(output), stderr: absolute(error),
            count: count, resources: ResourceRequest(memoryMB: memory, wallTimeSeconds: wallTime, cpuTimeSeconds: cpuTime),
            workspace: className.map { .named($0) } ?? .any, maxRetries: maxRetries, hold: hold, priority: priority)
        let reply: SubmitReply = call { () throws(ClientError) in try daemon.client.submit(SubmitRequest(specs: [spec])) }
        let ids = reply.jobs.flatMap { $0 }
        if format.json { printJSON(ids) } else { print(ids.map(String.init).joined(separator: "\n")) }
    }
}
