/// A submit description that HTCondor would refuse, with where and why.
///
/// `message` uses HTCondor's own wording where it has one (from `SubmitHash` in
/// `src/condor_utils/submit_utils.cpp` and the config parser in `config.cpp`), so that users
/// and scripts that know condor_submit's messages recognise them.
public struct SubmitError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file's syntax: lines, conditionals, includes, queue statements.
        case syntax
        /// A command's value is invalid (arguments, environment, universe, expressions ...).
        case invalidValue
        /// The file could not be read.
        case io
        /// A feature this bridge deliberately does not run (`queue from TABLE`).
        case unsupported
    }

    public var kind: Kind
    public var file: String
    /// 1-based physical line, or `nil` when the error belongs to the job as a whole.
    public var line: Int?
    public var message: String

    public init(_ kind: Kind, file: String, line: Int?, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// A non-fatal remark, as condor_submit prints `WARNING: ...`.
public struct SubmitWarning: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String {
        if let line { return "\(file):\(line): warning: \(message)" }
        return "\(file): warning: \(message)"
    }
}
