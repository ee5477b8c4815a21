import Foundation
import Testing
@testable import CondorFrontend

/// Strings in and out of ClassAds: `ClassAdUnParser::UnparseString` (src/classad/sink.cpp),
/// `Lexer::tokenizeStringOld` (src/classad/lexer.cpp), `$(DOLLAR)` (src/condor_utils/config.cpp).
/// The generated differential in Tests/condor-oracle checks the same rules against HTCondor 24.
@Suite struct ClassAdStringTests {
    @Test func oldSyntaxEscapesOnlyTheDelimiter() {
        // sink.cpp: with oldClassAd set, only the delimiter gets a backslash.
        #expect(ClassAdUnparser.quote(#"C:\Condor\bin"#) == #""C:\Condor\bin""#)
        #expect(ClassAdUnparser.quote("a\"b\tc\nd\u{7F}é") == "\"a\\\"b\tc\nd\u{7F}é\"")
    }

    @Test func newSyntaxEscapesLikeUnparseString() {
        #expect(ClassAdUnparser.quote(#"C:\Condor\bin"#, syntax: .new) == #""C:\\Condor\\bin""#)
        #expect(ClassAdUnparser.quote("\u{07}\u{08}\u{0C}\n\r\t\u{0B}", syntax: .new) == #""\a\b\f\n\r\t\v""#)
        // Other bytes that isprint() rejects in the C locale, UTF-8 included, as octal.
        #expect(ClassAdUnparser.quote("\u{01}\u{1F}\u{7F}é😀", syntax: .new) == #""\001\037\177\303\251\360\237\230\200""#)
        #expect(ClassAdUnparser.quote("it's \"q\"", syntax: .new) == #""it's \"q\"""#)
        // Quoted attribute names use ' as the delimiter; a reserved word is quoted too.
        #expect(ClassAdUnparser.unparse(.attribute("it's"), syntax: .new) == #"'it\'s'"#)
        #expect(ClassAdUnparser.unparse(.attribute("parent")) == "'parent'")
    }

    @Test func newSyntaxOperatorsAndReals() throws {
        let e = try ClassAdParser.parse("a =?= 1.5 && b =!= \"x\\\\y\"")
        #expect(ClassAdUnparser.unparse(e) == #"a =?= 1.5 && b =!= "x\y""#)
        #expect(ClassAdUnparser.unparse(e, syntax: .new) == #"a is 1.500000000000000E+00 && b isnt "x\\y""#)
    }

    @Test func stringAndUnparseFunctionsUseNewSyntax() throws {
        // Checked with HTCondor 24: string({"a\\b", 1.5}) is { "a\\b",1.500000000000000E+00 }.
        let v = ClassAd().evaluate(expression: try ClassAdParser.parse(#"string({"a\\b", 1.5})"#))
        #expect(v == .string(#"{ "a\\b",1.500000000000000E+00 }"#))
    }

    @Test func oldSyntaxBackslashBeforeTheLastQuoteEndsTheString() throws {
        // lexer.cpp tokenizeStringOld: `\"` is a literal quote only when more text follows it.
        #expect(try ClassAdParser.parseSubmitExpression(#""C:\dir\""#) == .literal(.string(#"C:\dir\"#)))
        #expect(try ClassAdParser.parseSubmitExpression(#""a\"b""#) == .literal(.string(#"a"b"#)))
        #expect(try ClassAdParser.parseSubmitExpression(#""a\nb""#) == .literal(.string(#"a\nb"#)))
    }

    @Test func submitValuesKeepControlBytesAndDollar() throws {
        let text = "executable = /bin/echo\n+S = \"a\u{01}b$(DOLLAR)(x)$(dollar)\"\nqueue\n"
        let r = try CondorSubmit.parse(text: text, file: "t.sub", cwd: "/", environment: [:])
        #expect(r.jobs[0].ad.unparsed("S") == "\"a\u{01}b$(x)$\"")
        #expect(r.jobs[0].ad.unparsed("S", syntax: .new) == #""a\001b$(x)$""#)
    }

    @Test func bytesThatAreNotUTF8AreRefusedWithWhere() throws {
        let data = Data("executable = /bin/echo\n+S = \"ab".utf8) + Data([0xFF]) + Data("\"\nqueue\n".utf8)
        #expect(throws: SubmitError(.invalidValue, file: "t.sub", line: 2,
                                    "column 9: byte 0xFF is not valid UTF-8; save the file as UTF-8 (the bridge carries job text as Unicode)")) {
            try SubmitText.decode(data, file: "t.sub")
        }
        #expect(try SubmitText.decode(Data("é😀".utf8), file: "t.sub") == "é😀")
    }

    @Test func combiningMarksDoNotHideSyntax() throws {
        // HTCondor reads bytes; a combining mark after a quote, blank, `)` or `;` is one more
        // character, not part of it (the generated differential found each of these).
        #expect(try ArgumentsSyntax.parse("\"a '\u{301}b c'\u{301}\"").argv == ["a", "\u{301}b c\u{301}"])
        #expect(try EnvironmentSyntax.parse("A=1;\u{301}B=2") == ["A": "1", "\u{301}B": "2"])
        let text = "x = ab\nexecutable = /bin/echo\narguments = $(x)\u{301} $(Item)\nqueue in (\u{301}t)\n"
        let job = try CondorSubmit.parse(text: text, file: "t.sub", cwd: "/", environment: [:]).jobs[0]
        #expect(job.ad.unparsed("Args") == "\"ab\u{301} \u{301}t\"")
    }
}
