/// The library side of `wsbridge submit --rsl TEXT`: RSL handled the way a job manager handles
/// it, then mapped to a `JobSpec`.
///
/// The order is the job manager's (`globus_gram_job_manager_request_init`,
/// `globus_l_gram_validate_rsl`): parse, canonicalise attribute names, evaluate, validate
/// against the RVF table (inserting defaults), evaluate again (defaults such as
/// `directory = $(HOME)` hold variables), check `count` and `dry_run`, then map.
public enum GRAMRSLSubmission {
    /// - Parameters:
    ///   - variables: the predefined RSL variables (`HOME`, `LOGNAME`, `GLOBUS_LOCATION` ...).
    ///     `HOME` and `LOGNAME` should come from the submitter's account; `GLOBUS_LOCATION`
    ///     defaults to `/usr` (a distribution install) for the `library_path` default.
    public static func request(rsl: String, variables: [String: String], context: GRAMMappingContext,
                               table: RVFTable = .workspace) throws(GRAMError) -> GRAMJobRequest {
        var bindings = variables
        if bindings["GLOBUS_LOCATION"] == nil { bindings["GLOBUS_LOCATION"] = "/usr" }
        var context = context
        context.standalone = true
        if context.home == nil { context.home = bindings["HOME"] }
        if context.userName == nil { context.userName = bindings["LOGNAME"] }

        let parsed: RSLNode
        do { parsed = try RSLParser.parse(rsl).canonicalizingAttributes() } catch { throw GRAMError(error) }
        let first: RSLNode
        do { first = try RSLEvaluator.evaluate(parsed, bindings: bindings) } catch { throw GRAMError(error) }
        let validation = try RSLValidator.validate(first, table: table, when: .submit)
        let evaluated: RSLNode
        do { evaluated = try RSLEvaluator.evaluate(validation.rsl, bindings: bindings) } catch { throw GRAMError(error) }
        let description = try GRAMDescription(evaluated: evaluated)
        return try GRAMJobMapper.request(from: description, context: context, defaulted: Set(validation.defaulted))
    }
}
