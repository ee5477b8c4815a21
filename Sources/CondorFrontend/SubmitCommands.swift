/// The "simple" submit commands: inserted into the job ad verbatim, as an expression, a string,
/// a boolean or an integer (the table `prunable_keywords[]` in `src/condor_utils/submit_utils.cpp`).
struct SimpleSubmitCommand: Sendable {
    enum Kind: Sendable { case expr, string, stringStripQuotes, stringList, bool, int, uint }
    var key: String
    var attr: String
    var kind: Kind
    /// An alternate name: only used when the previous entry was not given.
    var alternate = false

    static let table: [SimpleSubmitCommand] = [
        .init(key: "next_job_start_delay", attr: "NextJobStartDelay", kind: .expr),
        .init(key: "keep_claim_idle", attr: "KeepClaimIdle", kind: .expr),
        .init(key: "job_ad_information_attrs", attr: "JobAdInformationAttrs", kind: .string),
        .init(key: "ulog_execute_attrs", attr: "ULogExecuteEventAttrs", kind: .string),
        .init(key: "max_idle", attr: "JobMaterializeMaxIdle", kind: .expr),
        .init(key: "max_materialize_idle", attr: "JobMaterializeMaxIdle", kind: .expr, alternate: true),
        .init(key: "want_io_proxy", attr: "WantIOProxy", kind: .bool),
        .init(key: "job_machine_attrs", attr: "JobMachineAttrs", kind: .string),
        .init(key: "job_machine_attrs_history_length", attr: "JobMachineAttrsHistoryLength", kind: .int),
        .init(key: "notify_user", attr: "NotifyUser", kind: .string),
        .init(key: "email_attributes", attr: "EmailAttributes", kind: .stringList),
        .init(key: "remote_initialdir", attr: "RemoteIwd", kind: .string),
        .init(key: "output_destination", attr: "OutputDestination", kind: .string),
        .init(key: "want_graceful_removal", attr: "WantGracefulRemoval", kind: .expr),
        .init(key: "job_max_vacate_time", attr: "JobMaxVacateTime", kind: .expr),
        .init(key: "encrypt_execute_directory", attr: "EncryptExecuteDirectory", kind: .bool),
        .init(key: "encrypt_input_files", attr: "EncryptInputFiles", kind: .string),
        .init(key: "encrypt_output_files", attr: "EncryptOutputFiles", kind: .string),
        .init(key: "dont_encrypt_input_files", attr: "DontEncryptInputFiles", kind: .string),
        .init(key: "dont_encrypt_output_files", attr: "DontEncryptOutputFiles", kind: .string),
        .init(key: "load_profile", attr: "LoadProfile", kind: .bool),
        .init(key: "append_files", attr: "AppendFiles", kind: .string),
        .init(key: "dag_node_name", attr: "DAGNodeName", kind: .string),
        .init(key: "submit_event_notes", attr: "SubmitEventNotes", kind: .string),
        .init(key: "submit_event_user_notes", attr: "SubmitEventUserNotes", kind: .string),
        .init(key: "stack_size", attr: "StackSize", kind: .expr),
        .init(key: "description", attr: "JobDescription", kind: .string),
        .init(key: "batch_name", attr: "JobBatchName", kind: .stringStripQuotes),
        .init(key: "max_job_retirement_time", attr: "MaxJobRetirementTime", kind: .expr),
        .init(key: "job_lease_duration", attr: "JobLeaseDuration", kind: .expr),
        .init(key: "coresize", attr: "CoreSize", kind: .int),
        .init(key: "priority", attr: "JobPrio", kind: .int),
        .init(key: "prio", attr: "JobPrio", kind: .int, alternate: true),
        .init(key: "run_as_owner", attr: "RunAsOwner", kind: .bool),
        .init(key: "max_transfer_input_mb", attr: "MaxTransferInputMB", kind: .expr),
        .init(key: "max_transfer_output_mb", attr: "MaxTransferOutputMB", kind: .expr),
        .init(key: "checkpoint_exit_code", attr: "CheckpointExitCode", kind: .int),
        .init(key: "erase_output_and_error_on_restart", attr: "DontAppend", kind: .bool),
        .init(key: "preserve_relative_paths", attr: "PreserveRelativePaths", kind: .bool),
        .init(key: "skip_if_dataflow", attr: "SkipIfDataflow", kind: .bool),
        .init(key: "allowed_job_duration", attr: "AllowedJobDuration", kind: .expr),
        .init(key: "allowed_execute_duration", attr: "AllowedExecuteDuration", kind: .expr),
        .init(key: "leave_in_queue", attr: "LeaveJobInQueue", kind: .expr),
    ]
}

extension JobAdBuilder {
    /// `SubmitHash::do_simple_commands`: each key is also looked up by its attribute name.
    mutating func setSimpleCommands() throws(SubmitError) {
        var lastExisted = false
        for cmd in SimpleSubmitCommand.table {
            if cmd.alternate && lastExisted { lastExisted = false; continue }
            let value = try param(cmd.key, cmd.attr)
            lastExisted = value != nil
            guard let value else { continue }
            switch cmd.kind {
            case .expr: try assignExpr(cmd.attr, value)
            case .string: ad.assign(cmd.attr, value)
            case .stringStripQuotes: ad.assign(cmd.attr, Self.stripQuotes(value))
            case .stringList: ad.assign(cmd.attr, ClassAdFunctions.stringListItems(value).joined(separator: ","))
            case .bool: ad.assign(cmd.attr, try boolParam(cmd.key, cmd.attr, default: false))
            case .int, .uint:
                guard let i = try intParam(cmd.key, alt: cmd.attr) else { continue }
                if cmd.kind == .uint && i < 0 { throw fail("\(cmd.key)=\(value) is invalid, must eval to a non-negative integer.") }
                if cmd.attr == "JobPrio" && (i < Int64(Int32.min) || i >= Int64(Int32.max)) {
                    throw fail("\(cmd.key)=\(value) is invalid, must eval to an integer.")
                }
                ad.assign(cmd.attr, .int(i))
            }
        }
    }

    /// `trim_and_strip_quotes_in_place`.
    static func stripQuotes(_ s: String) -> String {
        let t = SubmitLexer.trim(s)
        if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") { return String(t.dropFirst().dropLast()) }
        return t
    }

    /// `SubmitHash::SetJobRetries` (condor.md §4.5): `max_retries`, `retry_until` and
    /// `success_exit_code` fold into `OnExitRemove`.
    mutating func setJobRetries() throws(SubmitError) {
        let erc = try param("on_exit_remove", "OnExitRemove")
        let ehc = try param("on_exit_hold", "OnExitHold")
        var retries = try intParam("max_retries", alt: "JobMaxRetries")
        var success: Int64?
        if let s = try intParam("success_exit_code", alt: "JobSuccessExitCode") {
            guard s >= Int64(Int32.min), s < Int64(Int32.max) else {
                throw fail("success_exit_code=\(s) is invalid, must eval to an integer.")
            }
            success = s
        }
        var until = try param("retry_until")
        guard retries != nil || success != nil || until != nil else {
            if let erc { try assignExpr("OnExitRemove", erc) }
            if let ehc { try assignExpr("OnExitHold", ehc) }
            return
        }
        if let u = until {
            guard let tree = try? ClassAdParser.parseSubmitExpression(u) else {
                throw fail("retry_until=\(u) is invalid, it must be an integer or boolean expression.")
            }
            let refs = tree.references()
            if refs.my.isEmpty, refs.target.isEmpty, refs.bare.isEmpty, let code = Int64(SubmitLexer.trim(u)) {
                guard code >= Int64(Int32.min), code <= Int64(Int32.max) else {
                    throw fail("retry_until=\(u) is invalid, it must be an integer or boolean expression.")
                }
                until = "ExitCode =?= \(code)"
            } else {
                let wrapped = tree.wrappedForOperator(.or)
                if wrapped != tree { until = ClassAdUnparser.unparse(wrapped) }
            }
        }
        if retries == nil { retries = 2 } // DEFAULT_JOB_MAX_RETRIES
        ad.assign("JobMaxRetries", .int(retries!))
        if let ehc { try assignExpr("OnExitHold", ehc) } else { ad.assign("OnExitHold", false) }
        var codeCheck: String
        if let success {
            ad.assign("JobSuccessExitCode", .int(success))
            codeCheck = "JobSuccessExitCode"
        } else {
            codeCheck = "0"
        }
        if let until { codeCheck += " || " + until }
        var remove = "NumJobCompletions > JobMaxRetries || ExitCode =?= " + codeCheck
        if let erc {
            guard let tree = try? ClassAdParser.parseSubmitExpression(erc) else {
                throw fail("on_exit_remove=\(erc) is invalid, it must be a boolean expression.")
            }
            let wrapped = tree.wrappedForOperator(.or)
            remove += " || " + (wrapped != tree ? ClassAdUnparser.unparse(wrapped) : erc)
        }
        try assignExpr("OnExitRemove", remove)
    }

    /// `SubmitHash::SetPeriodicExpressions` and `SetLeaveInQueue`.
    mutating func setPeriodicExpressions() throws(SubmitError) {
        let exprs: [(String, String)] = [
            ("periodic_hold", "PeriodicHold"), ("periodic_hold_reason", "PeriodicHoldReason"),
            ("periodic_hold_subcode", "PeriodicHoldSubCode"), ("periodic_release", "PeriodicRelease"),
            ("periodic_remove", "PeriodicRemove"), ("periodic_vacate", "PeriodicVacate"),
            ("on_exit_hold_reason", "OnExitHoldReason"), ("on_exit_hold_subcode", "OnExitHoldSubCode"),
        ]
        for (key, attr) in exprs {
            if let v = try param(key, attr) { try assignExpr(attr, v) }
        }
    }
}
