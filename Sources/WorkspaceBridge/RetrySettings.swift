/// `[retry]`: what happens after a failed run (a non-zero exit or a kill).
///
/// How many times a job is run again is resolved per front door, because the front doors mean
/// different things by a failed run:
/// - a grid job (GRAM, HTCondor, BLAH) arrives through a gatekeeper whose stock resource managers
///   (fork, PBS, HTCondor without `max_retries`) run it once: its exit code is its answer. It is
///   retried only when it asks (RSL `max_retries`, submit-file `max_retries`) or when the site
///   sets a default for that front door (`[retry.gram] max_retries`,
///   `[retry.condor] max_retries`);
/// - a job of `wsbridge submit` takes `--max-retries`, else `[retry] max_retries`.
/// Every default is 0.
public struct RetrySettings: Codable, Sendable, Equatable {
    /// Retries of a `wsbridge submit` job that does not say (`[retry] max_retries`).
    public var maxRetries: Int = 0
    /// Retries of a GRAM job without RSL `max_retries` (`[retry.gram] max_retries`); none: 0.
    public var gramMaxRetries: Int?
    /// Retries of an HTCondor or BLAH job without its own (`[retry.condor] max_retries`); none: 0.
    public var condorMaxRetries: Int?
    /// Wait before the first retry; doubles with each further retry, up to `maxBackoffSeconds`.
    public var backoffSeconds: Double = 30
    public var maxBackoffSeconds: Double = 3600

    public init() {}

    /// The number of retries `spec` gets: its own, else its front door's default.
    public func retries(for spec: JobSpec) -> Int {
        if let own = spec.maxRetries { return own }
        return switch spec.origin {
        case .cli: maxRetries
        case .gram: gramMaxRetries ?? 0
        // A job whose own exit policy decides (on_exit_remove, on_exit_hold) is not retried by the site.
        case .condor(let o): o.ad["OnExitRemove"] != nil || o.ad["OnExitHold"] != nil ? 0 : condorMaxRetries ?? 0
        }
    }

    public func backoff(afterFailures failures: Int) -> Double {
        guard failures > 0 else { return 0 }
        let exponent = Double(min(failures - 1, 30))
        return min(maxBackoffSeconds, backoffSeconds * pow2(exponent))
    }

    /// The wait before a job whose run could not start for want of a resource (processes,
    /// memory) is tried again: 1 s, doubling with each such run in a row, at most 32 s. Not a
    /// setting: it only keeps such a job from spinning while the workspace is full.
    /// `uncountedRuns`: the job's runs that did not count against its retries (this one included).
    public static func transientBackoff(afterUncountedRuns uncountedRuns: Int) -> Double {
        Double(1 << (min(max(uncountedRuns, 1), 6) - 1))
    }

    private func pow2(_ e: Double) -> Double { var r = 1.0; for _ in 0..<Int(e) { r *= 2 }; return r }

    func validate() throws(ConfigError) {
        if maxRetries < 0 { throw ConfigError(key: "retry.max_retries", message: "must be 0 or more") }
        if let n = gramMaxRetries, n < 0 { throw ConfigError(key: "retry.gram.max_retries", message: "must be 0 or more") }
        if let n = condorMaxRetries, n < 0 { throw ConfigError(key: "retry.condor.max_retries", message: "must be 0 or more") }
        if backoffSeconds < 0 { throw ConfigError(key: "retry.backoff_seconds", message: "must be 0 or more") }
    }
}
