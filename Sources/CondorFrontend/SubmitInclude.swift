import Foundation

/// `include [ifexist] [command [into FILE]] : SOURCE`: the lines of a file, or of a command's
/// output (`SOURCE` ending in `|`, or the `command` option), read in place of the statement
/// (`Parse_macros` and `Open_macro_source` in src/condor_utils/config.cpp).
extension SubmitFileReader {
    /// The words of `include [ifexist|ifexists] [output|command [into FILE]] :` (config.cpp
    /// `parse_include_options`).
    struct IncludeOptions: Equatable {
        var ifExists = false
        var command = false
        var into: String?
        struct InvalidOptions: Error {}

        init(_ words: [String]) throws(InvalidOptions) {
            var rest = words[...]
            if let w = rest.first, w == "ifexist" || w == "ifexists" { ifExists = true; rest = rest.dropFirst() }
            if let w = rest.first {
                guard w == "output" || w == "command" else { throw InvalidOptions() }
                command = true
                rest = rest.dropFirst()
                if let w = rest.first {
                    guard w == "into", rest.count == 2 else { throw InvalidOptions() }
                    into = rest.last
                    rest = []
                }
            }
            guard rest.isEmpty else { throw InvalidOptions() }
        }
    }

    mutating func include(_ arg: String, options words: [String], line: Int, source: String, depth: Int,
                                  macros: inout SubmitMacros, conditionals: inout SubmitConditionals,
                                  procs: inout [SubmitProc], state: inout QueueState) throws(SubmitError) {
        let options: IncludeOptions
        do { options = try IncludeOptions(words) } catch {
            throw SubmitError(.syntax, file: source, line: line,
                "invalid include options '\(words.joined(separator: " "))': expected [ifexist] [command [into FILE]]")
        }
        let target: String
        do { target = try macros.expand(arg) } catch { throw SubmitError(.syntax, file: source, line: line, error.message) }
        guard depth < Self.maxIncludeDepth else {
            throw SubmitError(.syntax, file: source, line: line, "includes nested more than \(Self.maxIncludeDepth) deep")
        }
        let command: SubmitCommand?
        do { command = try SubmitCommand.parse(target, forced: options.command) } catch {
            throw SubmitError(.syntax, file: source, line: line, "include \(target): \(error)")
        }
        let name: String
        let data: Data
        if let command {
            var cache: String?
            if let into = options.into {
                let file: String
                do { file = SubmitLexer.trim(try macros.expand(into)) } catch { throw SubmitError(.syntax, file: source, line: line, error.message) }
                if file.isEmpty || file.hasSuffix("|") {
                    throw SubmitError(.syntax, file: source, line: line, "destination for 'include into' must be a file name")
                }
                cache = file
            }
            if let cache, let cached = FileManager.default.contents(atPath: absolute(cache)) {
                // `include command into FILE`: the command ran before; its output is the file.
                (name, data) = (cache, cached)
            } else {
                name = command.text + " |"
                data = try run(command, line: line, source: source)
                if let cache, !FileManager.default.createFile(atPath: absolute(cache), contents: data) {
                    throw SubmitError(.io, file: source, line: line, "cannot write the output of '\(command.text)' into \(cache)")
                }
            }
        } else {
            guard let contents = FileManager.default.contents(atPath: absolute(target)) else {
                if options.ifExists { return }
                throw SubmitError(.io, file: source, line: line, "Failed to open include file \(target)")
            }
            (name, data) = (target, contents)
        }
        let text = try SubmitText.decode(data, file: name)
        try readLines(SubmitLexer.lines(text), source: name, depth: depth + 1, macros: &macros,
                      conditionals: &conditionals, procs: &procs, state: &state)
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : cwd + "/" + path
    }

    /// Runs a command of the submit file (see `SubmitCommand`) and returns its output.
    func run(_ command: SubmitCommand, line: Int, source: String) throws(SubmitError) -> Data {
        do {
            return try command.run(cwd: cwd, environment: environment, timeout: commandTimeout)
        } catch {
            throw SubmitError(.io, file: source, line: line, "\(command.text) |: \(error)")
        }
    }
}
