import Foundation

/// Runs a program to its end: returns its exit status and what it printed (standard output, and
/// standard error too unless `withStderr` is false, when it is thrown away).
func runCommand(_ path: String, _ args: [String], environment: [String: String]? = nil, directory: String? = nil,
                withStderr: Bool = true) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let environment { p.environment = environment }
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = withStderr ? pipe : FileHandle.nullDevice
    try p.run()
    // Read before waiting: a full pipe would block the child.
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
