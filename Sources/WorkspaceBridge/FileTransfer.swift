/// The files a job declares besides stdin/stdout/stderr, for workspaces that do not see the
/// host's files (guests): what goes in before the run, what comes back after it, and the
/// credential it needs. On a workspace that shares the host's file system none of it is copied.
///
/// Front doors fill it from their own language: HTCondor's `transfer_input_files`,
/// `transfer_output_files`, `transfer_executable` and `x509userproxy`; the blahp's `-I`, `-O` and
/// `-x`; GRAM's `file_stage_in` destinations, `file_stage_out` sources and `X509_USER_PROXY`.
public struct FileTransfer: Codable, Sendable, Equatable {
    /// Host files or directories copied into the run's directory. A path inside the job's
    /// directory keeps its place relative to it; any other keeps its last component. A directory
    /// is copied whole; with a trailing `/`, only its contents (as HTCondor does).
    public var inputs: [String]
    /// Paths relative to the run's directory copied back into the job's directory after the run;
    /// `nil` brings back every file at the top of the run's directory that the run created or
    /// changed (HTCondor's default without `transfer_output_files`).
    public var outputs: [String]?
    /// The executable is a host file to copy in (HTCondor `transfer_executable`, GRAM's staged
    /// executables); otherwise the workspace's own program at that path runs.
    public var executable: Bool
    /// Also every regular, non-hidden file at the top of the job's directory (GRAM: the job
    /// manager has already fetched `file_stage_in` files there and no longer names them; GRAM's
    /// own `condor.pm` moves a job's directory to a pool without a shared file system the same way).
    public var directoryFiles: Bool = false
    /// The job's credential (an X.509 proxy or a bearer token file): copied in readable by the
    /// job's user only, named by `X509_USER_PROXY` (or `BEARER_TOKEN_FILE`) inside, and copied
    /// again whenever the host file changes while the job runs.
    public var credential: String?

    public init(inputs: [String] = [], outputs: [String]? = nil, executable: Bool = false, credential: String? = nil) {
        self.inputs = inputs
        self.outputs = outputs
        self.executable = executable
        self.credential = credential
    }

    enum CodingKeys: String, CodingKey { case inputs, outputs, executable, credential, directoryFiles }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try c.decodeIfPresent([String].self, forKey: .inputs) ?? []
        outputs = try c.decodeIfPresent([String].self, forKey: .outputs)
        executable = try c.decodeIfPresent(Bool.self, forKey: .executable) ?? false
        credential = try c.decodeIfPresent(String.self, forKey: .credential)
        directoryFiles = try c.decodeIfPresent(Bool.self, forKey: .directoryFiles) ?? false
    }

    /// Most entries in each list.
    public static let maxEntries = 10_000
    /// Longest path accepted.
    public static let maxPathBytes = 4096

    public func validate() throws(JobSpecError) {
        if inputs.count > Self.maxEntries || (outputs?.count ?? 0) > Self.maxEntries {
            throw .invalid("at most \(Self.maxEntries) input and \(Self.maxEntries) output files")
        }
        for path in inputs + (credential.map { [$0] } ?? []) {
            guard path.hasPrefix("/"), Self.isClean(path) else {
                throw .invalid("transfer path \"\(path.prefix(200))\" must be absolute, without NUL, newline, . or .. components")
            }
        }
        for path in outputs ?? [] {
            guard StagedPath(path) != nil else {
                throw .invalid("output \"\(path.prefix(200))\" must be a relative path inside the job's directory")
            }
        }
    }

    /// Where a declared input goes in the run's directory.
    public enum Placement: Equatable, Sendable {
        /// A directory named with a trailing `/`: its contents, at the top (as HTCondor does).
        case contentsAtTop
        case at(StagedPath)
    }

    /// Inside the job's directory an input keeps its place relative to it; elsewhere it is
    /// placed by its last component.
    public static func placement(of input: String, jobDirectory: String) -> Placement? {
        if input.count > 1, input.hasSuffix("/") { return .contentsAtTop }
        let base = jobDirectory.hasSuffix("/") ? jobDirectory : jobDirectory + "/"
        let relative = input.hasPrefix(base) ? String(input.dropFirst(base.count)) : input.split(separator: "/").last.map(String.init) ?? ""
        return StagedPath(relative).map { .at($0) }
    }

    static func isClean(_ path: String) -> Bool {
        path.utf8.count <= maxPathBytes && !path.contains(where: { $0 == "\0" || $0.isNewline })
            && !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." })
    }
}

/// A path relative to a run's directory, checked once: no absolute path, no `.`/`..`, no empty
/// component, no NUL or newline. The agent and the daemon only ever join these under a directory
/// they own, so a job cannot name a file outside it.
public struct StagedPath: Codable, Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init?(_ text: String) {
        var t = Substring(text)
        while t.hasSuffix("/") { t = t.dropLast() }
        let parts = t.split(separator: "/", omittingEmptySubsequences: false)
        guard !t.isEmpty, !t.hasPrefix("/"), t.utf8.count <= FileTransfer.maxPathBytes,
              !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !t.contains(where: { $0 == "\0" || $0.isNewline }) else { return nil }
        value = String(t)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let p = StagedPath(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a relative path: \(text.prefix(100))"))
        }
        self = p
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }

    public var description: String { value }
    /// The components, for creating the directories on the way.
    public var components: [Substring] { value.split(separator: "/") }
}
