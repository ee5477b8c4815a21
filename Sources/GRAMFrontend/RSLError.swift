/// Why an RSL text could not be read, evaluated or written back, and where.
public struct RSLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// A character no RSL token starts with (`?`, `~`, `*`, a lone `!` ...).
        case invalidCharacter
        /// A quoted or `^`-delimited literal that is never closed.
        case unterminatedQuote
        /// A `(*` comment that is never closed.
        case unterminatedComment
        /// The tokens do not follow the RSL grammar.
        case syntax
        /// A complete specification is followed by more text. The C library silently ignores
        /// some such tails; wsbridge refuses them so that no part of a job is lost unseen.
        case trailingInput
        /// The nesting of parentheses is too deep to be a real job description.
        case tooDeep
        /// `$(NAME)` with no binding, a malformed `rsl_substitution`, a default value, or a
        /// concatenation of a sequence.
        case evaluation
        /// The tree cannot be written back (a variable whose name is not a literal).
        case unparse
    }

    public var kind: Kind
    public var message: String
    /// Where the problem is; `nil` only for errors about a tree built in code.
    public var position: RSLPosition?

    public init(_ kind: Kind, _ message: String, at position: RSLPosition? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public var description: String {
        if let p = position { return "RSL \(p): \(message)" }
        return "RSL: \(message)"
    }
}
