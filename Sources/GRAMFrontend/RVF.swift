/// When an RSL attribute is valid, required or defaulted: the three job manager operations.
public struct RVFWhen: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let submit = RVFWhen(rawValue: 1)
    public static let restart = RVFWhen(rawValue: 2)
    public static let stdioUpdate = RVFWhen(rawValue: 4)
    public static let never: RVFWhen = []

    static let keywords: [(String, RVFWhen)] = [
        ("GLOBUS_GRAM_JOB_SUBMIT", .submit),
        ("GLOBUS_GRAM_JOB_MANAGER_RESTART", .restart),
        ("GLOBUS_GRAM_JOB_MANAGER_STDIO_UPDATE", .stdioUpdate),
    ]
}

/// One record of an RSL validation file. A field that is `nil` was not given, so it does not
/// override the same field of an earlier record for the same attribute.
public struct RVFRecord: Sendable, Equatable {
    /// Canonical attribute name (lower case, no underscores).
    public var attribute: String
    public var description: String?
    /// RSL value text, parsed as `attribute = <default>` when inserted.
    public var defaultValue: String?
    /// Allowed values, whitespace-separated. The job manager checks them with `strstr`, a
    /// substring test, and so does `RSLValidator`.
    public var values: String?
    public var requiredWhen: RVFWhen?
    public var defaultWhen: RVFWhen?
    public var validWhen: RVFWhen?
    public var publish: Bool?

    public init(attribute: String, description: String? = nil, defaultValue: String? = nil, values: String? = nil,
                requiredWhen: RVFWhen? = nil, defaultWhen: RVFWhen? = nil, validWhen: RVFWhen? = nil,
                publish: Bool? = nil) {
        self.attribute = RSLAttributeName.canonical(attribute)
        self.description = description
        self.defaultValue = defaultValue
        self.values = values
        self.requiredWhen = requiredWhen
        self.defaultWhen = defaultWhen
        self.validWhen = validWhen
        self.publish = publish
    }

    /// Fields given in `newer` replace those here (`globus_i_rvf_parser.y`, the merge loop).
    mutating func override(with newer: RVFRecord) {
        if let v = newer.description { description = v }
        if let v = newer.defaultValue { defaultValue = v }
        if let v = newer.values { values = v }
        if let v = newer.requiredWhen { requiredWhen = v }
        if let v = newer.defaultWhen { defaultWhen = v }
        if let v = newer.validWhen { validWhen = v }
        if let v = newer.publish { publish = v }
    }
}

/// A malformed validation file, with the file's name and the line.
public struct RVFError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }

    /// As the job manager reports an unreadable validation file.
    public var gramError: GRAMError { GRAMError(.readingValidationFile, description) }
}
