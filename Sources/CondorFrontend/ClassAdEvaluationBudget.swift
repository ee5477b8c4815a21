/// What one evaluation may spend. Expressions come from users (submit files, BLAH ads, job
/// requirements matched in the daemon), and a few lines can ask for unbounded work: attributes
/// that each refer twice to the next (`[a = b + b; b = c + c; ...]` doubles per level), strings
/// that double with every `strcat`, a regular expression that backtracks forever. A spent budget
/// makes the evaluation `ERROR`, as HTCondor gives for what it cannot evaluate.
///
/// One budget serves one top-level `evaluate` and every nested evaluation it makes; the evaluator
/// is a value type that copies itself inward, so the budget is a shared reference. Evaluation is
/// single-threaded: nothing else touches it meanwhile.
final class ClassAdEvaluationBudget: @unchecked Sendable {
    /// Expressions evaluated (every node, every attribute lookup).
    static let maxSteps = 200_000
    /// Bytes of strings and list items produced, all together.
    static let maxBytes = 64 << 20
    /// The longest string one value may hold.
    static let maxStringBytes = 1 << 20
    /// The longest pattern and subject of `regexp`, and the progress reports one match may take.
    static let maxRegexPattern = 4096
    static let maxRegexSubject = 1 << 16
    static let maxRegexProgress = 2_000

    private(set) var steps = 0
    private(set) var bytes = 0

    var isSpent: Bool { steps > Self.maxSteps || bytes > Self.maxBytes }

    /// Counts one step; false once the budget is spent.
    func step() -> Bool {
        steps += 1
        return !isSpent
    }

    /// Charges what a value holds; a string over the size limit, or a spent budget, is `ERROR`.
    func admit(_ v: ClassAdValue) -> ClassAdValue {
        switch v {
        case .string(let s):
            let n = s.utf8.count
            if n > Self.maxStringBytes { bytes = Self.maxBytes + 1 }
            bytes += n
        case .list(let items):
            bytes += items.count * 16
        default: break
        }
        return isSpent ? .error : v
    }
}
