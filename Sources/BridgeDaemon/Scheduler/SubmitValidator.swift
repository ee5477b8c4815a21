import Foundation
import WorkspaceBridge

/// Why a submit was refused; the API turns it into one clear line and a stable code.
public enum SubmitError: Error, Sendable, CustomStringConvertible {
    case invalidSpec(String)
    case unknownClass(String, known: [String])
    case noFittingClass(String)
    case badDirectory(String)
    case badExecutable(String)
    /// The executable exists but is not a plain file the owner may execute.
    case executableNotExecutable(String)
    case badInput(String)
    case badOutput(String)
    case unknownUser(UInt32)
    case cannotRunAs(owner: UInt32, daemon: UInt32)
    case overQueueLimit(owner: UInt32, limit: Int)
    /// The store cannot be written (its disk is full or failing): nothing new is taken until it can.
    case storeUnavailable(String)

    public var description: String {
        switch self {
        case .invalidSpec(let why): "invalid job: \(why)"
        case .unknownClass(let name, let known): "no workspace class \"\(name)\" (configured: \(known.joined(separator: ", ")))"
        case .noFittingClass(let why): why
        case .badDirectory(let why), .badExecutable(let why), .executableNotExecutable(let why), .badInput(let why),
             .badOutput(let why): why
        case .unknownUser(let uid): "uid \(uid) has no entry in the password database"
        case .cannotRunAs(let owner, let daemon):
            "this daemon runs as uid \(daemon), not root, so it can only run jobs of uid \(daemon), not of uid \(owner)"
        case .storeUnavailable(let why):
            "the daemon cannot record new jobs now (\(why)); jobs already accepted are safe and run on: submit again later"
        case .overQueueLimit(let owner, let limit):
            "throttle.max_queued_per_owner: uid \(owner) already has \(limit) jobs waiting; submit again when some have run"
        }
    }

    /// The API error code (and, through it, the GRAM error code of the adapter).
    public var code: String {
        switch self {
        case .invalidSpec: "invalid-job"
        case .unknownClass, .noFittingClass: "unknown-class"
        case .badDirectory: "bad-directory"
        case .badExecutable: "bad-executable"
        case .executableNotExecutable: "executable-not-executable"
        case .badInput: "bad-stdin"
        case .badOutput: "bad-stdout"
        case .unknownUser, .cannotRunAs: "forbidden"
        case .overQueueLimit: "over-limit"
        case .storeUnavailable: "store-unavailable"
        }
    }
}

/// Resolves a spec against the owner's view of the file system: directory, executable, stdio.
/// The agent checks again when it starts the job (files may change in between).
struct SubmitValidator {
    let access: OwnerAccess

    /// Picks the class a job goes to.
    static func chooseClass(_ spec: JobSpec, config: BridgeConfig,
                            runsVMs: (WorkspaceClass) -> Bool = { _ in false }) throws(SubmitError) -> WorkspaceClass {
        if let vm = spec.vm { return try chooseVMClass(spec, vm, config: config, runsVMs: runsVMs) }
        switch spec.workspace {
        case .named(let name):
            guard let c = config.workspaceClass(named: name) else {
                throw .unknownClass(name, known: config.classes.map(\.name))
            }
            guard c.fits(spec.resources) else {
                throw .noFittingClass("class \(name) (\(c.memoryMB) MB, \(c.cpus) CPUs) is too small for the job's requests")
            }
            return c
        case .any, .requirements:
            // Requirements are matched by the front door that understands them (HTCondor's);
            // here the first class whose resources fit wins.
            guard let c = config.classes.first(where: { $0.fits(spec.resources) }) else {
                throw .noFittingClass("no workspace class is big enough for the job's requests")
            }
            return c
        }
    }

    /// Returns the spec with absolute paths, or the first problem found.
    func resolve(_ spec: JobSpec, checkFiles: Bool) throws(SubmitError) -> JobSpec {
        var s = spec
        let dir = spec.directory.map { $0.hasPrefix("/") ? $0 : access.identity.home + "/" + $0 } ?? access.identity.home
        s.directory = dir
        func absolute(_ p: String?) -> String? { p.map { $0.hasPrefix("/") ? $0 : dir + "/" + $0 } }
        s.stdin = absolute(spec.stdin)
        s.stdout = absolute(spec.stdout)
        s.stderr = absolute(spec.stderr)
        if spec.executable.contains("/") { s.executable = absolute(spec.executable)! }
        guard checkFiles else { return s }

        guard access.isDirectory(dir) else { throw .badDirectory("directory \(dir) does not exist or is not a directory") }
        guard access.can(.execute, dir) else { throw .badDirectory("directory \(dir) is not accessible to \(access.identity.name)") }
        if spec.executable.contains("/") {
            // Missing, then not a plain executable file: the order and the two cases of fork.pm.
            guard access.exists(s.executable) else { throw .badExecutable("executable \(s.executable) does not exist") }
            guard access.isRegularFile(s.executable) else {
                throw .executableNotExecutable("executable \(s.executable) is not a plain file")
            }
            guard access.can(.execute, s.executable) else {
                throw .executableNotExecutable("executable \(s.executable) is not executable by \(access.identity.name)")
            }
        } else {
            let path = spec.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            guard let found = path.split(separator: ":").map({ "\($0)/\(spec.executable)" })
                .first(where: { access.isRegularFile($0) && access.can(.execute, $0) }) else {
                throw .badExecutable("executable \(spec.executable) was not found on PATH (\(path))")
            }
            s.executable = found
        }
        // Readable by the owner, whatever kind of file (fork.pm's `-r`): a device or a directory
        // is opened as it is, as the stock job managers do.
        if let input = s.stdin, !access.can(.read, input) {
            throw .badInput("input \(input) does not exist or is not readable by \(access.identity.name)")
        }
        for output in [s.stdout, s.stderr].compactMap({ $0 }) {
            let parent = (output as NSString).deletingLastPathComponent
            if FileManager.default.fileExists(atPath: output) {
                guard access.can(.write, output) else { throw .badOutput("output \(output) is not writable by \(access.identity.name)") }
            } else {
                guard access.isDirectory(parent) else { throw .badOutput("output \(output): directory \(parent) does not exist") }
                guard access.can(.write, parent) else {
                    throw .badOutput("output \(output): directory \(parent) is not writable by \(access.identity.name)")
                }
            }
        }
        return s
    }
}
