#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A per-run child of the workspace's cgroup: it carries the run's own memory limit and tells,
/// after the run, whether the kernel's OOM killer ended it.
struct RunCgroup {
    enum Version: String { case v1, v2 }
    /// For v1, the workspace's memory-controller directory; for v2, the workspace's directory.
    let parent: String
    let version: Version
    let path: String

    init(parent: String, version: Version, name: String) {
        self.parent = parent
        self.version = version
        self.path = parent + "/" + name
    }

    /// Creates it with the memory limit; returns the `cgroup.procs` file the child joins.
    func create(memoryMB: Int?) throws -> String {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw CgroupFailure("mkdir \(path): \(String(cString: strerror(errno)))") }
        if let mb = memoryMB {
            let bytes = String(UInt64(mb) * 1024 * 1024)
            switch version {
            case .v1: try write(bytes, to: "memory.limit_in_bytes")
            case .v2:
                try write(bytes, to: "memory.max")
                try? write("0", to: "memory.swap.max")
            }
        }
        return path + "/cgroup.procs"
    }

    /// Whether the OOM killer fired in this cgroup.
    func oomKilled() -> Bool {
        switch version {
        case .v1:
            // `oom_kill N` in memory.oom_control; older kernels only have the failure counter.
            let control = read("memory.oom_control")
            if let line = control.split(separator: "\n").first(where: { $0.hasPrefix("oom_kill ") }) {
                return Int(line.split(separator: " ").last ?? "0") ?? 0 > 0
            }
            return Int(read("memory.failcnt").trimmingWhitespace) ?? 0 > 0
        case .v2:
            let events = read("memory.events")
            if let line = events.split(separator: "\n").first(where: { $0.hasPrefix("oom_kill ") }) {
                return Int(line.split(separator: " ").last ?? "0") ?? 0 > 0
            }
            return false
        }
    }

    /// Kills what is left and removes the directory.
    func remove() {
        for _ in 0..<50 {
            let procs = read("cgroup.procs").split(separator: "\n").compactMap { Int32($0) }
            if procs.isEmpty { break }
            for p in procs { kill(p, SIGKILL) }
            usleep(10_000)
        }
        rmdir(path)
    }

    private func write(_ value: String, to file: String) throws {
        let fd = open(path + "/" + file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CgroupFailure("open \(path)/\(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let ok = value.withCString { Glibc.write(fd, $0, strlen($0)) >= 0 }
        if !ok { throw CgroupFailure("write \(value) to \(path)/\(file): \(String(cString: strerror(errno)))") }
    }

    private func read(_ file: String) -> String {
        (try? String(contentsOfFile: path + "/" + file, encoding: .utf8)) ?? ""
    }
}

struct CgroupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

extension String {
    /// Without leading and trailing white space and newlines (`trimmingCharacters(in: .whitespacesAndNewlines)`).
    var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<max(start, end)]
    }
}
