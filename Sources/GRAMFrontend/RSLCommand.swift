/// The library side of `wsbridge rsl parse [--evaluate] [--define NAME=VALUE]...`.
public enum RSLCommand {
    /// Parses `input` and returns its canonical unparse (`globus_rsl_unparse` form, no trailing
    /// newline). With `evaluate`, the tree is first evaluated with `defines` bound in the outermost
    /// scope. With `canonicalizeAttributes`, attribute names are first folded as the job manager
    /// folds them (`max_wall_time` → `maxwalltime`).
    public static func run(input: String, evaluate: Bool, defines: [String: String],
                           canonicalizeAttributes: Bool = false) -> Result<String, RSLError> {
        do throws(RSLError) {
            var node = try RSLParser.parse(input)
            if canonicalizeAttributes { node = node.canonicalizingAttributes() }
            if evaluate { node = try RSLEvaluator.evaluate(node, bindings: defines) }
            return .success(try RSLUnparser.unparse(node))
        } catch {
            return .failure(error)
        }
    }

    /// Splits a `--define NAME=VALUE` argument. The name is everything before the first `=`.
    public static func parseDefine(_ argument: String) -> (name: String, value: String)? {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else { return nil }
        return (String(argument[..<eq]), String(argument[argument.index(after: eq)...]))
    }
}
