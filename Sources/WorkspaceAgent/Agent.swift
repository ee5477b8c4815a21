import AgentProtocol
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
import WorkspaceBridge

/// How the agent is set up by whoever started it (the local provider, or a guest's init).
public struct AgentOptions: Sendable {
    /// Listen on this Unix socket (local workspaces) ...
    public var socketPath: String?
    /// ... or talk over this character device (a guest's virtio-serial or Xen channel).
    public var devicePath: String?
    /// Where the agent keeps its run records.
    public var stateDirectory: String
    /// Append `start`/`end` lines with timestamps here (an audit trail across workspaces).
    public var journalPath: String?
    /// The workspace's cgroup (v2) or memory-controller cgroup (v1), for per-run limits.
    public var cgroup: String?
    public var cgroupVersion: String?
    /// v1: the workspace's pids-controller cgroup, for each run's process limit.
    public var pidsCgroup: String?
    /// v1: the workspace's cpuacct-controller cgroup, for each run's CPU time.
    public var cpuacctCgroup: String?
    /// Each run gets a mount namespace of its own: the host's file system read-only, a private
    /// `/tmp`, and its directory, its owner's home and the class's writable binds writable. For
    /// a sandbox that shares the host's file system; a guest's own disk needs none.
    public var privateMounts: Bool
    /// Under `privateMounts`: the workspace's size-limited scratch disk, where each run's
    /// `/tmp`, `/dev/shm` and `/var/tmp` go, and its size (the class's `disk_mb`).
    public var scratchDirectory: String?
    public var diskMB: Int?
    public var workspaceID: String

    public init(socketPath: String?, devicePath: String?, stateDirectory: String, journalPath: String?,
                cgroup: String?, cgroupVersion: String?, pidsCgroup: String? = nil, cpuacctCgroup: String? = nil,
                privateMounts: Bool = false, scratchDirectory: String? = nil, diskMB: Int? = nil, workspaceID: String) {
        self.socketPath = socketPath
        self.devicePath = devicePath
        self.stateDirectory = stateDirectory
        self.journalPath = journalPath
        self.cgroup = cgroup
        self.cgroupVersion = cgroupVersion
        self.pidsCgroup = pidsCgroup
        self.cpuacctCgroup = cpuacctCgroup
        self.privateMounts = privateMounts
        self.scratchDirectory = scratchDirectory
        self.diskMB = diskMB
        self.workspaceID = workspaceID
    }

    /// Where runs get their private directories, if the agent was given a scratch disk.
    var runScratch: RunScratch? {
        guard privateMounts, let scratchDirectory, let diskMB else { return nil }
        return RunScratch(mountPoint: scratchDirectory, diskMB: diskMB)
    }

    /// Where runs get their cgroups, if the agent was given any.
    var runCgroupParents: RunCgroup.Parents? {
        guard let cgroup, let version = RunCgroup.Version(rawValue: cgroupVersion ?? "") else { return nil }
        return RunCgroup.Parents(version: version, memory: cgroup, pids: pidsCgroup, cpuacct: cpuacctCgroup)
    }
}

typealias AgentChannel = MessageChannel<DaemonMessage, AgentMessage>

/// The agent inside one workspace. It runs jobs as their owners, records each run on disk
/// before starting it, and tells the connected daemon about starts and exits. If the daemon goes
/// away, runs go on; when a daemon connects again it says hello and gets the full state, so a
/// run is re-attached, never started twice.
public final class Agent: @unchecked Sendable {
    struct Live {
        var record: AgentRunRecord
        var cgroup: RunCgroup?
        var deadline: Double?
        var killReason: String?
        var memoryMB: Int?
    }

    struct State {
        var runs: [RunKey: Live] = [:]
        var byPid: [pid_t: RunKey] = [:]
        /// Cgroup directories no run holds now, for the next runs.
        var cgroups: RunCgroupPool?
        var channel: AgentChannel?
        var children = 0
        /// The latest output transfer of each run: a transfer to a daemon that went away stops
        /// as soon as the next one (to the daemon that came back) begins, so none interleave.
        var outputTransfers: [RunKey: Int] = [:]
    }

    let options: AgentOptions
    let store: RunStore
    let state = Mutex(State())
    /// Files arriving for runs, apart from `state`: writing them must not hold up starts and exits.
    let arriving = Mutex(Arrivals())
    let childArrived = Condition()
    let journal: Int32
    let isRoot = geteuid() == 0

    public init(options: AgentOptions) throws {
        self.options = options
        self.store = try RunStore(directory: options.stateDirectory)
        journal = options.journalPath.map { open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) } ?? -1
        recover()
        if let parents = options.runCgroupParents { state.withLock { $0.cgroups = RunCgroupPool(parents) } }
    }

    /// Runs until shutdown; never returns normally.
    public func run() throws -> Never {
        Glibc.signal(SIGPIPE, SIG_IGN)
        detachThread { self.reapLoop() }
        detachThread { self.deadlineLoop() }
        if let device = options.devicePath {
            // A virtio port has one opener, reads end-of-file while no host is connected, and
            // loses unread bytes when closed: open it once, keep it, and wait out end-of-file.
            let fd = open(device, O_RDWR | O_CLOEXEC | O_NOCTTY)
            guard fd >= 0 else { throw ChannelError.io("open \(device)", errno) }
            // A Xen channel is a console (hvc), a terminal: without raw mode it would echo the
            // daemon's messages back to it and cut long lines. A virtio port is no terminal.
            if isatty(fd) != 0 {
                let e = makeRaw(fd)
                if e != 0 { close(fd); throw ChannelError.io("raw mode on \(device)", e) }
            }
            let channel = AgentChannel(fd: fd)
            state.withLock { $0.channel = channel }
            while true {
                do {
                    if let message = try channel.receive() { handle(message, on: channel) } else { usleep(50_000) }
                } catch ChannelError.malformed(let frame, let why) {
                    try? channel.send(.error("cannot read \(frame): \(why)"))
                } catch {
                    usleep(50_000)
                }
            }
        }
        guard let path = options.socketPath else { throw ChannelError.io("agent needs --socket or --device", EINVAL) }
        let listener = try UnixSocket.listen(path: path)
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { if errno == EINTR || errno == ECONNABORTED { continue }; throw ChannelError.io("accept", errno) }
            // One daemon at a time: a new connection means the daemon restarted; the old one is dead.
            let channel = AgentChannel(fd: fd)
            let previous = state.withLock { s -> AgentChannel? in
                let p = s.channel
                s.channel = channel
                return p
            }
            previous?.shutdown()
            detachThread { self.serve(channel) }
        }
    }

    /// Runs an earlier agent left running: this agent is not their parent and cannot learn how
    /// they end, so their processes are stopped, and only then are they reported lost (the
    /// daemon requeues them; a retry must never run beside an orphan).
    func recover() {
        for var record in store.loadAll() {
            if record.phase == .accepted || record.phase == .running {
                stopOrphans(of: record)
                record.phase = .exited
                record.exit = .signaled(SIGKILL)
                record.endedAt = Date().timeIntervalSince1970
                record.reason = "lost: the workspace's agent restarted while the job ran"
                record.lost = true
                try? store.save(record)
            }
            state.withLock { $0.runs[record.key] = Live(record: record) }
        }
        // No run outlives the agent (those above were stopped): what they left on the disk goes.
        options.runScratch?.removeAll()
    }

    /// Kills what is left of a run: its cgroup's processes, or without cgroups its process group,
    /// if its leader is still the process the run started (not a later one with the same pid).
    func stopOrphans(of record: AgentRunRecord) {
        if let parents = options.runCgroupParents {
            RunCgroup(parents, name: record.cgroup ?? Self.cgroupName(record.key)).remove()
        }
        guard let pid = record.pid, pid > 1, let ticks = record.startTicks, Self.startTicks(of: pid) == ticks else { return }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        for _ in 0..<100 where Self.startTicks(of: pid) == ticks { usleep(10_000) }
    }

    /// The cgroup of a run recorded before runs shared directories.
    static func cgroupName(_ key: RunKey) -> String { "run-\(key.job)-\(key.attempt)" }

    /// Field 22 of `/proc/PID/stat`: when the process started, in clock ticks since boot.
    static func startTicks(of pid: pid_t) -> UInt64? {
        guard let text = readSmallFile("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, so start time (22) is the 20th here.
        guard fields.count > 19, fields[0] != "Z" else { return nil }
        return UInt64(fields[19])
    }

    /// Reads requests until the connection ends. Only the accept loop (or the device opener)
    /// decides which connection is current: a stale connection's reader must not take it back.
    func serve(_ channel: AgentChannel) {
        while true {
            let message: DaemonMessage?
            do {
                message = try channel.receive()
            } catch ChannelError.malformed(let frame, let why) {
                try? channel.send(.error("cannot read \(frame): \(why)"))
                continue
            } catch {
                break
            }
            guard let message else { break }
            handle(message, on: channel)
        }
        state.withLock { s in if s.channel === channel { s.channel = nil } }
    }

    func handle(_ message: DaemonMessage, on channel: AgentChannel) {
        switch message {
        case .hello:
            // Under the lock so that no start or exit can slip between the snapshot and later events.
            state.withLock { s in
                let runs = s.runs.values.map(\.record).sorted { ($0.key.job, $0.key.attempt) < ($1.key.job, $1.key.attempt) }
                try? channel.send(.state(info(), runs))
            }
        case .run(let request):
            start(request, from: channel)
        case .signal(let key, let sig):
            signal(key, sig)
        case .fetchOutput(let key):
            sendOutput(key, on: channel)
        case .stage(let chunk):
            receive(chunk)
        case .ack(let key):
            state.withLock { s in
                if let live = s.runs[key], live.record.phase == .exited || live.record.phase == .rejected {
                    s.runs[key] = nil
                    s.outputTransfers[key] = nil
                    store.remove(key)
                    if let scratch = live.record.scratch { try? FileManager.default.removeItem(atPath: scratch) }
                } else if s.runs[key] == nil {
                    // A run that never started (its inputs could not all be sent): drop what came.
                    dropArrivals(of: key)
                }
            }
        case .shutdown:
            state.withLock { s in
                for live in s.runs.values where live.record.phase == .running {
                    if let pid = live.record.pid { kill(-pid, SIGKILL) }
                }
            }
            exit(0)
        }
    }

    func start(_ r: RunRequest, from channel: AgentChannel) {
        state.withLock { s in
            // From a daemon that is gone (a newer one connected since): a run it asked for after
            // the new daemon took our state would be unknown to it, and run a second time.
            guard s.channel === channel else { return }
            if let existing = s.runs[r.key] {
                // A repeated request (the daemon restarted mid-dispatch): answer, never run twice.
                send(report(existing.record), locked: &s)
                return
            }
            if let refusal = Self.refusal(of: r, asRoot: isRoot) {
                send(.rejected(r.key, reason: refusal), locked: &s)
                return
            }
            var record = AgentRunRecord(key: r.key, phase: .accepted)
            var cgroup: RunCgroup?
            var procs: [String] = []
            var limits: [SpawnRequest.Limit] = []
            if let cpu = r.limits.cpuTimeSeconds {
                limits.append(.init(resource: Int32(RLIMIT_CPU.rawValue), soft: UInt64(cpu), hard: UInt64(cpu) + 5))
            }
            if s.cgroups != nil {
                let inUse = Set(s.runs.values.compactMap(\.cgroup?.name))
                let (c, made) = s.cgroups!.take(memoryMB: r.limits.memoryMB, maxProcesses: r.limits.maxProcesses, inUse: inUse)
                procs = made.procs
                cgroup = c
                record.cgroup = c.name
                if !made.notApplied.isEmpty { record.reason = made.notApplied.joined(separator: "; ") }
            } else if let mb = r.limits.memoryMB {
                // No cgroup: the address-space limit is the nearest thing.
                let bytes = UInt64(mb) * 1024 * 1024
                limits.append(.init(resource: Int32(RLIMIT_AS.rawValue), soft: bytes, hard: bytes))
            }
            var env = r.environment
            if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
            var spawn = SpawnRequest(path: r.executable, argv: [r.executable] + r.arguments,
                                     environment: env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
                                     directory: r.directory)
            spawn.stdin = r.stdin
            spawn.stdout = r.stdout
            spawn.stderr = r.stderr
            spawn.appendOutput = r.appendOutput
            if let staging = r.staging {
                do {
                    try stageRun(r, staging, into: &spawn, environment: env, record: &record, runs: Set(s.runs.keys))
                } catch {
                    record.phase = .rejected
                    record.reason = "cannot stage the run in the workspace: \(error)"
                    record.endedAt = Date().timeIntervalSince1970
                    try? store.save(record)
                    s.runs[r.key] = Live(record: record)
                    send(.rejected(r.key, reason: record.reason!), locked: &s)
                    return
                }
            }
            spawn.cgroupProcs = procs
            spawn.limits = limits
            // Recorded before the run starts: after the agent's crash, the record says the run may
            // have begun, and which processes to stop. A run in a cgroup of its own needs no
            // record for that: a restarted agent stops whatever is left in its run cgroups (see
            // `RunCgroupPool`), and the daemon requeues a run the agent does not know.
            do { if cgroup == nil || r.staging != nil { try store.save(record) } } catch {
                if let cgroup { s.cgroups?.giveBack(cgroup) }
                send(.rejected(r.key, reason: "the agent cannot record the run: \(error)"), locked: &s)
                return
            }
            // Only root can make mount namespaces; a staged run (a guest) has no host files to guard.
            if options.privateMounts && isRoot && r.staging == nil {
                spawn.privateMounts = true
                spawn.writablePaths = r.writableTrees
                if let scratch = options.runScratch {
                    do { spawn.scratchDirectory = try scratch.make(for: r.key) } catch {
                        if let cgroup { s.cgroups?.giveBack(cgroup) }
                        scratch.remove(for: r.key)
                        record.phase = .rejected
                        record.reason = "\(error)"
                        record.endedAt = Date().timeIntervalSince1970
                        try? store.save(record)
                        s.runs[r.key] = Live(record: record)
                        send(.rejected(r.key, reason: record.reason!), locked: &s)
                        return
                    }
                }
            }
            // Only root can switch users; an unprivileged agent runs jobs as itself.
            if isRoot { spawn.identity = .init(uid: r.uid, gid: r.gid, groups: r.groups) }
            switch Result(catching: { () throws(SpawnFailure) -> pid_t in try ProcessSpawner.spawn(spawn) }) {
            case .success(let pid):
                let now = Date().timeIntervalSince1970
                record.phase = .running
                record.pid = pid
                record.startedAt = now
                // The pid tells a restarted agent which orphan to stop; a run in a cgroup of its
                // own is found by its cgroup (already recorded) without it.
                if cgroup == nil {
                    record.startTicks = Self.startTicks(of: pid)
                    try? store.save(record)
                }
                s.runs[r.key] = Live(record: record, cgroup: cgroup,
                                     deadline: r.limits.wallTimeSeconds.map { now + Double($0) }, memoryMB: r.limits.memoryMB)
                s.byPid[pid] = r.key
                s.children += 1
                writeJournal("start", r.key, now)
                send(.started(r.key, pid: pid, at: now), locked: &s)
            case .failure(let error):
                if let cgroup { s.cgroups?.giveBack(cgroup) }
                if spawn.scratchDirectory != nil { options.runScratch?.remove(for: r.key) }
                record.phase = .rejected
                record.reason = error.message
                record.transient = error.isTransient ? true : nil
                record.endedAt = Date().timeIntervalSince1970
                try? store.save(record)
                s.runs[r.key] = Live(record: record)
                send(.rejected(r.key, reason: error.message, transient: error.isTransient), locked: &s)
            }
        }
        childArrived.lock()
        childArrived.signal()
        childArrived.unlock()
    }

    /// Why a request must not run at all, whoever sent it: a job never runs as root, and no limit
    /// may be one that the conversions below cannot hold.
    static func refusal(of r: RunRequest, asRoot: Bool) -> String? {
        if asRoot && r.uid == 0 { return "a job never runs as root (uid 0)" }
        let limits = [("cpu time", r.limits.cpuTimeSeconds, 1 << 40), ("wall time", r.limits.wallTimeSeconds, 1 << 40),
                      ("memory", r.limits.memoryMB, 1 << 40), ("process", r.limits.maxProcesses, 1 << 22)]
        for (name, value, most) in limits {
            if let v = value, v <= 0 || v > most { return "the \(name) limit \(v) is out of range" }
        }
        if let paths = r.writablePaths, paths.count > RunRequest.maxWritablePaths || paths.contains(where: { !$0.hasPrefix("/") }) {
            return "at most \(RunRequest.maxWritablePaths) writable paths, each absolute"
        }
        return nil
    }

    /// Sends a staged run's captured files in chunks, then `outputEnd`. On its own thread: a
    /// large output must not hold up the requests behind it.
    func sendOutput(_ key: RunKey, on channel: AgentChannel) {
        let record = state.withLock { $0.runs[key]?.record }
        guard let record, record.phase == .exited || record.phase == .rejected, let scratch = record.scratch else {
            try? channel.send(.outputEnd(key, note: "the workspace holds no captured output for run \(key)"))
            return
        }
        let transfer = state.withLock { s -> Int in
            s.outputTransfers[key, default: 0] += 1
            return s.outputTransfers[key]!
        }
        let superseded: @Sendable () -> Bool = { self.state.withLock { $0.outputTransfers[key] != transfer } }
        detachThread {
            var notes: [String] = []
            // The job owns its scratch directory; the directory's owner is the job's uid.
            var dir = stat()
            guard lstat(scratch, &dir) == 0, dir.st_mode & S_IFMT == S_IFDIR else {
                try? channel.send(.outputEnd(key, note: "the run's scratch directory is gone"))
                return
            }
            do {
                for stream in [CapturedStream.stdout, .stderr] {
                    let path = "\(scratch)/\(RunStaging.captured(stream.rawValue))"
                    guard let file = ReadableFile(captured: path, owner: dir.st_uid) else {
                        var link = stat()
                        if lstat(path, &link) == 0 {
                            notes.append("\(stream.rawValue) not delivered: not a regular file of the job's own")
                        }
                        continue
                    }
                    var offset = 0
                    while true {
                        if superseded() { return }
                        let want = min(RunStaging.chunkBytes, RunStaging.maxOutputBytes - offset)
                        if want <= 0 {
                            if !(try file.read(upToCount: 1)).isEmpty {
                                let size = file.size
                                notes.append("\(stream.rawValue) cut to \(RunStaging.maxOutputBytes >> 20) MiB" +
                                             (size.map { " of \($0 >> 20) MiB" } ?? ""))
                            }
                            break
                        }
                        let data = try file.read(upToCount: want)
                        guard !data.isEmpty else {
                            // An empty capture still starts the host file afresh.
                            if offset == 0 { try channel.send(.output(OutputChunk(key: key, stream: stream, offset: 0, data: Data()))) }
                            break
                        }
                        try channel.send(.output(OutputChunk(key: key, stream: stream, offset: offset, data: data)))
                        offset += data.count
                    }
                }
                if let staged = record.staged {
                    try self.sendFiles(of: key, staged, from: scratch, on: channel, notes: &notes, superseded: superseded)
                }
                if superseded() { return }
                try channel.send(.outputEnd(key, note: notes.isEmpty ? nil : notes.joined(separator: "; ")))
            } catch {
                // The daemon went away mid-transfer; it asks again after it reconnects.
            }
        }
    }

    func signal(_ key: RunKey, _ sig: RunSignal) {
        state.withLock { s in
            guard var live = s.runs[key], live.record.phase == .running, let pid = live.record.pid else { return }
            switch sig {
            case .terminate: kill(-pid, SIGTERM); kill(pid, SIGTERM)
            case .kill: kill(-pid, SIGKILL); kill(pid, SIGKILL)
            case .suspend:
                kill(-pid, SIGSTOP)
                live.record.suspended = true
            case .resume:
                kill(-pid, SIGCONT)
                live.record.suspended = false
            }
            s.runs[key] = live
            try? store.save(live.record)
            if sig == .suspend || sig == .resume { send(.suspended(key, sig == .suspend), locked: &s) }
        }
    }

    func report(_ r: AgentRunRecord) -> AgentMessage {
        switch r.phase {
        case .accepted, .running: .started(r.key, pid: r.pid ?? 0, at: r.startedAt ?? 0)
        case .exited: .exited(r.key, r.exit ?? .signaled(SIGKILL), at: r.endedAt ?? 0, reason: r.reason, usage: r.usage)
        case .rejected: .rejected(r.key, reason: r.reason ?? "rejected", transient: r.transient == true)
        }
    }

    func send(_ message: AgentMessage, locked s: inout State) {
        guard let channel = s.channel else { return }
        do { try channel.send(message) } catch {
            // The daemon is gone; it will say hello again and get the state from the records.
            // A device stays: the host end comes back on the same port.
            if options.devicePath == nil {
                channel.shutdown()
                s.channel = nil
            }
        }
    }

    /// Waits for any child; the only place that reaps, so no exit is missed.
    func reapLoop() {
        while true {
            var status: Int32 = 0
            var usage = rusage()
            let pid = wait4(-1, &status, 0, &usage)
            if pid < 0 {
                if errno == ECHILD {
                    childArrived.lock()
                    if state.withLock({ $0.children }) == 0 { childArrived.wait(seconds: 1) }
                    childArrived.unlock()
                }
                continue
            }
            finished(pid: pid, status: status, rusage: usage)
        }
    }

    /// The run's usage: its cgroup's counters where it has them, else what `wait4` told of the
    /// run's process and the children it waited for.
    static func usage(cgroup: (cpuSeconds: Double?, peakBytes: Int64?)?, rusage u: rusage, cgroupSource: String?) -> RunUsage {
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let waited = seconds(u.ru_utime) + seconds(u.ru_stime)
        let maxRSS = Int64(u.ru_maxrss).multipliedReportingOverflow(by: 1024)
        var sources: [String] = []
        let cpu = cgroup?.cpuSeconds ?? waited
        sources.append(cgroup?.cpuSeconds != nil ? cgroupSource ?? "cgroup" : "rusage")
        let peak = cgroup?.peakBytes ?? (maxRSS.overflow ? nil : maxRSS.partialValue)
        let peakSource = cgroup?.peakBytes != nil ? cgroupSource ?? "cgroup" : "rusage"
        if !sources.contains(peakSource) { sources.append(peakSource) }
        return RunUsage(cpuSeconds: cpu, peakMemoryBytes: peak, source: sources.joined(separator: "+")).validated
    }

    func finished(pid: pid_t, status: Int32, rusage: rusage) {
        let decoded = ProcessSpawner.decode(status: status)
        let exit: ExitStatus = decoded.signal.map { .signaled($0) } ?? .exited(decoded.exited ?? 0)
        let ended = state.withLock { s -> RunKey? in
            guard let key = s.byPid.removeValue(forKey: pid), var live = s.runs[key] else { return nil }
            s.children -= 1
            let now = Date().timeIntervalSince1970
            var reason = live.killReason
            var measured: (cpuSeconds: Double?, peakBytes: Int64?)?
            if var c = live.cgroup {
                // Before the directory goes back to the pool: the next run there starts its counters afresh.
                measured = c.usage()
                // The shell of a job may report the kill of its child as exit code 137: look at the
                // cgroup, not at the exit status, to know.
                if c.oomKilled() {
                    reason = "killed by the memory limit" + (live.memoryMB.map { " of \($0) MB" } ?? "")
                }
                s.cgroups?.giveBack(c)
            }
            if reason == nil, case .signaled(SIGXCPU) = exit { reason = "exceeded its CPU time limit" }
            // Before the run's files go: they are what filled the disk, if it is full.
            if reason == nil, let scratch = options.runScratch, scratch.isFull() { reason = scratch.reason }
            live.record.phase = .exited
            live.record.exit = exit
            live.record.endedAt = now
            live.record.reason = reason ?? live.record.reason
            live.record.suspended = false
            live.record.usage = Self.usage(cgroup: measured, rusage: rusage, cgroupSource: live.cgroup.map { "cgroup-\($0.version.rawValue)" })
            try? store.save(live.record)
            s.runs[key] = live
            writeJournal("end", key, now)
            send(.exited(key, exit, at: now, reason: live.record.reason, usage: live.record.usage), locked: &s)
            return key
        }
        // Outside the lock: a full disk's files take a while to remove.
        if let ended, let scratch = options.runScratch { scratch.remove(for: ended) }
    }

    /// Kills runs past their wall-clock limit.
    func deadlineLoop() {
        while true {
            sleep(1)
            let now = Date().timeIntervalSince1970
            state.withLock { s in
                for (key, var live) in s.runs where live.record.phase == .running && live.killReason == nil {
                    if let d = live.deadline, d <= now, let pid = live.record.pid {
                        live.killReason = "exceeded its wall-clock limit"
                        kill(-pid, SIGKILL)
                        kill(pid, SIGKILL)
                        s.runs[key] = live
                    }
                }
            }
        }
    }

    func writeJournal(_ what: String, _ key: RunKey, _ at: Double) {
        guard journal >= 0 else { return }
        let line = "\(what) \(key.job) \(key.attempt) \(fixedPoint(at, places: 6)) \(options.workspaceID)\n"
        _ = line.withCString { Glibc.write(journal, $0, strlen($0)) }
    }

    func info() -> AgentInfo {
        var u = utsname()
        uname(&u)
        let kernel = withUnsafeBytes(of: u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let host = withUnsafeBytes(of: u.nodename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return AgentInfo(hostname: host, kernel: kernel, pid: getpid(), version: "1", now: Date().timeIntervalSince1970)
    }
}
