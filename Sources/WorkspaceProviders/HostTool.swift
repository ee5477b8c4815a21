import Foundation

/// A host program the local provider runs as root (`mkfs.ext4`, `mount`, `ip`, `tc`), found at
/// a fixed place: the daemon's PATH is whatever started it, and a root daemon must not run a
/// program some directory in it happens to hold.
struct HostTool: Sendable {
    let path: String

    /// The first of `candidates` that is executable, if any.
    static func find(_ candidates: [String]) -> HostTool? {
        candidates.first { access($0, X_OK) == 0 }.map(HostTool.init)
    }

    struct Failure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "\(command) exited with \(status)\(output.isEmpty ? "" : ": " + output)" }
    }

    /// Runs the program with `arguments`, its output captured; throws what it said on failure.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read before waiting: a full pipe would block the child.
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw Failure(command: ([path] + arguments).joined(separator: " "), status: process.terminationStatus,
                          output: String(text.suffix(500)))
        }
        return text
    }
}
