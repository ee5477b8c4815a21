import WorkspaceBridge

/// Chooses a workspace class for a job the way HTCondor matches a job to a slot: the job's
/// `Requirements` must evaluate to `true` against the class's ad (and the class's own
/// `Requirements`, `true` unless its attributes say otherwise, against the job: a symmetric
/// match), and `Rank` orders the classes that match, higher first, ties in configuration order.
public struct Matchmaker: Sendable {
    public var classes: [WorkspaceClass]
    public init(classes: [WorkspaceClass]) { self.classes = classes }

    /// A class that did not match and the first clause of the requirements that failed there.
    public struct Rejection: Sendable, Equatable, CustomStringConvertible {
        public var className: String
        public var clause: String
        public var value: String
        public var description: String { "\(className): \(clause) is \(value)" }
    }

    public enum Outcome: Sendable, Equatable {
        /// Matching classes, best rank first.
        case matched([String])
        case noMatch([Rejection])
    }

    /// Matches a job given as its requirements and rank expressions (the `JobSpec` form) and,
    /// optionally, its job ad (for `MY.` references such as `RequestMemory`).
    public func match(requirements: String, rank: String?, jobAd: ClassAd = ClassAd()) throws(ClassAdParseError) -> Outcome {
        let req = try ClassAdParser.parse(requirements, oldSyntax: true)
        let rankExpr = try rank.map { (r: String) throws(ClassAdParseError) in try ClassAdParser.parse(r, oldSyntax: true) }
        var matched: [(String, Double, Int)] = []
        var rejected: [Rejection] = []
        for (i, cls) in classes.enumerated() {
            let machine = cls.classAd
            let ok = jobAd.evaluate(expression: req, target: machine)
            let theirs = machine.evaluate("Requirements", target: jobAd)
            if ok == .bool(true) && theirs == .bool(true) {
                let r = rankExpr.map { jobAd.evaluate(expression: $0, target: machine).number ?? 0 } ?? 0
                matched.append((cls.name, r, i))
            } else if ok != .bool(true) {
                rejected.append(Self.explain(req, job: jobAd, machine: machine, className: cls.name))
            } else {
                rejected.append(Rejection(className: cls.name, clause: "the class's Requirements", value: theirs.unparsed))
            }
        }
        if matched.isEmpty { return .noMatch(rejected) }
        return .matched(matched.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }.map(\.0))
    }

    /// Matches a `JobSpec`: a named class must exist, `.any` takes the first class that fits the
    /// resource requests, `.requirements` goes through the ClassAd match above plus the fit.
    public func match(_ spec: JobSpec) throws(ClassAdParseError) -> Outcome {
        switch spec.workspace {
        case .named(let n):
            return classes.contains { $0.name == n } ? .matched([n])
                : .noMatch([Rejection(className: n, clause: "class name", value: "unknown")])
        case .any:
            let fit = classes.filter { $0.fits(spec.resources) }.map(\.name)
            return fit.isEmpty ? .noMatch(classes.map { Rejection(className: $0.name, clause: "resource requests", value: "too large") })
                : .matched(fit)
        case .requirements(let r, let rank):
            var ad = ClassAd()
            if case .condor(let o) = spec.origin {
                for (k, v) in o.ad { if let e = try? ClassAdParser.parse(v, oldSyntax: true) { ad[k] = e } }
            }
            if let m = spec.resources.memoryMB { ad.assign("RequestMemory", m) }
            if let c = spec.resources.cpus { ad.assign("RequestCpus", c) }
            let outcome = try match(requirements: r, rank: rank, jobAd: ad)
            guard case .matched(let names) = outcome else { return outcome }
            let fit = names.filter { n in classes.first { $0.name == n }!.fits(spec.resources) }
            return fit.isEmpty ? .noMatch(names.map { Rejection(className: $0, clause: "resource requests", value: "too large") }) : .matched(fit)
        }
    }

    /// Finds the first `&&` operand that is not `true`, for a readable reason.
    static func explain(_ req: ClassAdExpr, job: ClassAd, machine: ClassAd, className: String) -> Rejection {
        var clauses: [ClassAdExpr] = []
        func flatten(_ e: ClassAdExpr) {
            switch e {
            case .binary(.and, let a, let b): flatten(a); flatten(b)
            case .parenthesized(let inner) where { if case .binary(.and, _, _) = inner { true } else { false } }(): flatten(inner)
            default: clauses.append(e)
            }
        }
        flatten(req)
        for c in clauses {
            let v = job.evaluate(expression: c, target: machine)
            if v != .bool(true) { return Rejection(className: className, clause: ClassAdUnparser.unparse(c), value: v.unparsed) }
        }
        return Rejection(className: className, clause: ClassAdUnparser.unparse(req), value: job.evaluate(expression: req, target: machine).unparsed)
    }
}
