import Testing
@testable import GRAMFrontend

private func validate(_ text: String, when: RVFWhen = .submit) throws -> RSLValidation {
    let tree = try RSLParser.parse(text).canonicalizingAttributes()
    return try RSLValidator.validate(tree, table: .workspace, when: when)
}

private func code(_ text: String, when: RVFWhen = .submit) -> GRAMErrorCode? {
    do {
        _ = try validate(text, when: when)
        return nil
    } catch let e as GRAMError {
        return e.code
    } catch {
        return nil
    }
}

@Test("job-manager validation errors and their GRAM codes", arguments: [
    ("x = 1", GRAMErrorCode.badRSL),
    ("|(executable = /bin/date)", .badRSL),
    ("&(executable = /bin/date)(&(count = 1))", .badRSL),
    ("&(executable = /bin/date)(count > 1)", .badRSL),
    ("&(executable = /bin/date)(bogus_attr = 1)", .parameterNotSupported),
    ("&(executable = /bin/date)(restart = x)", .invalidSubmitAttribute),
    ("&(executable = /bin/date)(job_type = foo)", .invalidJobType),
    ("&(executable = /bin/date)(job_type = single multiple)", .rslJobType),
    ("&(executable = /bin/date)(gram_my_job = whatever)", .invalidGramMyJob),
    ("&(executable = /bin/date)(dry_run = maybe)", .rslSchedulerSpecific),
    ("&(executable = /bin/date)(save_state = maybe)", .invalidSaveState),
    ("&(arguments = a)", .undefinedExe),
])
func submitErrors(text: String, expected: GRAMErrorCode) {
    #expect(code(text) == expected)
}

@Test("restart and stdio update have their own codes and required attributes")
func otherOperations() {
    #expect(code("&(executable = /bin/date)(restart = x)", when: .restart) == .invalidRestartAttribute)
    #expect(code("&(stdout = /tmp/o)(count = 1)", when: .stdioUpdate) == .invalidStdioUpdateAttribute)
    #expect(code("&(stdout = /tmp/o)", when: .restart) == .undefinedAttribute)
    #expect(code("&(restart = x)(stdout_position = 5)", when: .restart) == nil)
}

@Test("enumerations are a substring test, like strstr in the job manager")
func substringEnumeration() {
    #expect(code("&(executable = /bin/date)(job_type = mult)") == nil)
    #expect(code("&(executable = /bin/date)(job_type = \"\")") == nil)
}

@Test("defaults are inserted in front, in table order, and reported")
func defaults() throws {
    let v = try validate("&(executable = /bin/date)(count = 3)")
    #expect(v.defaulted == ["directory", "stdin", "stdout", "stderr", "jobtype", "grammyjob", "dryrun",
                            "librarypath", "savejobdescription", "expiration"])
    #expect(try RSLUnparser.unparse(v.rsl) == #"&("directory" = $("HOME") )("stdin" = "/dev/null" )("stdout" = "/dev/null" )("stderr" = "/dev/null" )("jobtype" = "multiple" )("grammyjob" = "collective" )("dryrun" = "no" )("librarypath" = $("GLOBUS_LOCATION") # "/lib" )("savejobdescription" = "no" )("expiration" = "14400" )("executable" = "/bin/date" )("count" = "3" )"#)
}

@Test("our own attributes validate; errors carry the relation's position")
func workspaceAttributes() throws {
    _ = try validate("&(executable = /bin/date)(workspace_class = big)(xcount = 2)(min_disk = 100)(max_retries = 1)")
    do {
        _ = try validate("&(executable = /bin/date)\n(Bogus = 1)")
        Issue.record("expected an error")
    } catch let e as GRAMError {
        #expect(e.code == .parameterNotSupported)
        #expect(e.position?.line == 2)
        #expect(e.message == #"the RSL attribute "bogus" is not supported by the LRM adapter"#)
    }
}
