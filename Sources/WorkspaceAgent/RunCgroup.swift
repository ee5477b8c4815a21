#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A per-run child of the workspace's cgroup: it carries the run's own memory and process
/// limits and tells, after the run, whether the kernel's OOM killer ended it.
struct RunCgroup {
    enum Version: String { case v1, v2 }

    /// Where a workspace's runs get their cgroups.
    struct Parents {
        var version: Version
        /// v1: the workspace's memory-controller directory; v2: the workspace's directory.
        var memory: String
        /// v1: the workspace's pids-controller directory, if the agent was given one.
        var pids: String?
    }

    let version: Version
    /// The run's directory for memory (v2: for every controller).
    let path: String
    /// v1: the run's directory under the pids controller.
    let pidsPath: String?

    init(_ parents: Parents, name: String) {
        version = parents.version
        path = parents.memory + "/" + name
        pidsPath = parents.version == .v1 ? parents.pids.map { $0 + "/" + name } : nil
    }

    /// What `create` made: the `cgroup.procs` files the child joins, and the limits that could not
    /// be applied (the run goes on without them).
    struct Made {
        var procs: [String] = []
        var notApplied: [String] = []
    }

    /// Creates the run's directories with its limits.
    func create(memoryMB: Int?, maxProcesses: Int?) -> Made {
        var made = Made()
        do {
            try makeDirectory(path)
            made.procs.append(path + "/cgroup.procs")
            if let mb = memoryMB {
                let bytes = String(UInt64(mb) * 1024 * 1024)
                switch version {
                case .v1: try write(bytes, to: "memory.limit_in_bytes")
                case .v2:
                    try write(bytes, to: "memory.max")
                    try? write("0", to: "memory.swap.max")
                }
            }
        } catch {
            made.notApplied.append("memory limit not applied: \(error)")
        }
        guard let max = maxProcesses else { return made }
        do {
            switch (version, pidsPath) {
            case (.v2, _): try write(String(max), to: "pids.max")
            case (.v1, let pids?):
                try makeDirectory(pids)
                try write(String(max), to: "pids.max", in: pids)
                made.procs.append(pids + "/cgroup.procs")
            case (.v1, nil):
                // No pids hierarchy on this host: the workspace's enforcement list says so once;
                // each run need not.
                break
            }
        } catch {
            made.notApplied.append("process limit not applied: \(error)")
        }
        return made
    }

    private func makeDirectory(_ dir: String) throws {
        if mkdir(dir, 0o755) != 0 && errno != EEXIST { throw CgroupFailure("mkdir \(dir): \(String(cString: strerror(errno)))") }
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

    /// Kills what is left and removes the directories.
    func remove() {
        for dir in [path] + (pidsPath.map { [$0] } ?? []) {
            for _ in 0..<50 {
                let procs = read("cgroup.procs", in: dir).split(separator: "\n").compactMap { Int32($0) }
                if procs.isEmpty { break }
                for p in procs { kill(p, SIGKILL) }
                usleep(10_000)
            }
            rmdir(dir)
        }
    }

    private func write(_ value: String, to file: String, in dir: String? = nil) throws {
        let dir = dir ?? path
        let fd = open(dir + "/" + file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CgroupFailure("open \(dir)/\(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let ok = value.withCString { Glibc.write(fd, $0, strlen($0)) >= 0 }
        if !ok { throw CgroupFailure("write \(value) to \(dir)/\(file): \(String(cString: strerror(errno)))") }
    }

    private func read(_ file: String, in dir: String? = nil) -> String {
        (try? String(contentsOfFile: (dir ?? path) + "/" + file, encoding: .utf8)) ?? ""
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
