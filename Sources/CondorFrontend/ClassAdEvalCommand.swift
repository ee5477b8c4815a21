/// `wsbridge condor eval`: one ClassAd expression per input line, evaluated with no ads in
/// scope, one unparsed result per line (`PARSE_ERROR` for text that is not an expression).
/// Blank lines are skipped. This is the form the differential test compares with HTCondor.
public enum ClassAdEvalCommand {
    public static func run(lines: [String]) -> [String] {
        lines.compactMap { line in
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { return nil }
            guard let expr = try? ClassAdParser.parse(line) else { return "PARSE_ERROR" }
            return ClassAd().evaluate(expression: expr).unparsed
        }
    }
}
