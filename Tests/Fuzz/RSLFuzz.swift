// libFuzzer entry for the RSL parser, evaluator and unparser (see run-rsl-fuzz.sh).
//
// Beyond "never crash", it checks two properties on every input the parser accepts:
// the unparse parses again, and unparsing that gives the same text (the canonical form is a
// fixed point); evaluation either fails cleanly or leaves only literals and sequences.
import GRAMFrontend

@_cdecl("LLVMFuzzerTestOneInput")
public func rslFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let tree = try? RSLParser.parse(text) else { return 0 }
    if let canonical = try? RSLUnparser.unparse(tree) {
        guard let again = try? RSLParser.parse(canonical) else {
            fatalError("canonical unparse does not parse again: \(canonical.debugDescription)")
        }
        guard let twice = try? RSLUnparser.unparse(again), twice == canonical else {
            fatalError("canonical unparse is not a fixed point: \(canonical.debugDescription)")
        }
    }
    let bindings = ["A": "1", "HOME": "/home/u", "x": "y"]
    if let evaluated = try? RSLEvaluator.evaluate(tree.canonicalizingAttributes(), bindings: bindings) {
        func plain(_ v: RSLValue) -> Bool {
            switch v {
            case .literal: true
            case .sequence(let items): items.allSatisfy(plain)
            default: false
            }
        }
        func check(_ n: RSLNode) {
            switch n {
            case .relation(let r): if !r.values.allSatisfy(plain) { fatalError("evaluation left a variable") }
            case .boolean(_, let ops): ops.forEach(check)
            }
        }
        check(evaluated)
        _ = try? RSLValidator.validate(evaluated, table: .workspace, when: .submit)
    }
    return 0
}
