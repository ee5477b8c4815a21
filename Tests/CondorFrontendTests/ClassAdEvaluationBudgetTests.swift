import Testing
@testable import CondorFrontend

/// Expressions that ask for unbounded work end in `ERROR` within the evaluation budget, while
/// ordinary ones are untouched.
@Suite struct ClassAdEvaluationBudgetTests {
    func eval(_ s: String) -> String { ClassAdEvalCommand.run(lines: [s])[0] }

    /// `a0 = a1 + a1; a1 = a2 + a2; ...`: 2^40 additions without a budget.
    func doubling(_ levels: Int, _ op: (String) -> String, leaf: String) -> String {
        let fields = (0..<levels).map { "a\($0) = \(op("a\($0 + 1)"))" } + ["a\(levels) = \(leaf)"]
        return "[" + fields.joined(separator: "; ") + "].a0"
    }

    @Test func exponentialReferencesAreAnError() {
        #expect(eval(doubling(40, { "\($0) + \($0)" }, leaf: "1")) == "error")
        // Within the budget the same shape still evaluates: 2^10 = 1024.
        #expect(eval(doubling(10, { "\($0) + \($0)" }, leaf: "1")) == "1024")
    }

    @Test func stringsThatDoubleAreAnError() {
        #expect(eval(doubling(40, { "strcat(\($0), \($0))" }, leaf: "\"ab\"")) == "error")
        #expect(eval(doubling(40, { "join(\"\", \($0), \($0))" }, leaf: "\"ab\"")) == "error")
        #expect(eval(doubling(3, { "strcat(\($0), \($0))" }, leaf: "\"ab\"")) == "\"abababababababab\"")
        // One string holds at most 1 MiB.
        let kib = "\"" + String(repeating: "x", count: 1024) + "\""
        #expect(eval("size(strcat(" + Array(repeating: kib, count: 1024).joined(separator: ",") + "))") == "1048576")
        #expect(eval("size(strcat(" + Array(repeating: kib, count: 1025).joined(separator: ",") + "))") == "error")
    }

    @Test func catastrophicRegexIsAnError() {
        let subject = String(repeating: "a", count: 40)
        #expect(eval("regexp(\"(a*)*b\", \"\(subject)\")") == "error")
        #expect(eval("regexp(\"^a+$\", \"\(subject)\")") == "true")
        #expect(eval("regexp(\"b\", \"\(subject)\")") == "false")
    }

    @Test func eachTopLevelEvaluationHasItsOwnBudget() throws {
        var ad = ClassAd()
        try ad.insert("Big", expression: doubling(14, { "\($0) + \($0)" }, leaf: "1"))
        // 2^14 additions, about 50k steps each time: many evaluations of it never add up.
        for _ in 0..<10 { #expect(ad.evaluate("Big") == .int(16384)) }
    }
}
