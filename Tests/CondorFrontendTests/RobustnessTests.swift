import Testing
@testable import CondorFrontend

/// Bad input never crashes: every prefix and some mutations of real files and expressions
/// either parse or throw.
@Suite struct RobustnessTests {
    static let submit = """
        universe = vanilla
        executable = /bin/echo
        arguments = "one 'two three' ""four\"""
        environment = "A=1 B='x y'"
        request_memory = 2GB
        if defined X
        arguments = $(Y:$(Z)) $INT(N) $F(
        endif
        queue 2 x in [1:3] (a, b, c)
        queue a b from (
        1 2
        )
        """

    @Test func everyPrefixOfASubmitFile() {
        let chars = Array(Self.submit)
        for n in 0...chars.count {
            _ = try? CondorSubmit.parse(text: String(chars[..<n]), file: "p.sub", cwd: "/tmp", environment: [:])
        }
        for junk in ["$(", "$$(", "queue (", "queue in [", "@=x", "+ = 1", "=", "if", "elif", "queue 99999999999999999999", "\u{0}", "\\"] {
            _ = try? CondorSubmit.parse(text: "executable=/bin/echo\n" + junk + "\nqueue\n", file: "j.sub", cwd: "/tmp", environment: [:])
        }
    }

    @Test func everyPrefixOfAnExpression() {
        let expr = #"ifThenElse(a =?= undefined, {1, [b = "x\"y"; c = b]}[0] + 1.5e3, strcat("a", 'q q') ?: -(3 >>> 1))"#
        let chars = Array(expr)
        for n in 0...chars.count { _ = ClassAdEvalCommand.run(lines: [String(chars[..<n])]) }
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(ClassAdEvalCommand.run(lines: [deep]) == ["PARSE_ERROR"])
    }
}
