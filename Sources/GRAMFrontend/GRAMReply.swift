import Foundation

/// What an LRM module hands back to `globus-job-manager-script.pl`, which prints each key as a
/// `GRAM_SCRIPT_<KEY>:<value>` line.
///
/// The job manager accepts a closed set of keys and fails the job with `INVALID_SCRIPT_STATUS`
/// (25) on any other. Submit and poll replies (the "default" handler) may carry `JOB_STATE`,
/// `ERROR`, `JOB_ID`, `JOB_ACCT_INFO`, `GT3_FAILURE_*` and `LOG`; cancel and signal replies (the
/// "query" handler) only `JOB_STATE`, `ERROR` and `LOG`. This type has exactly those keys, and
/// `forQuery()` drops the ones a query reply may not carry. An empty reply means "no change".
public struct GRAMReply: Codable, Sendable, Equatable {
    public var jobState: GRAMJobState?
    public var error: GRAMErrorCode?
    /// Comma-separated sub-job ids, each at most 128 characters, with no `;`.
    public var jobID: String?
    public var jobAccountingInfo: String?
    public var failureType: String?
    public var failureMessage: String?
    public var failureSource: String?
    public var failureDestination: String?
    public var log: String?

    enum CodingKeys: String, CodingKey {
        case jobState = "JOB_STATE"
        case error = "ERROR"
        case jobID = "JOB_ID"
        case jobAccountingInfo = "JOB_ACCT_INFO"
        case failureType = "GT3_FAILURE_TYPE"
        case failureMessage = "GT3_FAILURE_MESSAGE"
        case failureSource = "GT3_FAILURE_SOURCE"
        case failureDestination = "GT3_FAILURE_DESTINATION"
        case log = "LOG"
    }

    public init(jobState: GRAMJobState? = nil, error: GRAMErrorCode? = nil, jobID: String? = nil,
                failureMessage: String? = nil, log: String? = nil) {
        self.jobState = jobState
        self.error = error
        self.jobID = jobID
        self.failureMessage = failureMessage.map(GRAMReply.oneLine)
        self.log = log.map(GRAMReply.oneLine)
    }

    /// A failed request: `ERROR` plus the message for the client.
    public init(_ failure: GRAMError) {
        self.init(error: failure.code, failureMessage: failure.message)
    }

    /// Only the keys a cancel or signal reply may carry.
    public func forQuery() -> GRAMReply {
        var r = GRAMReply(jobState: jobState, error: error)
        r.log = log
        return r
    }

    /// The reply as the single-line JSON object the adapter reads, keys sorted.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Each value becomes one `GRAM_SCRIPT_` line, so it must not hold a line break.
    static func oneLine(_ s: String) -> String {
        String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}

