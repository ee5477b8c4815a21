import Testing
@testable import CondorFrontend

/// Evaluation results as HTCondor 24's evaluator gives them (the differential corpus holds
/// many more: Tests/condor-oracle/exprs/expressions.txt).
@Suite struct ClassAdEvaluatorTests {
    func eval(_ s: String) -> String { ClassAdEvalCommand.run(lines: [s])[0] }

    @Test func threeValuedLogic() {
        #expect(eval("undefined && false") == "false")
        #expect(eval("undefined || true") == "true")
        #expect(eval("true && undefined") == "undefined")
        #expect(eval("error && false") == "error")
        #expect(eval("false && error") == "false")
        #expect(eval("!undefined") == "undefined")
        #expect(eval("\"x\" || true") == "error")
    }

    @Test func arithmeticAndComparison() {
        #expect(eval("1 =?= 1.0") == "false")
        #expect(eval("1 == 1.0") == "true")
        #expect(eval("\"abc\" == \"ABC\"") == "true")
        #expect(eval("\"abc\" =?= \"ABC\"") == "false")
        #expect(eval("true + 1") == "2")
        #expect(eval("-5 / 2") == "-2")
        #expect(eval("3 / 0") == "error")
        #expect(eval("1/3.0") == "0.3333333333333333")
        #expect(eval("1 << 70") == "64")
        #expect(eval("1 == \"1\"") == "error")
    }

    @Test func functions() {
        #expect(eval("strcat(\"a\", 1, 2.5, true)") == "\"a12.500000000000000E+00true\"")
        #expect(eval("round(2.5)") == "2")
        #expect(eval("substr(\"abcdef\", 1, -1)") == "\"bcde\"")
        #expect(eval("stringListIMember(\"B\", \"a,b,c\")") == "true")
        #expect(eval("regexp(\"A\", \"a\", \"i\")") == "true")
        #expect(eval("ifThenElse(undefined, 1, 2)") == "undefined")
        #expect(eval("{1+1, 2}") == "{ 1 + 1,2 }")
        #expect(eval("[a=1;b=a+1].b") == "2")
        #expect(eval("1 +") == "PARSE_ERROR")
    }

    @Test func myAndTarget() throws {
        let job = try ClassAd.parseOld("""
            RequestMemory = 2048
            Requirements = TARGET.Memory >= MY.RequestMemory && Cpus >= 2
            """)
        let big = try ClassAd.parseOld("Memory = 4096\nCpus = 8")
        let small = try ClassAd.parseOld("Memory = 1024\nCpus = 8")
        #expect(job.evaluate("Requirements", target: big) == .bool(true))
        #expect(job.evaluate("Requirements", target: small) == .bool(false))
        #expect(job.evaluate("Requirements") == .undefined)
        // An attribute found in TARGET is evaluated with TARGET as its MY.
        let machine = try ClassAd.parseOld("Memory = 4096\nHalf = MY.Memory / 2")
        #expect(job.evaluate(expression: try ClassAdParser.parse("TARGET.Half"), target: machine) == .int(2048))
        #expect(job.oldText.contains("RequestMemory = 2048\n"))
    }

    @Test func circularReferencesAreErrors() throws {
        let ad = try ClassAd.parseOld("A = B\nB = A")
        #expect(ad.evaluate("A") == .error)
    }

    @Test func oldSyntaxStrings() throws {
        // Submit files use old ClassAd syntax: backslashes are literal (HTCondor 24 prints "a\nb").
        let e = try ClassAdParser.parse(#""a\nb""#, oldSyntax: true)
        #expect(e == .literal(.string(#"a\nb"#)))
        #expect(ClassAdUnparser.unparse(e) == #""a\nb""#)
        #expect(try ClassAdParser.parse(#""a\"b""#, oldSyntax: true) == .literal(.string("a\"b")))
    }
}
