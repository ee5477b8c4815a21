// libFuzzer entry for the ClassAd parser and evaluator (see run-classad-fuzz.sh): any text is
// parsed as an expression and, when it parses, evaluated against a job ad and a machine ad, and
// unparsed and parsed again. Nothing may trap, and evaluation must stay within its budget: the
// run's -timeout and -rss_limit_mb turn a runaway evaluation into a failure.
import CondorFrontend

let fuzzJobAd: ClassAd = {
    var ad = ClassAd()
    ad.assign("Owner", "u")
    ad.assign("RequestMemory", 512)
    try? ad.insert("Requirements", expression: "TARGET.Memory >= MY.RequestMemory && OpSys == \"LINUX\"")
    try? ad.insert("Loop", expression: "Loop + 1")
    try? ad.insert("Twice", expression: "strcat(Owner, Owner)")
    return ad
}()

let fuzzMachineAd: ClassAd = {
    var ad = ClassAd()
    ad.assign("Memory", 2048)
    ad.assign("OpSys", "LINUX")
    try? ad.insert("Rank", expression: "TARGET.RequestMemory")
    return ad
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func classAdFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expr = try? ClassAdParser.parse(text) else {
        _ = try? ClassAdParser.parse(text, oldSyntax: true)
        return 0
    }
    _ = ClassAdEvaluator(my: fuzzJobAd, target: fuzzMachineAd).evaluate(expr)
    _ = ClassAdEvaluator(my: nil).evaluate(expr)
    // The unparse is HTCondor's job-ad form, where only the delimiter is escaped: a string ending
    // in a backslash does not read back (as in HTCondor), so only "no trap" is asked of it.
    _ = try? ClassAdParser.parse(ClassAdUnparser.unparse(expr))
    return 0
}
