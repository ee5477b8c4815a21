/// A request checked against the RVF table, with defaults inserted.
public struct RSLValidation: Sendable, Equatable {
    /// The request: an `&` of `=` relations with canonical attribute names.
    public var rsl: RSLNode
    /// Attributes the request did not give, filled in from RVF defaults, in table order.
    public var defaulted: [String]
}

/// Job-manager-level RSL checks (`globus_gram_job_manager_validate_rsl`,
/// `gram/jobmanager/source/globus_gram_job_manager_validate.c`).
///
/// The request must already have canonical attribute names (`canonicalizingAttributes()`), as
/// in the job manager, which canonicalises right after parsing.
public enum RSLValidator {
    public static func validate(_ rsl: RSLNode, table: RVFTable, when: RVFWhen) throws(GRAMError) -> RSLValidation {
        guard case .boolean(.and, let operands) = rsl else {
            throw GRAMError(.badRSL, "the request must be an \"&\" of relations, like &(executable=/bin/date)")
        }
        var relations: [RSLRelation] = []
        for operand in operands {
            guard case .relation(let relation) = operand else {
                throw GRAMError(.badRSL, "a nested \"&\", \"|\" or \"+\" is not supported inside a job request")
            }
            try check(relation, table: table, when: when)
            relations.append(relation)
        }
        var present = Set(relations.map(\.attribute))
        var defaults: [RSLRelation] = []
        var defaulted: [String] = []
        for record in table.records {
            if let text = record.defaultValue, (record.defaultWhen ?? .never).intersection(when) != [],
               !present.contains(record.attribute) {
                let relation: RSLRelation
                do throws(RSLError) {
                    guard case .relation(let r) = try RSLParser.parse("\(record.attribute) = \(text)") else {
                        throw RSLError(.syntax, "not a single value")
                    }
                    relation = r
                } catch {
                    throw GRAMError(.readingValidationFile,
                                    "the default of \"\(record.attribute)\" in the RSL validation file is not an RSL value: \(error.message)")
                }
                defaults.append(RSLRelation(attribute: record.attribute, op: .equal, values: relation.values))
                defaulted.append(record.attribute)
                present.insert(record.attribute)
            }
            if (record.requiredWhen ?? .never).intersection(when) != [], !present.contains(record.attribute) {
                if record.attribute == "executable" {
                    throw GRAMError(.undefinedExe, "the request names no executable")
                }
                throw GRAMError(.undefinedAttribute, "the request lacks the required attribute \"\(record.attribute)\"")
            }
        }
        return RSLValidation(rsl: .boolean(.and, (defaults + relations).map(RSLNode.relation)), defaulted: defaulted)
    }

    private static func check(_ relation: RSLRelation, table: RVFTable, when: RVFWhen) throws(GRAMError) {
        let name = relation.attribute
        guard relation.op == .equal else {
            throw GRAMError(.badRSL, "the job manager does not support the RSL operator \"\(relation.op.rawValue)\" for the \(name) attribute",
                            at: relation.position)
        }
        guard let record = table.record(for: name), record.attribute == name else {
            throw GRAMError(.parameterNotSupported, "the RSL attribute \"\(name)\" is not supported by the LRM adapter",
                            at: relation.position)
        }
        if (record.validWhen ?? .never).intersection(when).isEmpty {
            switch when {
            case .restart: throw GRAMError(.invalidRestartAttribute, "Invalid RSL attribute \"\(name)\" for restart", at: relation.position)
            case .stdioUpdate: throw GRAMError(.invalidStdioUpdateAttribute, "Invalid RSL attribute \"\(name)\" for stdio_update", at: relation.position)
            default: throw GRAMError(.invalidSubmitAttribute, "Invalid RSL attribute \"\(name)\" for submit", at: relation.position)
            }
        }
        if let allowed = record.values {
            guard let value = relation.singleLiteral else {
                throw GRAMError(GRAMAttributeErrors.shape(name), "RSL attribute \"\(name)\" takes one of: \(allowed)",
                                at: relation.position)
            }
            // A substring test, as the job manager's strstr: "mult" passes for "multiple".
            if !value.isEmpty && !allowed.contains(value) {
                let code = GRAMAttributeErrors.value(name)
                throw GRAMError(code == .invalidSchedulerSpecific ? .rslSchedulerSpecific : code,
                                "RSL attribute \"\(name)\" has value \"\(value)\" which is not one of the allowed values (\(allowed))",
                                at: relation.position)
            }
        }
    }
}
