import CSpawn
import Glibc

/// One process to start, with everything that must be set between fork and exec.
public struct SpawnRequest: Sendable {
    public struct Identity: Sendable {
        public var uid: UInt32
        public var gid: UInt32
        public var groups: [UInt32]
        public init(uid: UInt32, gid: UInt32, groups: [UInt32]) {
            self.uid = uid
            self.gid = gid
            self.groups = groups
        }
    }

    public struct Limit: Sendable {
        public var resource: Int32
        public var soft: UInt64
        public var hard: UInt64
        public init(resource: Int32, soft: UInt64, hard: UInt64) {
            self.resource = resource
            self.soft = soft
            self.hard = hard
        }
    }

    public var path: String
    /// argv, including argv[0].
    public var argv: [String]
    /// `NAME=value` strings.
    public var environment: [String]
    public var directory: String?
    public var stdin: String?
    public var stdout: String?
    public var stderr: String?
    public var appendOutput = false
    public var identity: Identity?
    /// `cgroup.procs` files the child writes its pid into before exec.
    public var cgroupProcs: [String] = []
    public var limits: [Limit] = []
    /// Own session and process group, so the whole job can be signalled and it outlives us.
    public var newSession = true
    /// A mount namespace of its own (root only): the host's file system read-only, a private
    /// `/tmp` and `/dev/shm`, and `writablePaths` writable. The directory and the stdio files
    /// are opened before, as the user, on the host's view.
    public var privateMounts = false
    /// Absolute directories that stay writable under `privateMounts` (those that do not exist,
    /// or that the user cannot reach, stay read-only). At most 64 are taken.
    public var writablePaths: [String] = []
    /// Under `privateMounts`: a root-made directory on a size-limited disk whose `tmp`, `shm`
    /// and `var-tmp` become the run's `/tmp`, `/dev/shm` and `/var/tmp` (instead of a tmpfs each
    /// for the first two), so the run's writes outside its own paths count against that disk.
    public var scratchDirectory: String?

    /// The run's private directories under `scratchDirectory`, in the order the spawn binds them.
    public static let scratchSubdirectories = ["tmp", "shm", "var-tmp"]

    public init(path: String, argv: [String], environment: [String], directory: String? = nil) {
        self.path = path
        self.argv = argv
        self.environment = environment
        self.directory = directory
    }
}

/// Why a process could not start, in words: "cannot open output /x: Permission denied".
public struct SpawnFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// The errno of the step that failed, when one did.
    public let errorNumber: Int32?
    public init(message: String, errorNumber: Int32? = nil) {
        self.message = message
        self.errorNumber = errorNumber
    }
    public var description: String { message }

    /// The start failed for want of a resource that comes back when other processes end (the
    /// fork, clone or exec met a process limit or a memory shortage), not because of what was
    /// asked for: the same request may well succeed later.
    public var isTransient: Bool { errorNumber == EAGAIN || errorNumber == ENOMEM }
}

public enum ProcessSpawner {
    /// Starts the process; returns only after exec succeeded (or throws what failed).
    public static func spawn(_ r: SpawnRequest) throws(SpawnFailure) -> pid_t {
        var pid: pid_t = 0
        var errorNumber: Int32 = 0
        var message = [CChar](repeating: 0, count: 1024)
        let cLimits = r.limits.map { ws_rlimit(resource: $0.resource, soft: $0.soft, hard: $0.hard) }
        let groups = (r.identity?.groups ?? []).map { gid_t($0) }
        let rc = withCStringArray(r.argv) { argvp in
            withCStringArray(r.environment) { envpp in
                withCStringArray(r.cgroupProcs) { cgp in
                  withCStringArray(Array(r.writablePaths.prefix(64))) { writable in
                   withCStringArray(r.scratchDirectory.map { d in SpawnRequest.scratchSubdirectories.map { d + "/" + $0 } } ?? []) { scratch in
                    groups.withUnsafeBufferPointer { groupsp in
                        cLimits.withUnsafeBufferPointer { limits in
                            withOptionalCString(r.stdin) { stdinPath in
                                withOptionalCString(r.stdout) { stdoutPath in
                                    withOptionalCString(r.stderr) { stderrPath in
                                        withOptionalCString(r.directory) { dir in
                                            r.path.withCString { path in
                                                var o = ws_spawn_options()
                                                o.path = path
                                                o.argv = UnsafePointer(argvp)
                                                o.envp = UnsafePointer(envpp)
                                                o.directory = dir
                                                o.stdin_path = stdinPath
                                                o.stdout_path = stdoutPath
                                                o.stderr_path = stderrPath
                                                o.stdout_append = r.appendOutput ? 1 : 0
                                                if let id = r.identity {
                                                    o.set_identity = 1
                                                    o.uid = uid_t(id.uid)
                                                    o.gid = gid_t(id.gid)
                                                    o.groups = groupsp.baseAddress
                                                    o.ngroups = groupsp.count
                                                }
                                                o.cgroup_procs = r.cgroupProcs.isEmpty ? nil : UnsafePointer(cgp)
                                                o.limits = limits.baseAddress
                                                o.nlimits = limits.count
                                                o.new_session = r.newSession ? 1 : 0
                                                o.keep_fd = -1
                                                o.private_mounts = r.privateMounts ? 1 : 0
                                                o.writable_paths = r.privateMounts ? UnsafePointer(writable) : nil
                                                o.private_dir_sources = r.privateMounts && r.scratchDirectory != nil ? UnsafePointer(scratch) : nil
                                                return ws_spawn(&o, &pid, &errorNumber, &message, message.count)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                   }
                  }
                }
            }
        }
        if rc != 0 {
            throw SpawnFailure(message: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                               errorNumber: errorNumber == 0 ? nil : errorNumber)
        }
        return pid
    }

    /// Whether `SpawnRequest.privateMounts` works here (root, and Linux 5.12 or later); why not.
    public static var privateMountsUnavailableReason: String? {
        if geteuid() != 0 { return "only root can give runs a mount namespace" }
        return ws_private_mounts_supported() != 0 ? nil : "the kernel has no mount_setattr (Linux 5.12 or later)"
    }

    /// Decodes a `waitpid` status.
    public static func decode(status: Int32) -> (exited: Int32?, signal: Int32?) {
        if ws_wifsignaled(status) != 0 { return (nil, ws_wtermsig(status)) }
        return (ws_wexitstatus(status), nil)
    }
}

/// Calls `body` with a NULL-terminated C array of the strings, valid only during the call.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    let cstrings = strings.map { strdup($0) } + [nil]
    defer { cstrings.forEach { free($0) } }
    var array = cstrings
    return array.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}

func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}
