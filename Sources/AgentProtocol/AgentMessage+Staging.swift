#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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

    public init(stdin: Data?, captureStdout: Bool, captureStderr: Bool, joined: Bool) {
        self.stdin = stdin
        self.captureStdout = captureStdout
        self.captureStderr = captureStderr
        self.joined = joined
    }

    /// Largest stdin sent inside one run request (it travels as one message).
    public static let maxStdinBytes = 8 << 20
    /// Most output fetched per stream; the rest is cut and the run's reason says so.
    public static let maxOutputBytes = 64 << 20
    /// Output travels in pieces of this size, each one message.
    public static let chunkBytes = 1 << 20

    /// The scratch directory of one run inside the workspace.
    public static func scratchDirectory(for key: RunKey) -> String { "/tmp/wsbridge/run-\(key.job)-\(key.attempt)" }
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

    public init(key: RunKey, stream: CapturedStream, offset: Int, data: Data) {
        self.key = key
        self.stream = stream
        self.offset = offset
        self.data = data
    }
}
