import WorkspaceBridge

/// What a user or admin asked that cannot be done, with the API code.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    var code: String
    static func notFound(_ id: JobID) -> CommandError { .init(description: "no job \(id)", code: "not-found") }
    static func forbidden(_ id: JobID) -> CommandError {
        .init(description: "job \(id) belongs to another user; only its owner or an admin may see or change it", code: "forbidden")
    }
}
