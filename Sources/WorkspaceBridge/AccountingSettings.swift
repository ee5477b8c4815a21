/// `[accounting]`: where finished runs' records are exported. Records are always kept in the
/// store (`wsbridge accounting`); the files are written only where a directory is configured.
public struct AccountingSettings: Codable, Sendable, Equatable {
    /// The site's GOCDB name (APEL `Site`); required for APEL files.
    public var site: String?
    /// Where APEL individual job messages are written, one new file per run, for `ssmsend`
    /// (`path_type: directory`) to pick up; none: no APEL files.
    public var apelDirectory: String?
    /// The CE's id (APEL `SubmitHost`, the blah line's `ceID`), e.g. `ce.example.org:9619/ce.example.org-wsbridge`.
    public var submitHost: String?
    /// APEL `MachineName`; the daemon's host name when unset.
    public var machineName: String?
    /// Benchmark of the site's cores (APEL `ServiceLevelType`: HEPSPEC, HEPscore23 or si2k;
    /// `ServiceLevel`): both or neither.
    public var benchmarkType: String?
    public var benchmark: Double?
    /// Prefix of the BLAH accounting log (`blahp.log` lines in `<prefix>-YYYYMMDD`, as blahpd
    /// writes with `BLAHPD_ACCOUNTING_INFO_LOG`), for runs of grid jobs; none: not written.
    public var blahLogPrefix: String?
    /// Permissions of the files written (APEL files and blah logs): root only unless the site
    /// opens them to its APEL client's group.
    public var fileMode: Int = 0o600

    public init() {}

    public static let benchmarkTypes = ["hepspec", "hepscore23", "si2k"]

    public func validate() throws(ConfigError) {
        if apelDirectory != nil && (site ?? "").isEmpty {
            throw ConfigError(key: "accounting.site", message: "APEL records need the site's GOCDB name (site = \"...\")")
        }
        for (key, path) in [("apel_directory", apelDirectory), ("blah_log_prefix", blahLogPrefix)] {
            if let path, !path.hasPrefix("/") { throw ConfigError(key: "accounting.\(key)", message: "must be an absolute path") }
        }
        if (benchmarkType == nil) != (benchmark == nil) {
            throw ConfigError(key: "accounting.benchmark", message: "benchmark_type and benchmark go together (APEL takes both or neither)")
        }
        if let t = benchmarkType, !Self.benchmarkTypes.contains(t.lowercased()) {
            throw ConfigError(key: "accounting.benchmark_type", message: "expected one of HEPSPEC, HEPscore23, si2k, not \"\(t)\"")
        }
        if let b = benchmark, !(b.isFinite && b > 0 && b < 1e9) {
            throw ConfigError(key: "accounting.benchmark", message: "must be a positive number")
        }
        if !(0...0o777).contains(fileMode) { throw ConfigError(key: "accounting.file_mode", message: "must be a mode between 0 and 0o777") }
        for (key, value) in [("site", site), ("submit_host", submitHost), ("machine_name", machineName)] {
            if let v = value, v.contains(where: { $0.isNewline || $0 == "\"" }) || v.count > 255 {
                throw ConfigError(key: "accounting.\(key)", message: "at most 255 characters, without quotes or line breaks")
            }
        }
    }
}
