#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import WorkspaceBridge

/// How a run is staged where the daemon's host paths do not exist (inside a guest).
///
/// The agent runs the job in a scratch directory of its own, `/tmp/wsbridge/run-<job>-<attempt>`,
/// with stdin from the content sent here and stdout/stderr captured to files there. After the
/// exit the daemon fetches the files (`DaemonMessage.fetchOutput`), writes them to the
/// submitter's paths and only then records the exit and sends `ack`; the agent keeps the files
/// until that `ack`, so a daemon restart in between loses nothing.
public struct RunStaging: Codable, Sendable, Equatable {
    /// What the job reads on stdin; `nil` is /dev/null.
    public var stdin: Data?
    public var captureStdout: Bool
    public var captureStderr: Bool
    /// stdout and stderr go to one file on the host: capture them into one file too, in the
    /// order the job wrote them.
    public var joined: Bool
    /// Files the daemon sent (`DaemonMessage.stage`) before the run; the run starts only when
    /// every one is there whole (its size and SHA-256 match).
    public var inputs: [StagedFile] = []
    /// The staged file to execute, instead of the request's `executable`.
    public var executable: StagedPath?
    /// The staged credential, readable by the job's user only, and the variable that names it.
    public var credential: StagedPath?
    public var credentialVariable: String?
    /// Files to send back after the run; `nil`: every file at the top of the scratch directory
    /// that the run created or changed.
    public var outputs: [StagedPath]?
    /// Most bytes of output files sent back in all; the rest is cut, and the note says so.
    public var maxOutputBytes: Int = RunStaging.maxOutputBytes

    public init(stdin: Data?, captureStdout: Bool, captureStderr: Bool, joined: Bool) {
        self.stdin = stdin
        self.captureStdout = captureStdout
        self.captureStderr = captureStderr
        self.joined = joined
    }

    enum CodingKeys: String, CodingKey {
        case stdin, captureStdout, captureStderr, joined, inputs, executable, credential, credentialVariable, outputs, maxOutputBytes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stdin = try c.decodeIfPresent(Data.self, forKey: .stdin)
        captureStdout = try c.decode(Bool.self, forKey: .captureStdout)
        captureStderr = try c.decode(Bool.self, forKey: .captureStderr)
        joined = try c.decode(Bool.self, forKey: .joined)
        inputs = try c.decodeIfPresent([StagedFile].self, forKey: .inputs) ?? []
        executable = try c.decodeIfPresent(StagedPath.self, forKey: .executable)
        credential = try c.decodeIfPresent(StagedPath.self, forKey: .credential)
        credentialVariable = try c.decodeIfPresent(String.self, forKey: .credentialVariable)
        outputs = try c.decodeIfPresent([StagedPath].self, forKey: .outputs)
        maxOutputBytes = try c.decodeIfPresent(Int.self, forKey: .maxOutputBytes) ?? RunStaging.maxOutputBytes
    }

    /// Largest stdin sent inside one run request (it travels as one message).
    public static let maxStdinBytes = 8 << 20
    /// Most output fetched per stream; the rest is cut and the run's reason says so.
    public static let maxOutputBytes = 64 << 20
    /// Output travels in pieces of this size, each one message.
    public static let chunkBytes = 1 << 20

    /// The scratch directory of one run inside the workspace.
    public static func scratchDirectory(for key: RunKey) -> String { "/tmp/wsbridge/run-\(key.job)-\(key.attempt)" }
    /// Names in the scratch directory the agent uses for the run's own streams; never sent back
    /// as output files.
    public static let capturedPrefix = "_wsbridge_"
    public static func captured(_ stream: String) -> String { capturedPrefix + stream }
}

/// A file as it must arrive: its size and SHA-256 (lowercase hex), and whether it is executable.
public struct StagedFile: Codable, Sendable, Equatable {
    public var path: StagedPath
    public var size: Int
    public var sha256: String
    public var executable: Bool

    public init(path: StagedPath, size: Int, sha256: String, executable: Bool) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.executable = executable
    }
}

/// One piece of a file crossing into a workspace (`DaemonMessage.stage`) or out of it (an
/// output file in `OutputChunk`). A piece at offset 0 starts the file afresh (a transfer cut by a
/// restart begins again); the last piece carries `end`, and only then, with the size and
/// checksum right, does the file appear under its name.
public struct FileChunk: Codable, Sendable, Equatable {
    public var key: RunKey
    public var path: StagedPath
    public var offset: Int
    public var data: Data
    public var end: StagedFile?
    /// Whose file it is, in the workspace: it is written with this identity. Set on the way in.
    public var owner: FileOwner?

    public init(key: RunKey, path: StagedPath, offset: Int, data: Data, end: StagedFile? = nil, owner: FileOwner? = nil) {
        self.key = key
        self.path = path
        self.offset = offset
        self.data = data
        self.end = end
        self.owner = owner
    }
}

/// A user's whole identity inside a workspace.
public struct FileOwner: Codable, Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]
    public init(uid: UInt32, gid: UInt32, groups: [UInt32]) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }
}

/// What the agent keeps of a staged run to send its outputs back after it: whose they are, which
/// files, and how the scratch directory looked when the run started (to tell what it changed).
public struct StagedRun: Codable, Sendable, Equatable {
    public var owner: FileOwner
    public var outputs: [StagedPath]?
    /// Name at the top of the scratch directory -> size and modification time at the start.
    public var baseline: [String: String]
    public var credential: StagedPath?
    public var maxOutputBytes: Int

    public init(owner: FileOwner, outputs: [StagedPath]?, baseline: [String: String], credential: StagedPath?, maxOutputBytes: Int) {
        self.owner = owner
        self.outputs = outputs
        self.baseline = baseline
        self.credential = credential
        self.maxOutputBytes = maxOutputBytes
    }
}

/// Which captured file a chunk belongs to.
public enum CapturedStream: String, Codable, Sendable {
    case stdout, stderr
}

/// One piece of captured output; `offset` is where it goes in its stream (the first piece of a
/// stream has offset 0, which tells the daemon to start the file afresh).
public struct OutputChunk: Codable, Sendable, Equatable {
    public var key: RunKey
    public var stream: CapturedStream
    public var offset: Int
    public var data: Data
    /// Set for a piece of an output file (then `stream` is ignored); its last piece has `end`.
    public var file: StagedPath?
    public var end: StagedFile?

    public init(key: RunKey, stream: CapturedStream, offset: Int, data: Data, file: StagedPath? = nil, end: StagedFile? = nil) {
        self.key = key
        self.stream = stream
        self.offset = offset
        self.data = data
        self.file = file
        self.end = end
    }
}
