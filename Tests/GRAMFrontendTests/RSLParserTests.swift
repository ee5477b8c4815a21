import Testing
@testable import GRAMFrontend

private func canonical(_ text: String) -> String? {
    try? RSLCommand.run(input: text, evaluate: false, defines: [:]).get()
}

private func parseError(_ text: String) -> RSLError? {
    if case .failure(let e) = RSLCommand.run(input: text, evaluate: false, defines: [:]) { return e }
    return nil
}

/// The ten strings of GCT `gram/rsl/source/test/parse-rsl.c`, which must parse. The expected
/// unparse text is what the Debian build of libglobus-rsl (11.3) prints for each.
@Test("upstream parse-rsl.c vectors parse, with the library's exact unparse", arguments: [
    ("x = 1", #""x" = "1" "#),
    ("&(x = 1)", #"&("x" = "1" )"#),
    ("&(x = (1 1) )", #"&("x" = ("1" "1" ) )"#),
    ("&(x = 1 1 )", #"&("x" = "1" "1" )"#),
    ("&(x != 1 1 )", #"&("x" != "1" "1" )"#),
    ("&(x > 1)", #"&("x" > "1" )"#),
    ("&(x < 1)", #"&("x" < "1" )"#),
    ("|(x < 1)", #"|("x" < "1" )"#),
    ("+(&(x < 1))", #"+(&("x" < "1" ))"#),
    ("&(rsl_substitution = (x y))(z = $(x))", #"&("rsl_substitution" = ("x" "y" ) )("z" = $("x") )"#),
])
func upstreamGoodVectors(input: String, expected: String) {
    #expect(canonical(input) == expected)
}

/// The ten strings of GCT `gram/rsl/source/test/parse-rsl-bad.c`, which must not parse.
@Test("upstream parse-rsl-bad.c vectors fail with a position", arguments: [
    "x = 1(", "(&x = 1)", "(x = (1 1) )&", "&(x y = 1 1 )", "&(x y != 1 1 )",
    "&(> 1 x )", "&(< x 1)", "|(< x 1)", "&&(+(x < 1))", "rsl_substitution = (x y))(z = $(x))",
])
func upstreamBadVectors(input: String) {
    let error = parseError(input)
    #expect(error != nil)
    #expect(error?.position != nil)
}

/// Expected texts from libglobus-rsl 11.3 run on each input.
@Test("lexical and grammar rules match the C library byte for byte", arguments: [
    (#"&(a = "it""s" 'it''s' ^!say "hi"!)"#, #"&("a" = "it""s" "it's" "say ""hi""" )"#),
    ("&(a=x+y&z|w)", #"&("a" = "x+y&z|w" )"#),
    ("&(a=$(HOME)/bin)", #"&("a" = $("HOME") # "/bin" )"#),
    ("&(a=/p/$(X))", #"&("a" = "/p/" # $("X") )"#),
    ("&(a=$(A)$(B))", #"&("a" = $("A") # $("B") )"#),
    (#"&(a="x"y)"#, #"&("a" = "x" "y" )"#),
    (#"&(a=x"y")"#, #"&("a" = "x" "y" )"#),
    (#"&(a=$(X)"y")"#, #"&("a" = $("X") "y" )"#),
    ("&(a = b # c # d)", #"&("a" = "b" # "c" # "d" )"#),
    ("&(a=((1 2) (3 (4))))", #"&("a" = (("1" "2" ) ("3" ("4" ) ) ) )"#),
    ("&(a<=1)(b>=2)(c<3)(d>4)(e!=5)(f=6)", #"&("a" <= "1" )("b" >= "2" )("c" < "3" )("d" > "4" )("e" != "5" )("f" = "6" )"#),
    ("&(* comment *)(a = b)", #"&("a" = "b" )"#),
    ("x = $(A B C)", #""x" = $("A" "B") "#),
    ("x = $(A (b c))", #""x" = $("A") "#),
    ("&(a=b\rc)", "&(\"a\" = \"b\rc\" )"),
    ("&(a = \"multi\nline\")", "&(\"a\" = \"multi\nline\" )"),
    (#"&("quoted attr" = v)"#, #"&("quoted attr" = "v" )"#),
    ("&(a=1)\n(b=2)\n", #"&("a" = "1" )("b" = "2" )"#),
    ("&(a=$(A)# $(B))", #"&("a" = $("A") # $("B") )"#),
    ("&(a=$($(A)))", #"&("a" = $($("A")) )"#.replacingOccurrences(of: #"$($("A"))"#, with: "")),
])
func libraryVectors(input: String, expected: String) {
    if input == "&(a=$($(A)))" {
        // A variable whose name is not a literal cannot be unparsed (the library returns NULL).
        #expect(parseError(input)?.kind == .unparse)
    } else {
        #expect(canonical(input) == expected)
    }
}

@Test("a literal may not start with + but may contain + & |")
func plusRules() throws {
    #expect(parseError("&(a=+x)") != nil)
    #expect(canonical("&(a=x+)") == #"&("a" = "x+" )"#)
}

@Test("user delimiter: any character after ^, doubled to escape, no closing caret")
func userDelimiter() throws {
    #expect(canonical("&(a=^|x||y|)") == #"&("a" = "x|y" )"#)
    #expect(canonical("&(a=^\nline\n)") == "&(\"a\" = \"line\" )")
    #expect(parseError("&(a=^")?.kind == .invalidCharacter)
}

@Test("a quoted value at the very end of the input is kept (the C library drops it)")
func quotedAtEnd() throws {
    #expect(canonical(#"x = a "b""#) == #""x" = "a" "b" "#)
    #expect(canonical(#"x = ^"a""b""#) == #""x" = "a""b" "#)
}

@Test("only space, tab and newline are whitespace: CRLF line ends fail as in the library")
func carriageReturn() throws {
    #expect(parseError("&(a=b)\r\n") != nil)
    #expect(canonical("&(a=b)\n\t ") == #"&("a" = "b" )"#)
}

@Test("text after a complete specification is refused with its position")
func trailingInput() throws {
    let e = try #require(parseError("&(a=b)?xyz"))
    #expect(e.kind == .trailingInput)
    #expect(e.position == RSLPosition(line: 1, column: 7, offset: 6))
    #expect(parseError("&(a=b) (* open")?.kind == .trailingInput)
    #expect(parseError("&(a=b) xyz")?.kind == .trailingInput)
}

@Test("errors carry line and column")
func positions() throws {
    let e = try #require(parseError("&(executable=/bin/date)\n (count = )"))
    #expect(e.kind == .syntax)
    #expect(e.position?.line == 2)
    #expect(e.position?.column == 11)
    #expect(e.message.contains("expected a value"))
    let q = try #require(parseError("&(a=\"never closed)"))
    #expect(q.kind == .unterminatedQuote)
    #expect(q.position == RSLPosition(line: 1, column: 5, offset: 4))
    let c = try #require(parseError("&(a=(* x"))
    #expect(c.kind == .unterminatedComment)
    let u = try #require(parseError("&(é=?)"))
    #expect(u.kind == .invalidCharacter)
    #expect(u.position?.column == 5)
}

@Test("booleans need an operand; bad characters and NUL are refused", arguments: [
    "&", "&()", "|", "+", "", "   ", "(* only a comment *)", "&(a=b?)", "&(a = !b)", "&(a=b)\u{0}", "&(a=\"x\u{0}\")", "&(a=~)",
])
func rejected(input: String) {
    #expect(parseError(input) != nil)
}

@Test("deep nesting is refused instead of exhausting the stack")
func deepNesting() throws {
    let deep = String(repeating: "&(", count: 5000) + "a=b" + String(repeating: ")", count: 5000)
    #expect(parseError(deep)?.kind == .tooDeep)
    let deepValue = "a = " + String(repeating: "(", count: 5000) + "x" + String(repeating: ")", count: 5000)
    #expect(parseError(deepValue)?.kind == .tooDeep)
    let longChain = "a = " + Array(repeating: "x", count: 20000).joined(separator: "#")
    #expect(canonical(longChain)?.hasPrefix(#""a" = "x" # "x""#) == true)
}

@Test("the parse tree has the library's shape")
func treeShape() throws {
    let tree = try RSLParser.parse("&(a = b # $(C) (d e))(f != g)")
    #expect(tree == .boolean(.and, [
        .relation(RSLRelation(attribute: "a", values: [
            .concatenation(.literal("b"), .variable([.literal("C")])),
            .sequence([.literal("d"), .literal("e")]),
        ])),
        .relation(RSLRelation(attribute: "f", op: .notEqual, values: [.literal("g")])),
    ]))
}

@Test("attribute names are canonicalised like the job manager's")
func canonicalNames() throws {
    #expect(RSLAttributeName.canonical("Max_Wall_Time") == "maxwalltime")
    #expect(RSLAttributeName.canonical("RSL_SUBSTITUTION") == "rslsubstitution")
    #expect(try RSLCommand.run(input: "&(Max_Time=1)(&(Job_Type=x))", evaluate: false, defines: [:],
                               canonicalizeAttributes: true).get() == #"&("maxtime" = "1" )(&("jobtype" = "x" ))"#)
}
