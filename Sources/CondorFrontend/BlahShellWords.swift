/// Splits text into words the way a POSIX shell does, without any expansion.
///
/// blahp hands job arguments and the V2 environment to the submit script as shell text: blahpd
/// converts `Arguments` with `ConvertArgs` (server.c) into one double-quoted word per argument,
/// the script keeps them as `bls_arguments=$*` (`bls_parse_submit_options`) and the batch script
/// it writes lets the shell split them again (`bls_start_job_wrapper`, `eval "env_array=(...)"`
/// for `-V`). That final shell split is what decides the job's argv on every upstream LRM, so it
/// is what we reproduce here: blanks separate words; `'...'` is literal; inside `"..."` a
/// backslash escapes only `$`, `` ` ``, `"`, `\` and newline; outside quotes a backslash escapes
/// any character and backslash-newline disappears. Unlike the batch script we expand nothing:
/// `$VAR`, `` `cmd` ``, `*` and the operators `; & | < >` stay literal characters, so a job
/// argument can never run a command on the gatekeeper or in the workspace.
public enum BlahShellWords {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func split(_ text: String) throws(ParseError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var it = text.makeIterator()
        while let c = it.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let q = it.next() {
                    if q == "'" { closed = true; break }
                    current.append(q)
                }
                if !closed { throw ParseError(message: "unterminated single quote in \(text.debugDescription)") }
            case "\"":
                inWord = true
                var closed = false
                while let q = it.next() {
                    if q == "\"" { closed = true; break }
                    if q == "\\" {
                        guard let e = it.next() else { break }
                        switch e {
                        case "$", "`", "\"", "\\": current.append(e)
                        case "\n": break
                        default: current.append("\\"); current.append(e)
                        }
                        continue
                    }
                    current.append(q)
                }
                if !closed { throw ParseError(message: "unterminated double quote in \(text.debugDescription)") }
            case "\\":
                guard let e = it.next() else {
                    // A trailing backslash is kept literally, as the shell does at end of input.
                    current.append("\\"); inWord = true; continue
                }
                if e == "\n" { continue }
                current.append(e)
                inWord = true
            default:
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// Quotes words so that `split` (and a shell) gives them back unchanged.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    public static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { c in
            c.isASCII && (c.isLetter || c.isNumber || "-_./=:,+@%".contains(c))
        }
        if plain { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
