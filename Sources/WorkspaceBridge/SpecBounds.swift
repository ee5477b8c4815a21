/// The range of every number a job may ask for. The API refuses a value outside its range with
/// the field's name and the range, so that no number a user writes can overflow anywhere behind
/// it (a Swift trap in the daemon would be a crash any local user could cause).
public enum SpecBounds {
    /// Processes of one submit (GRAM `count`, HTCondor `queue N`); the site's `[api] max_count`
    /// may lower it.
    public static let count = 1...100_000
    /// Among one owner's queued jobs, higher first (HTCondor's `priority` is usually small).
    public static let priority = -1_000_000...1_000_000
    public static let cpus = 1...4096
    /// Up to 16 TiB.
    public static let memoryMB = 1...(16 << 20)
    /// Up to 1 PiB.
    public static let diskMB = 1...(1 << 30)
    /// Up to ten years.
    public static let seconds = 1...315_360_000
    public static let maxRetries = 0...1000

    /// Checks `value` against `range`, naming the field in the error.
    public static func check(_ field: String, _ value: Int?, in range: ClosedRange<Int>) throws(JobSpecError) {
        guard let value, !range.contains(value) else { return }
        throw .outOfRange(field: field, value: value, range: range)
    }
}
