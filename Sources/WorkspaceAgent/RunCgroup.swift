#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A per-run child of the workspace's cgroup: it carries the run's own memory and process
/// limits and tells, after the run, whether the kernel's OOM killer ended it. Directories are
/// reused from run to run (`RunCgroupPool`), so each knows the limits it holds and how many OOM
/// kills it had seen when its run began.
struct RunCgroup {
    enum Version: String { case v1, v2 }

    /// Where a workspace's runs get their cgroups.
    struct Parents {
        var version: Version
        /// v1: the workspace's memory-controller directory; v2: the workspace's directory.
        var memory: String
        /// v1: the workspace's pids-controller directory, if the agent was given one.
        var pids: String?
        /// v1: the workspace's cpuacct-controller directory, for each run's CPU time.
        var cpuacct: String? = nil
    }

    let version: Version
    /// The run's directory for memory (v2: for every controller).
    let path: String
    /// v1: the run's directory under the pids controller.
    let pidsPath: String?
    /// v1: the run's directory under the cpuacct controller.
    let cpuacctPath: String?
    /// The directory's name under the workspace's.
    let name: String
    /// The limits last written (nil: none yet, the directory is new or unknown).
    var applied: (memoryMB: Int?, maxProcesses: Int?)?
    /// The OOM kills counted in the directory when the current run began.
    var oomKillsBefore = 0
    /// v2: the CPU time (µs) counted in the directory when the current run began (v1 counters
    /// are set to zero instead).
    var cpuBefore: Int64 = 0
    /// v2: `memory.peak` opened and reset for the current run (a reset holds for the descriptor
    /// that wrote it, Linux 6.12 on); -1 where the kernel cannot reset it.
    var peakFD: Int32 = -1
    /// Whether the memory peak counts only the current run (a new directory, or one reset).
    var peakIsThisRun = false
    /// What the directory held when the current run began, with no process in it: page cache
    /// that earlier runs left charged to it, which is not this run's and is taken off its peak.
    var memoryBefore: Int64 = 0

    init(_ parents: Parents, name: String) {
        self.name = name
        version = parents.version
        path = parents.memory + "/" + name
        pidsPath = parents.version == .v1 ? parents.pids.map { $0 + "/" + name } : nil
        cpuacctPath = parents.version == .v1 ? parents.cpuacct.map { $0 + "/" + name } : nil
    }

    /// The directories of this run, one per hierarchy it joins.
    var directories: [String] { [path] + [pidsPath, cpuacctPath].compactMap { $0 } }

    /// What `prepare` made: the `cgroup.procs` files the child joins, and the limits that could not
    /// be applied (the run goes on without them).
    struct Made {
        var procs: [String] = []
        var notApplied: [String] = []
    }

    /// Makes the run's directories if they are missing and sets its limits (only those that
    /// changed since the last run here); a limit that is nil is lifted.
    mutating func prepare(memoryMB: Int?, maxProcesses: Int?) -> Made {
        var made = Made()
        let before = applied
        applied = (memoryMB, maxProcesses)
        do {
            if before == nil { try makeDirectory(path) }
            made.procs.append(path + "/cgroup.procs")
            if before == nil || before?.memoryMB != memoryMB {
                let bytes = memoryMB.map { String(UInt64($0) * 1024 * 1024) }
                switch version {
                case .v1: try write(bytes ?? "-1", to: "memory.limit_in_bytes")
                case .v2:
                    try write(bytes ?? "max", to: "memory.max")
                    try? write(bytes == nil ? "max" : "0", to: "memory.swap.max")
                }
            }
        } catch {
            applied = nil
            made.notApplied.append("memory limit not applied: \(error)")
        }
        oomKillsBefore = oomKills()
        if version == .v1, oomKillsBefore < 0 {
            // A kernel without the OOM kill counter: the failure counter, started afresh.
            try? write("0", to: "memory.failcnt")
        }
        resetUsage(fresh: before == nil)
        if let cpuacct = cpuacctPath {
            if before == nil { try? makeDirectory(cpuacct) }
            if access(cpuacct + "/cgroup.procs", W_OK) == 0 { made.procs.append(cpuacct + "/cgroup.procs") }
        }
        let pidsChanged = before == nil || before?.maxProcesses != maxProcesses
        do {
            switch (version, pidsPath) {
            case (.v2, _):
                if pidsChanged { try write(maxProcesses.map(String.init) ?? "max", to: "pids.max") }
            case (.v1, let pids?):
                if pidsChanged {
                    if before == nil { try makeDirectory(pids) }
                    try write(maxProcesses.map(String.init) ?? "max", to: "pids.max", in: pids)
                }
                if maxProcesses != nil { made.procs.append(pids + "/cgroup.procs") }
            case (.v1, nil):
                // No pids hierarchy on this host: the workspace's enforcement list says so once;
                // each run need not.
                break
            }
        } catch {
            applied = nil
            made.notApplied.append("process limit not applied: \(error)")
        }
        return made
    }

    /// Starts the usage counters afresh for a new run: a reused directory still holds the
    /// previous run's figures.
    private mutating func resetUsage(fresh: Bool) {
        switch version {
        case .v1:
            // Writing 0 resets the peak to the current usage (nothing runs here now).
            peakIsThisRun = (try? write("0", to: "memory.max_usage_in_bytes")) != nil
            memoryBefore = fresh ? 0 : Int64(read("memory.usage_in_bytes").trimmingWhitespace) ?? 0
            if let cpuacct = cpuacctPath { try? write("0", to: "cpuacct.usage", in: cpuacct) }
        case .v2:
            cpuBefore = Self.cpuStatMicroseconds(read("cpu.stat")) ?? 0
            closePeak()
            peakIsThisRun = fresh
            memoryBefore = fresh ? 0 : Int64(read("memory.current").trimmingWhitespace) ?? 0
            if !fresh {
                let fd = open(path + "/memory.peak", O_RDWR | O_CLOEXEC)
                if fd >= 0, Glibc.write(fd, "reset", 5) == 5 {
                    peakFD = fd
                    peakIsThisRun = true
                } else if fd >= 0 {
                    close(fd)
                }
            }
        }
    }

    mutating func closePeak() {
        if peakFD >= 0 { close(peakFD) }
        peakFD = -1
    }

    /// What the run used so far, from the directory's counters: nil for what they cannot tell
    /// (no cpuacct hierarchy; a peak that also holds an earlier run's).
    mutating func usage() -> (cpuSeconds: Double?, peakBytes: Int64?) {
        var cpu: Double?, peak: Int64?
        switch version {
        case .v1:
            if let cpuacct = cpuacctPath, let ns = Int64(read("cpuacct.usage", in: cpuacct).trimmingWhitespace), ns >= 0 {
                cpu = Double(ns) / 1e9
            }
            if peakIsThisRun { peak = Int64(read("memory.max_usage_in_bytes").trimmingWhitespace) }
        case .v2:
            if let now = Self.cpuStatMicroseconds(read("cpu.stat")), now >= cpuBefore { cpu = Double(now - cpuBefore) / 1e6 }
            if peakIsThisRun {
                if peakFD >= 0 {
                    var buffer = [UInt8](repeating: 0, count: 64)
                    let n = buffer.withUnsafeMutableBytes { pread(peakFD, $0.baseAddress, $0.count, 0) }
                    if n > 0 { peak = Int64(String(decoding: buffer[0..<n], as: UTF8.self).trimmingWhitespace) }
                } else {
                    peak = Int64(read("memory.peak").trimmingWhitespace)
                }
            }
            closePeak()
        }
        return (cpu, peak.flatMap { $0 >= 0 ? max(0, $0 - memoryBefore) : nil })
    }

    /// `usage_usec` of a v2 `cpu.stat` (present whether or not the cpu controller is enabled).
    static func cpuStatMicroseconds(_ text: String) -> Int64? {
        text.split(separator: "\n").first { $0.hasPrefix("usage_usec ") }.flatMap { Int64($0.split(separator: " ").last ?? "") }
    }

    private func makeDirectory(_ dir: String) throws {
        if mkdir(dir, 0o755) != 0 && errno != EEXIST { throw CgroupFailure("mkdir \(dir): \(String(cString: strerror(errno)))") }
    }

    /// Whether the OOM killer fired in this cgroup during the current run.
    func oomKilled() -> Bool {
        let kills = oomKills()
        if kills >= 0 { return kills > oomKillsBefore }
        // v1 without the kill counter: any failure to charge since the run began.
        return Int(read("memory.failcnt").trimmingWhitespace) ?? 0 > 0
    }

    /// The OOM kills counted in the directory so far; -1 where the kernel does not count them.
    private func oomKills() -> Int {
        let text = read(version == .v1 ? "memory.oom_control" : "memory.events")
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("oom_kill ") }) else {
            return version == .v1 ? -1 : 0
        }
        return Int(line.split(separator: " ").last ?? "0") ?? 0
    }

    /// Whether the directories are empty now; what is in them is killed, without waiting (the
    /// directory is reused once it is empty).
    func emptied() -> Bool {
        var empty = true
        for dir in directories {
            let procs = read("cgroup.procs", in: dir).split(separator: "\n").compactMap { Int32($0) }
            for p in procs { kill(p, SIGKILL) }
            if !procs.isEmpty { empty = false }
        }
        return empty
    }

    /// Kills what is left (waiting up to half a second for it to go) and removes the directories.
    func remove() {
        var tries = 0
        while !emptied() && tries < 50 {
            usleep(10_000)
            tries += 1
        }
        for dir in directories { rmdir(dir) }
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
        readSmallFile((dir ?? path) + "/" + file) ?? ""
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

/// The run cgroups of a workspace that no run holds now. Making and removing a cgroup directory
/// costs the kernel more than a short job's whole run, so a run takes a free directory (named
/// `slot-N`) and gives it back when its processes are gone.
struct RunCgroupPool {
    let parents: RunCgroup.Parents
    private var free: [RunCgroup] = []
    /// Given back with processes still in them (killed, not yet gone): free once they are empty.
    private var emptying: [RunCgroup] = []
    private var made = 0

    /// A pool for a starting agent: whatever is left in run cgroups under the workspace's is an
    /// orphan of an agent before this one (no run of this agent exists yet), and is stopped.
    /// Only run cgroups (`slot-N`, and `run-JOB-ATTEMPT` of older agents): on cgroup v2 the agent
    /// itself sits in a leaf beside them.
    init(_ parents: RunCgroup.Parents) {
        self.parents = parents
        let names = Set([parents.memory] + (parents.version == .v1 ? [parents.pids, parents.cpuacct].compactMap { $0 } : []))
            .flatMap { parent in ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { name in
                var st = stat()
                return (name.hasPrefix("slot-") || name.hasPrefix("run-")) && stat(parent + "/" + name, &st) == 0
                    && st.st_mode & S_IFMT == S_IFDIR
            } }
        for name in Set(names) { RunCgroup(parents, name: name).remove() }
    }

    /// A directory for a run, with its limits set.
    mutating func take(memoryMB: Int?, maxProcesses: Int?, inUse: Set<String>) -> (RunCgroup, RunCgroup.Made) {
        var c: RunCgroup
        emptying.removeAll { c in
            guard c.emptied() else { return false }
            free.append(c)
            return true
        }
        if let reused = free.popLast() {
            c = reused
        } else {
            // A new name, never one a live run holds (what an earlier agent left went at start).
            let taken = inUse.union(emptying.map(\.name))
            repeat { c = RunCgroup(parents, name: "slot-\(made)"); made += 1 } while taken.contains(c.name)
        }
        let result = c.prepare(memoryMB: memoryMB, maxProcesses: maxProcesses)
        return (c, result)
    }

    /// The run is over: its directory is reused once nothing is left in it. Never waits (the
    /// caller holds the agent's lock, and a start behind it would wait too): what is left is
    /// killed, and the directory waits in `emptying` until it is empty.
    mutating func giveBack(_ c: RunCgroup) {
        var c = c
        c.closePeak()
        if free.count + emptying.count >= 256 { return c.remove() }
        if c.emptied() { free.append(c) } else { emptying.append(c) }
    }
}

/// A small file's text (a cgroup or /proc file) read with plain system calls; nil if unreadable.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { return nil }
        if n == 0 { break }
        bytes += buffer[0..<n]
        if bytes.count > 1 << 20 { break }
    }
    return String(decoding: bytes, as: UTF8.self)
}
