import Testing
@testable import CondorFrontend

/// Argument and environment syntaxes (condor.md §1.4, §1.5; `condor_arglist.cpp`, `env.cpp`).
@Suite struct SyntaxTests {
    @Test func v1Arguments() throws {
        #expect(try ArgumentsSyntax.parse(#"one \"two\" 'three'"#).argv == ["one", "\"two\"", "'three'"])
        #expect(try ArgumentsSyntax.parse("a\tb   c").argv == ["a", "b", "c"])
        #expect(throws: ArgumentsSyntax.ParseError(message: #"Found illegal unescaped double-quote: "quoted""#)) {
            try ArgumentsSyntax.parse(#"-c echo\ hi -x "quoted""#)
        }
    }

    @Test func v2Arguments() throws {
        let p = try ArgumentsSyntax.parse(#""one ""two"" 'spacey ''quoted'' argument'""#)
        #expect(p.argv == ["one", "\"two\"", "spacey 'quoted' argument"])
        #expect(!p.inputWasV1)
        #expect(ArgumentsSyntax.v2Raw(try ArgumentsSyntax.parse(#""one 'two with spaces' 3""#).argv) == "one two' 'with' 'spaces 3")
        // A quote opens a quoted run and is doubled inside it (HTCondor agrees, corpus 079).
        #expect(ArgumentsSyntax.v2Raw(["a", "", "it's"]) == "a '' it''''s")
        #expect(throws: ArgumentsSyntax.ParseError.self) { try ArgumentsSyntax.parse(#""one 'two three""#) }
        #expect(throws: ArgumentsSyntax.ParseError(message: "Unterminated double-quote.")) { try ArgumentsSyntax.parse(#""one two"#) }
    }

    @Test func environments() throws {
        #expect(try EnvironmentSyntax.parse("b=2 a=1") == ["b": "2 a=1"])
        #expect(EnvironmentSyntax.v2Raw(try EnvironmentSyntax.parse(#""b=2 a=1""#)) == "a=1 b=2")
        #expect(try EnvironmentSyntax.parse("|a=1|b=x y") == ["a": "1", "b": "x y"])
        #expect(try EnvironmentSyntax.parse(#""one=1 two=""2"" three='spacey ''quoted'' value'""#)
                == ["one": "1", "two": "\"2\"", "three": "spacey 'quoted' value"])
        #expect(try EnvironmentSyntax.parse(#"one=1;two=2;three="quotes have no 'special' meaning""#)["three"]
                == #""quotes have no 'special' meaning""#)
        #expect(throws: EnvironmentSyntax.ParseError(message: "ERROR: Missing '=' after environment variable 'B'.")) {
            try EnvironmentSyntax.parse(#""A=1 B""#)
        }
        #expect(EnvironmentSyntax.v1Raw(["b": "2", "a": "1"]) == "a=1;b=2")
    }

    @Test func resourceUnits() {
        let mib: Int64 = 1024 * 1024
        #expect(ResourceUnits.parse("2.2Gb", base: mib) == 2253)
        #expect(ResourceUnits.parse("1.7GB", base: mib) == 1741)
        #expect(ResourceUnits.parse("1024K", base: mib) == 1)
        #expect(ResourceUnits.parse("700MB", base: 1024) == 716800)
        #expect(ResourceUnits.parse("3Gb", base: 1024) == 3145728)
        #expect(ResourceUnits.parse("512", base: mib) == 512)
        #expect(ResourceUnits.parse("10X", base: mib) == nil)
        #expect(ResourceUnits.parse("100 + 28", base: mib) == nil)
        #expect(ResourceUnits.parse("lots", base: mib) == nil)
    }
}
