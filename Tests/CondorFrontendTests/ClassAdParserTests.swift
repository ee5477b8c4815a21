import Testing
@testable import CondorFrontend

@Suite struct ClassAdParserTests {
    @Test func unparsesLikeHTCondor() throws {
        // Expected texts from HTCondor 24's printOld (src/classad/sink.cpp).
        let cases: [(String, String)] = [
            ("1+2*3", "1 + 2 * 3"),
            ("(1 + 2)   *3", "(1 + 2) * 3"),
            ("a =?= b && c is d || !e", "a =?= b && c =?= d ||  !e"),
            ("{1, 2,\"x\"}", "{ 1,2,\"x\" }"),
            ("[a = 1; b = 2]", "[ a = 1; b = 2 ]"),
            ("1.5e10", "15000000000.0"),
            ("-(-3)", " -(-3)"),
            ("1e-5", "1E-05"),
            ("x ?: y", "x ?: y"),
            ("'weird name' + 1", "'weird name' + 1"),
            ("strcat(\"a\", \"b\")", "strcat(\"a\",\"b\")"),
            ("\"a\\\"b\"", "\"a\\\"b\""),
        ]
        for (input, expected) in cases {
            #expect(ClassAdUnparser.unparse(try ClassAdParser.parse(input)) == expected, "\(input)")
        }
    }

    @Test func refusesWhatHTCondorRefuses() {
        for bad in ["1 +", "10K", "0x10", "(a", "\"open", "a b", ""] {
            #expect(throws: ClassAdParseError.self) { try ClassAdParser.parse(bad) }
        }
    }
}
