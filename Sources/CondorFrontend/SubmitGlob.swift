import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `queue ... matching [files|dirs|any] <globs>`: the items are the paths the globs match, as
/// `submit_expand_globs` (`src/condor_utils/submit_glob.cpp`) makes them with POSIX `glob(3)`:
///
/// * each pattern is expanded with `GLOB_MARK` (a directory gets a trailing `/`) and sorted by
///   byte value; the patterns keep their order, one after the other;
/// * a pattern may have directory parts with wildcards (`data/*/in-*.txt`); a path keeps the
///   spelling of the pattern's literal parts (`./a.dat`, `/abs/dir/x`);
/// * `*`, `?` and `[...]` never match a leading `.` (`.*` does, and matches `.` and `..` too);
///   a part without wildcards matches when it exists, even as a dangling link;
/// * `files` drops directories (anything ending in `/`); `dirs` keeps only directories from
///   wildcard parts (`GLOB_ONLYDIR`) but a literal path that exists is kept as it is;
/// * a path that an earlier pattern already produced is skipped (with a warning), unless
///   `submit_allow_duplicate_matches` is true; a pattern matching nothing gives a warning, or
///   an error when `submit_fail_empty_matches` is true.
///
/// Relative patterns are relative to the submit directory, and so are the items.
struct SubmitGlob {
    var cwd: String
    var kind: QueueStatement.MatchKind
    var allowDuplicates = false
    var failEmpty = false

    struct Result: Equatable {
        var items: [String]
        var warnings: [String]
    }

    enum Failure: Error, Equatable { case noMatches([String]) }

    func expand(_ patterns: [String]) throws(Failure) -> Result {
        var items: [String] = []
        var seen = Set<String>()
        var warnings: [String] = []
        var empty: [String] = []
        for pattern in patterns {
            var paths = glob(pattern, onlyDirs: kind == .dirs) ?? []
            paths.sort { Self.byteLess($0, $1) }
            if kind == .files { paths.removeAll { $0.hasSuffix("/") } }
            if paths.isEmpty {
                empty.append(pattern)
                warnings.append("'\(pattern)' does not match any files")
                continue
            }
            var mine: [String] = []
            for p in paths {
                if seen.contains(p) && !allowDuplicates {
                    warnings.append("'\(p)' matching pattern '\(pattern)' is a duplicate of item \(items.firstIndex(of: p) ?? 0), skipping")
                    continue
                }
                mine.append(p)
            }
            items += mine
            seen.formUnion(paths)
        }
        if failEmpty, !empty.isEmpty { throw .noMatches(empty) }
        return Result(items: items, warnings: warnings)
    }

    /// `strcmp` order (the C locale's collation), which is not Swift's `String` order.
    static func byteLess(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    // MARK: glob(3)

    /// The paths one pattern matches, marked, unsorted; `nil` when none.
    private func glob(_ pattern: String, onlyDirs: Bool) -> [String]? {
        guard !pattern.isEmpty else { return nil }
        guard let slash = pattern.lastIndex(of: "/") else {
            return inDirectory(nil, pattern: pattern, onlyDirs: onlyDirs)?.map { mark($0) }
        }
        let dirname = slash == pattern.startIndex ? "/" : String(pattern[..<slash])
        let filename = String(pattern[pattern.index(after: slash)...])
        if filename.isEmpty, dirname.utf8.count > 1 {
            // "pattern/": the directories the pattern matches, marked (glibc's glob; a literal
            // path is only checked for existence). A one-character directory part such as
            // "*/" goes the general way and gets a second slash ("d//"), as glibc does.
            return glob(dirname, onlyDirs: true)
        }
        let dirs: [String]
        if Self.hasWildcards(dirname) {
            guard let found = glob(dirname, onlyDirs: true) else { return nil }
            dirs = found.map { $0.hasSuffix("/") && $0.count > 1 ? String($0.dropLast()) : $0 }
        } else {
            dirs = [dirname]
        }
        var out: [String] = []
        for dir in dirs {
            for name in inDirectory(dir, pattern: filename, onlyDirs: onlyDirs) ?? [] {
                out.append(mark(dir == "/" ? "/" + name : dir + "/" + name))
            }
        }
        return out.isEmpty ? nil : out
    }

    /// Names in `dir` (the submit directory when `nil`) that `pattern` matches, as paths with
    /// the directory prefix when one was given.
    private func inDirectory(_ dir: String?, pattern: String, onlyDirs: Bool) -> [String]? {
        let prefix = dir.map { $0 == "/" ? "/" : $0 + "/" } ?? ""
        if !Self.hasWildcards(pattern) {
            let name = Self.unescape(pattern)
            return exists(prefix + name) ? [name] : nil
        }
        guard let stream = opendir(resolve(dir ?? ".")) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            guard fnmatch(pattern, name, FNM_PERIOD) == 0 else { continue }
            if onlyDirs, !isDirectory(prefix + name) { continue }
            names.append(name)
        }
        return names.isEmpty ? nil : names
    }

    private func mark(_ path: String) -> String {
        isDirectory(path) ? path + "/" : path
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : cwd + "/" + path
    }

    /// `lstat`: a dangling link exists.
    private func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(resolve(path), &st) == 0
    }

    /// `stat`: a link to a directory is a directory.
    private func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(resolve(path), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `glob(3)` treats the text as a pattern: an unescaped `*`, `?` or `[`.
    static func hasWildcards(_ s: String) -> Bool {
        var escaped = false
        for c in s.utf8 {
            if escaped { escaped = false; continue }
            switch c {
            case UInt8(ascii: "\\"): escaped = true
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["): return true
            default: break
            }
        }
        return false
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var escaped = false
        for c in s {
            if !escaped, c == "\\" { escaped = true; continue }
            escaped = false
            out.append(c)
        }
        return out
    }
}
