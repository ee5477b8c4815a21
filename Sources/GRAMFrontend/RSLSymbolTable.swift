/// The scoped symbol table of RSL evaluation (`globus_symboltable_t`).
///
/// Each boolean node opens a scope. Lookups search from the innermost scope outwards. Within one
/// scope the first binding of a name wins: a second `rsl_substitution` of the same name in the
/// same scope is ignored, exactly as the C library's hash-table insert behaves.
public struct RSLSymbolTable: Sendable, Equatable {
    private var scopes: [[String: String]]

    /// A table with one outer scope holding `bindings` (the job manager's predefined variables,
    /// or `--define` values).
    public init(_ bindings: [String: String] = [:]) {
        scopes = [bindings]
    }

    public mutating func pushScope() { scopes.append([:]) }

    public mutating func popScope() {
        if scopes.count > 1 { scopes.removeLast() }
    }

    /// Binds `name` in the innermost scope unless it is already bound there.
    public mutating func insert(_ name: String, _ value: String) {
        if scopes[scopes.count - 1][name] == nil { scopes[scopes.count - 1][name] = value }
    }

    public func lookup(_ name: String) -> String? {
        for scope in scopes.reversed() {
            if let v = scope[name] { return v }
        }
        return nil
    }
}
