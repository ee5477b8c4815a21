import Testing
@testable import GRAMFrontend

private func evaluated(_ text: String, _ defines: [String: String] = [:]) -> Result<String, RSLError> {
    RSLCommand.run(input: text, evaluate: true, defines: defines)
}

@Test("rsl_substitution binds in order; later pairs see earlier ones (libglobus-rsl 11.3 output)")
func substitutionOrder() throws {
    #expect(try evaluated("&(rsl_substitution = (a b) ($(a) foo))(x = $(a) $(b))").get()
            == #"&("rsl_substitution" = ("a" "b" ) ("b" "foo" ) )("x" = "b" "foo" )"#)
    #expect(try evaluated("&(rsl_substitution=(C $(A)#x))(z = $(C) $(HOME)/bin)", ["A": "1", "HOME": "/home/u"]).get()
            == #"&("rsl_substitution" = ("C" "1x" ) )("z" = "1x" "/home/u/bin" )"#)
}

@Test("the first binding of a name in one scope wins; an inner scope shadows")
func bindingRules() throws {
    #expect(try evaluated("&(rsl_substitution = (a 1) (a 2))(x = $(a))").get()
            == #"&("rsl_substitution" = ("a" "1" ) ("a" "2" ) )("x" = "1" )"#)
    #expect(try evaluated("&(rsl_substitution = (a 1))(&(rsl_substitution = (a 2))(x = $(a)))(y = $(a))").get()
            == #"&("rsl_substitution" = ("a" "1" ) )(&("rsl_substitution" = ("a" "2" ) )("x" = "2" ))("y" = "1" )"#)
    #expect(try evaluated("&(x = $(HOME))(rsl_substitution = (HOME /elsewhere))", ["HOME": "/h"]).get()
            == #"&("x" = "/h" )("rsl_substitution" = ("HOME" "/elsewhere" ) )"#)
}

@Test("a substitution made in one operand of + is not visible in the next")
func scopesEnd() throws {
    guard case .failure(let e) = evaluated("+(&(rsl_substitution=(a b)))(&(x=$(a)))") else {
        Issue.record("expected an evaluation error")
        return
    }
    #expect(e.kind == .evaluation)
    #expect(e.message.contains("$(a)"))
}

@Test("evaluation errors", arguments: [
    "&(x = $(UNBOUND))",
    "&(x = $(A default))",
    "&(rsl_substitution = a)",
    "&(rsl_substitution = (a b c))",
    "&(rsl_substitution = ((a) b))",
    "&(x = $($(A)))",
    "&(x = $((a b)))",
])
func evaluationErrors(input: String) {
    guard case .failure(let e) = evaluated(input, ["A": "1"]) else {
        Issue.record("\(input) should fail to evaluate")
        return
    }
    #expect(e.kind == .evaluation)
    #expect(e.position != nil)
}

@Test("nested sequences keep their shape; concatenations fold")
func folding() throws {
    #expect(try evaluated("&(e = (A $(A)x) (B (c $(B))))", ["A": "1", "B": "2"]).get()
            == #"&("e" = ("A" "1x" ) ("B" ("c" "2" ) ) )"#)
    #expect(try evaluated("&(a = x#y#z)").get() == #"&("a" = "xyz" )"#)
}

@Test("rslsubstitution and RSL_Substitution are substitutions too")
func substitutionSpelling() throws {
    #expect(try evaluated("&(RSL_Substitution=(a b))(rslsubstitution=(c $(a)))(x=$(c))").get()
            == #"&("RSL_Substitution" = ("a" "b" ) )("rslsubstitution" = ("c" "b" ) )("x" = "b" )"#)
}

@Test("the symbol table: first insert wins per scope, lookups go outward")
func symbolTable() throws {
    var t = RSLSymbolTable(["A": "outer"])
    t.pushScope()
    t.insert("A", "inner")
    t.insert("A", "ignored")
    #expect(t.lookup("A") == "inner")
    t.popScope()
    #expect(t.lookup("A") == "outer")
    t.popScope()
    #expect(t.lookup("A") == "outer")
}
