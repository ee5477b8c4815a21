/// A GRAM failure: the protocol error code the job manager and `globusrun` understand, and a
/// message for the user (sent to clients as `GT3_FAILURE_MESSAGE` where the protocol allows it).
public struct GRAMError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: GRAMErrorCode
    public var message: String
    /// Where in the RSL text the problem is, when it comes from RSL.
    public var position: RSLPosition?

    public init(_ code: GRAMErrorCode, _ message: String, at position: RSLPosition? = nil) {
        self.code = code
        self.message = message
        self.position = position
    }

    /// A parse error is `BAD_RSL` (48) and an evaluation error `RSL_EVALUATION_FAILED` (39), as
    /// the job manager reports them.
    public init(_ error: RSLError) {
        switch error.kind {
        case .evaluation: self.init(.rslEvaluationFailed, error.message, at: error.position)
        default: self.init(.badRSL, error.message, at: error.position)
        }
    }

    public var description: String {
        let place = position.map { " (RSL \($0))" } ?? ""
        return "GRAM error \(code.rawValue) \(code.name): \(message)\(place)"
    }
}
