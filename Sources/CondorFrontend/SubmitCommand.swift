import Foundation
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// A command whose output a submit file reads: `include : CMD |`, `include command : CMD` and
/// `queue ... from CMD |`.
///
/// As HTCondor does (`Open_macro_source` in `src/condor_utils/config.cpp`, `my_popen`):
/// a source containing `|` is a command, and the `|` must be its last character ("not a valid
/// command, | must be at the end"); the command line is split into arguments without a shell
/// (`ArgList::AppendArgsV1RawOrV2Quoted`: on whitespace, or V2 quoting when it starts with `"`)
/// and the program is found on `PATH` (`execvp`). It runs in the submit directory with the
/// submitter's environment, as the process that reads the submit file: the submitting user,
/// never the daemon.
///
/// Unlike `my_popen`, it gets `/dev/null` as standard input, its standard error is captured
/// for the error message, and it must finish within `timeout` (60 s by default): after that
/// it and everything it started (its own session) are killed and the submit fails. A command
/// that exits non-zero fails the submit with its standard error; condor_submit does the same
/// for `queue from`, but ignores the exit status of an included command — that would use the
/// output of a failed command, so the bridge refuses it.
struct SubmitCommand: Equatable {
    /// How long a command may run, in seconds.
    static let defaultTimeout: Double = 60
    /// More output than this is refused (a submit file, or a list of items, is not that big).
    static let outputLimit = 64 << 20

    /// The command as written, without the trailing `|`.
    var text: String
    var argv: [String]

    /// `source` as a command when it is one: it contains `|` (which must end it), or `forced`
    /// (`include command : ...`). `nil` for a plain file name.
    static func parse(_ source: String, forced: Bool = false) throws(FailureReason) -> SubmitCommand? {
        var text = SubmitLexer.trim(source)
        if text.contains("|") {
            guard text.hasSuffix("|") else { throw .invalid("not a valid command, | must be at the end") }
            while let last = text.last, last == "|" || last == " " { text.removeLast() }
        } else if !forced {
            return nil
        }
        let argv: [String]
        do {
            argv = ArgumentsSyntax.isV2Quoted(text)
                ? try ArgumentsSyntax.splitV2Raw(ArgumentsSyntax.v2QuotedToRaw(text))
                : text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map(String.init)
        } catch {
            throw .invalid("Can't append args, \(error)")
        }
        guard !argv.isEmpty else { throw .invalid("not a valid command: the command is empty") }
        return SubmitCommand(text: text, argv: argv)
    }

    enum FailureReason: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        case cannotStart(String)
        case failed(status: String, stderr: String)
        case timedOut(seconds: Double, stderr: String)
        case tooMuchOutput(Int)

        var description: String {
            switch self {
            case .invalid(let m): return m
            case .cannotStart(let m): return "not a valid command: \(m)"
            case .failed(let status, let stderr): return "command \(status)" + Self.stderrText(stderr)
            case .timedOut(let s, let stderr):
                return "command did not finish within \(Int(s)) s and was killed" + Self.stderrText(stderr)
            case .tooMuchOutput(let n): return "command printed more than \(n) bytes"
            }
        }

        static func stderrText(_ s: String) -> String {
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? " (it wrote nothing to standard error)" : "; its standard error: \(t)"
        }
    }

    /// Runs the command and returns what it wrote to standard output.
    func run(cwd: String, environment: [String: String], timeout: Double = defaultTimeout) throws(FailureReason) -> Data {
        guard let program = Self.resolve(argv[0], path: environment["PATH"]) else {
            throw .cannotStart("\(argv[0]): No such file or directory (not found on PATH)")
        }
        var template = Array((NSTemporaryDirectory() + "/wsbridge-submit-cmd.XXXXXX").utf8CString)
        guard let dirp = mkdtemp(&template) else { throw .cannotStart("cannot create a temporary directory: \(String(cString: strerror(errno)))") }
        let dir = String(cString: dirp)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outPath = dir + "/stdout", errPath = dir + "/stderr"

        var request = SpawnRequest(path: program, argv: argv, environment: environment.map { "\($0.key)=\($0.value)" }.sorted(),
                                   directory: cwd)
        request.stdout = outPath
        request.stderr = errPath
        request.newSession = true
        let pid: pid_t
        do { pid = try ProcessSpawner.spawn(request) } catch { throw .cannotStart(error.message) }

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var pause: useconds_t = 1_000
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || (r < 0 && errno != EINTR) { break }
            if Self.size(outPath) > Self.outputLimit {
                Self.kill(pid)
                throw .tooMuchOutput(Self.outputLimit)
            }
            if Date() >= deadline {
                Self.kill(pid)
                throw .timedOut(seconds: timeout, stderr: Self.tail(errPath))
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        // Whatever it left running in its session goes with it, as when the pipe closes.
        _ = Glibc.kill(-pid, SIGKILL)
        let stderr = Self.tail(errPath)
        let (exited, signal) = ProcessSpawner.decode(status: status)
        if let signal { throw .failed(status: "was killed by signal \(signal)", stderr: stderr) }
        if let exited, exited != 0 { throw .failed(status: "terminated with exit code \(exited)", stderr: stderr) }
        guard Self.size(outPath) <= Self.outputLimit else { throw .tooMuchOutput(Self.outputLimit) }
        return FileManager.default.contents(atPath: outPath) ?? Data()
    }

    /// `execvp`'s search: a name with a `/` is used as it is, otherwise each `PATH` entry.
    static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") { return name }
        for dir in (path ?? "/bin:/usr/bin").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func kill(_ pid: pid_t) {
        _ = Glibc.kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    private static func size(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// The last few KiB of standard error, enough to say what went wrong.
    private static func tail(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data.suffix(4096), as: UTF8.self)
    }
}
