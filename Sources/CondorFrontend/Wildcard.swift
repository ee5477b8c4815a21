/// Shell-style wildcard matching of a name against a pattern, used for the `getenv` match list:
/// `*`, `?` and `[...]` (with ranges), without touching the file system.
enum Wildcard {
    /// `*`, `?` and `[...]` globbing, without touching the file system.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern), s = Array(name)
        func m(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == s.count }
            switch p[i] {
            case "*":
                var k = j
                while true {
                    if m(i + 1, k) { return true }
                    if k == s.count { return false }
                    k += 1
                }
            case "?": return j < s.count && m(i + 1, j + 1)
            case "[":
                guard j < s.count, let close = p[(i + 1)...].firstIndex(of: "]") else { return j < s.count && p[i] == s[j] && m(i + 1, j + 1) }
                let set = p[(i + 1)..<close]
                var hit = false
                var k = set.startIndex
                while k < set.endIndex {
                    if k + 2 < set.endIndex, set[k + 1] == "-" {
                        if s[j] >= set[k] && s[j] <= set[k + 2] { hit = true }
                        k += 3
                    } else {
                        if s[j] == set[k] { hit = true }
                        k += 1
                    }
                }
                return hit && m(close + 1, j + 1)
            default: return j < s.count && p[i] == s[j] && m(i + 1, j + 1)
            }
        }
        return m(0, 0)
    }
}
