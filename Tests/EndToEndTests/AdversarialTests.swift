import AgentProtocol
import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// What a hostile local user can send: each case once crashed, poisoned, starved or read through
/// the root daemon. The daemon must answer with a clear error and go on serving everyone.
@Suite("Hostile local users", .serialized) struct AdversarialTests {
    func alive(_ d: TestDaemon) -> Bool { (try? d.client.get("/v1/health", as: [String: String].self))?["status"] == "ok" }

    func expectError(_ code: String, _ contains: String, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected error \(code)", sourceLocation: sourceLocation)
        } catch let e as ClientError {
            #expect(e.code == code, "\(e)", sourceLocation: sourceLocation)
            #expect(e.description.contains(contains), "\(e)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Numbers at the edge of their types: refused with the field and its range, never a trap.
    @Test func everyNumberIsBoundedAtTheAPI() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let cases: [(String, String)] = [
            (#"{"executable":"/bin/true","priority":-9223372036854775808}"#, "priority must be between"),
            (#"{"executable":"/bin/true","priority":9223372036854775807}"#, "priority must be between"),
            (#"{"executable":"/bin/true","count":1000000000}"#, "count must be between"),
            (#"{"executable":"/bin/true","maxRetries":9223372036854775807}"#, "maxRetries must be between"),
            (#"{"executable":"/bin/true","resources":{"memoryMB":9223372036854775807}}"#, "memoryMB must be between"),
            (#"{"executable":"/bin/true","resources":{"cpus":-1}}"#, "cpus must be between"),
            (#"{"executable":"/bin/true","resources":{"wallTimeSeconds":9223372036854775807}}"#, "wallTimeSeconds must be between"),
            (#"{"executable":"/bin/true","resources":{"cpuTimeSeconds":0}}"#, "cpuTimeSeconds must be between"),
        ]
        for (spec, message) in cases {
            expectError("invalid-job", message) { _ = try d.client.request("POST", "/v1/jobs", body: Data(#"{"specs":[\#(spec)]}"#.utf8)) }
        }
        // count within the API's range but over the site's max_count, and over the queue limit:
        // refused before anything is expanded in memory.
        expectError("invalid-job", "api.max_count") { _ = try d.submit([JobSpec(executable: "/bin/true", count: 50_000)]) }
        expectError("over-limit", "max_queued_per_owner") {
            _ = try d.submit(Array(repeating: JobSpec(executable: "/bin/true", directory: d.work, count: 10_000), count: 2))
        }
        #expect(try d.client.get("/v1/jobs", as: [JobStatus].self).isEmpty, "nothing of a refused submit is recorded")
        #expect(alive(d))
    }

    /// Query strings that once trapped the router or the waiter.
    @Test func queryStringsCannotTrap() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let socket = d.stateDir + "/api.sock"
        #expect(RawAPI.status(RawAPI.get(socket, "/v1/health?=").reply) == 200)
        #expect(RawAPI.status(RawAPI.get(socket, "/v1/health?&&=&a").reply) == 200)
        let id = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["30"], directory: d.work)])[0]
        for bad in ["-1", "nan", "1e300", "inf", "-inf", "abc", "1e-400x"] {
            let r = RawAPI.get(socket, "/v1/jobs/\(id)/wait?timeout=\(bad)")
            #expect(RawAPI.status(r.reply) == 400, "timeout=\(bad): \(r.reply)")
            #expect(r.reply.contains("timeout must be"), "\(r.reply)")
        }
        for bad in ["-1", "nan", "99999999999999999999"] {
            #expect(RawAPI.status(RawAPI.get(socket, "/v1/events?after=\(bad)").reply) == 400)
            #expect(RawAPI.status(RawAPI.get(socket, "/v1/events?wait=\(bad)").reply) == 400)
        }
        // A wait whose timeout is over before its waiter is registered (found by the API fuzz run):
        // the waiter once stayed and held the request until the job ended, or the next event came.
        for _ in 0..<20 {
            let r = RawAPI.get(socket, "/v1/jobs/\(id)/wait?timeout=1e-300")
            #expect(RawAPI.status(r.reply) == 200, "\(r.reply)")
            #expect(RawAPI.status(RawAPI.get(socket, "/v1/events?after=9223372036854775807&wait=1e-300").reply) == 200)
        }
        #expect(RawAPI.status(RawAPI.get(socket, "/v1/jobs?limit=0").reply) == 400)
        #expect(RawAPI.status(RawAPI.get(socket, "/v1/jobs?before=-5").reply) == 400)
        #expect(alive(d))
        _ = try d.client.post("/v1/jobs/\(id)/cancel", as: JobActionReply.self)
    }

    /// Garbage, oversized headers and bad UTF-8 get a JSON error, and the connection is closed.
    @Test func protocolErrorsGetJSONAndAClose() throws {
        let d = try TestDaemon(config: config(extra: "[api]\nmax_request_bytes = 4096"))
        defer { d.cleanUp() }
        try d.start()
        let socket = d.stateDir + "/api.sock"
        let cases: [(String, [UInt8])] = [
            ("garbage request line", Array("HELLO THERE\r\n\r\n".utf8)),
            ("oversized header", Array("GET /v1/health HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n".utf8)),
            ("bad UTF-8 in the request line", Array("GET /v1/\u{0}".utf8) + [0xff, 0xfe] + Array(" HTTP/1.1\r\n\r\n".utf8)),
        ]
        for (name, bytes) in cases {
            let r = RawAPI.exchange(socket, bytes)
            #expect(r.closed, "\(name): the connection stays open")
            #expect(r.reply.contains(#""code":"#), "\(name): no JSON error: \(r.reply.prefix(200))")
        }
        let big = RawAPI.exchange(socket, Array("POST /v1/jobs HTTP/1.1\r\nContent-Length: 100000\r\n\r\n".utf8) + Array(repeating: 0x20, count: 8192))
        #expect(RawAPI.status(big.reply) == 413, "\(big.reply)")
        #expect(big.closed)
        #expect(alive(d))
    }

    /// A stored job that today's API would refuse, or that cannot be decoded at all, is failed
    /// with the reason at start; the daemon starts and the other jobs are kept.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func aPoisonedStoreStillStarts() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit(Array(repeating: JobSpec(executable: "/bin/true", directory: d.work, hold: true), count: 4))
        d.terminate()
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE job SET spec = json_set(spec, '$.priority', -9223372036854775808) WHERE id = ?", (\(ids[0]),))
            db.execute("UPDATE job SET spec = 'not json' WHERE id = ?", (\(ids[1]),))
            db.commit()
            try:
                db.execute("UPDATE job SET owner = 99999999999 WHERE id = ?", (\(ids[2]),))
                db.commit()
            except sqlite3.IntegrityError as e:
                print("refused:", e)
            """
        let (code, out) = try runCommand("/usr/bin/python3", ["-c", script, d.stateDir + "/wsbridge.sqlite"])
        #expect(code == 0, "\(out)")
        #expect(out.contains("refused: CHECK constraint failed"), "the store itself keeps an owner in range: \(out)")
        try d.start()
        let jobs = try d.status([ids[0], ids[3]])
        #expect(jobs[0].state == .failed)
        #expect(jobs[0].reason?.contains("priority must be between") == true, "\(jobs[0].reason ?? "")")
        #expect(jobs[1].state == .held, "the good job is kept")
        #expect(d.daemonLog.contains("a stored job cannot be loaded"))
        // Started twice more: the failed rows stay failed and do not stop the start.
        d.terminate()
        try d.start()
        #expect(alive(d))
    }

    /// The state directory: others may reach the socket, not read the store or the agents' records.
    @Test func stateFilesAreRootOnly() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/true", environment: ["SECRET": "s3cr3t"], directory: d.work)])
        _ = try d.waitAll(ids)
        func mode(_ path: String) -> mode_t? {
            var st = stat()
            return stat(path, &st) == 0 ? st.st_mode & 0o777 : nil
        }
        #expect(mode(d.stateDir) == 0o711)
        for name in ["wsbridge.sqlite", "wsbridge.sqlite-wal", "wsbridge.sqlite-shm", "agents.journal", "daemon.lock"] {
            if let m = mode(d.stateDir + "/" + name) { #expect(m & 0o077 == 0, "\(name) is \(String(m, radix: 8))") }
        }
        #expect(mode(d.stateDir + "/workspaces").map { $0 & 0o077 == 0 } == true)
        #expect(mode(d.stateDir + "/api.sock") == 0o666)
        // A store made by an earlier version (0644) is made private at start.
        d.terminate()
        chmod(d.stateDir + "/wsbridge.sqlite", 0o644)
        try d.start()
        #expect(mode(d.stateDir + "/wsbridge.sqlite") == 0o600)
    }

    /// The same idempotency key twice: one job, the same ids.
    @Test func aRepeatedSubmitIsNotDuplicated() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let request = SubmitRequest(specs: [JobSpec(executable: "/bin/true", directory: d.work, count: 3, hold: true)],
                                    idempotencyKey: "gram:https://ce.example.org:2119/16064/1/")
        let first = try d.client.post("/v1/jobs", request, as: SubmitReply.self)
        let again = try d.client.post("/v1/jobs", request, as: SubmitReply.self)
        #expect(first.jobs == again.jobs)
        #expect(try d.client.get("/v1/jobs", as: [JobStatus].self).count == 3)
        // It survives a restart: the key is in the store with the jobs.
        d.kill9()
        try d.start()
        #expect(try d.client.post("/v1/jobs", request, as: SubmitReply.self).jobs == first.jobs)
        #expect(try d.client.get("/v1/jobs", as: [JobStatus].self).count == 3)
    }

    /// `status` pages through long listings and says when it cut one.
    @Test func statusPagesAndSaysWhenCut() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/true", directory: d.work, count: 25, hold: true)])
        let page = try d.client.get("/v1/jobs?limit=10", as: [JobStatus].self).map(\.job.id)
        #expect(page == Array(ids.suffix(10)))
        let next = try d.client.get("/v1/jobs?limit=10&before=\(page[0])", as: [JobStatus].self).map(\.job.id)
        #expect(next == Array(ids.dropLast(10).suffix(10)))
        let (code, out) = try runCommand(TestDaemon.binary, ["status", "--state-dir", d.stateDir, "--limit", "5"])
        #expect(code == 0)
        #expect(out.contains("showing the newest 5 jobs; older ones: wsbridge status --before \(ids[20])"), "\(out)")
    }

    /// `root_jobs_run_as` naming uid 0 is refused when the config is loaded.
    @Test func rootJobsNeverRunAsRoot() throws {
        let d = try TestDaemon(config: config(extra: "[daemon]\nroot_jobs_run_as = \"root\""))
        defer { d.cleanUp() }
        #expect(throws: (any Error).self) { try d.start() }
        #expect(d.daemonLog.contains("a job never runs as root"), "\(d.daemonLog)")
    }
}

/// The same, as a second real unix user against the root daemon.
extension AdversarialTests {
    static let canSwitchUsers = isRoot && FileManager.default.fileExists(atPath: "/usr/sbin/runuser")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// A user sees only the workspaces that run their own jobs, with only their own job ids and
    /// without the agent's pid or socket.
    @Test(.enabled(if: canSwitchUsers, "needs root to switch users"))
    func workspacesShowOnlyYourOwnJobs() throws {
        guard ensureUser("wsbtest") else { Issue.record("cannot create the test user"); return }
        let d = try TestDaemon(config: config(slots: 4, maxWorkspaces: 1))
        defer { d.cleanUp() }
        try d.start()
        let rootJob = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["30"], directory: d.work)])[0]
        try d.waitUntil("root's job runs") { try d.status([rootJob])[0].state == .running }
        let (code, out) = try runAs("wsbtest", ["workspaces", "--state-dir", d.stateDir, "--json"])
        #expect(code == 0, "\(out)")
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || out.contains("[]") || !out.contains("\"id\""),
                "another user's workspace is listed: \(out)")
        let (_, submitted) = try runAs("wsbtest", ["submit", "--state-dir", d.stateDir, "--directory", "/tmp", "--", "/bin/sleep", "30"])
        let theirs = try #require(Int64(submitted.trimmingCharacters(in: .whitespacesAndNewlines)), "\(submitted)")
        try d.waitUntil("their job runs") { try d.status([theirs])[0].state == .running }
        let (_, listing) = try runAs("wsbtest", ["workspaces", "--state-dir", d.stateDir, "--json"])
        let seen = try JSONDecoder().decode([WorkspaceStatus].self, from: Data(listing.utf8))
        #expect(seen.count == 1)
        #expect(seen.first?.jobs == [theirs], "\(listing)")
        #expect(seen.first?.workspace.pid == nil && seen.first?.workspace.endpoint == "", "\(listing)")
        // Root still sees everything.
        let all = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
        #expect(all.first?.jobs.sorted() == [rootJob, theirs].sorted())
        for id in [rootJob, theirs] { _ = try d.client.post("/v1/jobs/\(id)/cancel", as: JobActionReply.self) }
    }

    /// 10,000 idle connections from one user: the daemon keeps them from its descriptors (per-user
    /// limit, idle timeout) and serves another user quickly all the while.
    @Test(.enabled(if: canSwitchUsers, "needs root to switch users"))
    func tenThousandIdleConnectionsDoNotStarveOthers() throws {
        guard ensureUser("wsbtest") else { Issue.record("cannot create the test user"); return }
        let d = try TestDaemon(config: config(extra: "[api]\nidle_timeout_seconds = 5"))
        defer { d.cleanUp() }
        try d.start()
        let flood = """
            import socket, sys, time, resource
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            held = []
            for i in range(10000):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(sys.argv[1])
                    if i % 2: s.send(b"POST /v1/jobs HTTP/1.1\\r\\nContent-Length: 100\\r\\n\\r\\n{")
                except OSError:
                    s.close()
                    continue
                held.append(s)
            print("opened", len(held), flush=True)
            time.sleep(float(sys.argv[2]))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        p.arguments = ["-u", "wsbtest", "--", "/usr/bin/python3", "-c", flood, d.stateDir + "/api.sock", "4"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        // Measure once the flood is open, while it is held.
        var opened = Data()
        while !String(decoding: opened, as: UTF8.self).contains("\n") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            opened += chunk
        }
        var latencies: [Double] = []
        for _ in 0..<200 {
            let t = Date()
            _ = try d.client.get("/v1/jobs?limit=10", as: [JobStatus].self)
            latencies.append(Date().timeIntervalSince(t))
        }
        latencies.sort()
        let p99 = latencies[Int(Double(latencies.count) * 0.99) - 1]
        // The figure is printed, not asserted (a loaded test machine varies); what must hold is
        // that every call is answered while the connections are held, none waiting for the idle
        // ones to time out (5 s). Other tests share the machine: 2 s was seen to be too tight.
        #expect(latencies.last! < 4, "a call waited \(latencies.last!) s while another user holds 10,000 connections")
        p.waitUntilExit()
        print("flood: \(String(decoding: opened, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines));"
              + " another user's p50 \(latencies[100] * 1000) ms, p99 \(p99 * 1000) ms")
        #expect(alive(d))
        #expect(try d.submit([JobSpec(executable: "/bin/true", directory: d.work)]).count == 1)
    }
}

extension AdversarialTests {
    /// A workspace agent of its own, as root, on a socket in `dir`; and a connection to it.
    func startAgent(in dir: String) throws -> (Process, MessageChannel<AgentMessage, DaemonMessage>) {
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: TestDaemon.binary)
        agent.arguments = ["agent", "--socket", dir + "/agent.sock", "--state", dir + "/state"]
        try agent.run()
        var fd: Int32?
        for _ in 0..<200 where fd == nil { fd = RawAPI.connect(dir + "/agent.sock"); if fd == nil { usleep(20_000) } }
        return (agent, MessageChannel<AgentMessage, DaemonMessage>(fd: try #require(fd)))
    }
}

/// The agent as a job's user meets it: the run's captured output is read only from a regular
/// file of the job's own, whatever the job left in its scratch directory.
extension AdversarialTests {
    @Test(.enabled(if: canSwitchUsers, "needs root to switch users"))
    func aJobCannotMakeTheAgentDeliverAnotherFile() throws {
        guard ensureUser("wsbtest"), let user = getpwnam("wsbtest")?.pointee else { Issue.record("no test user"); return }
        let dir = NSTemporaryDirectory() + "wsb-agent-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let secret = dir + "/secret"
        try "root's secret\n".write(toFile: secret, atomically: true, encoding: .utf8)
        chmod(secret, 0o600)
        chmod(dir, 0o755)
        let (agent, channel) = try startAgent(in: dir)
        defer { agent.terminate(); agent.waitUntilExit() }
        try channel.send(.hello)
        _ = try channel.receive()
        // The job swaps its captured stdout for a symlink to root's file, its stderr for a hard link.
        let job = JobID(900_000 + Int.random(in: 0..<99_999))
        let key = RunKey(job: job, attempt: 1)
        let (out, err) = (RunStaging.captured("stdout"), RunStaging.captured("stderr"))
        let script = "echo mine; rm -f \(out) \(err); ln -s \(secret) \(out); ln \(secret) \(err) 2>/dev/null; exit 0"
        var request = RunRequest(key: key, executable: "/bin/sh", arguments: ["-c", script], environment: [:],
                                 directory: "/", stdin: nil, stdout: nil, stderr: nil, uid: user.pw_uid, gid: user.pw_gid,
                                 groups: [], limits: RunLimits(memoryMB: nil, cpuTimeSeconds: nil, wallTimeSeconds: 30))
        request.staging = RunStaging(stdin: nil, captureStdout: true, captureStderr: true, joined: false)
        request.directory = RunStaging.scratchDirectory(for: key)
        try channel.send(.run(request))
        var exited = false
        var delivered = Data()
        var note: String?
        var ended = false
        while !ended, let message = try channel.receive() {
            switch message {
            case .exited(let k, _, _, _, _) where k == key:
                exited = true
                try channel.send(.fetchOutput(key))
            case .output(let chunk) where chunk.key == key:
                delivered += chunk.data
            case .outputEnd(let k, let n) where k == key:
                note = n
                ended = true
            case .rejected(let k, let reason, _) where k == key:
                note = "rejected: \(reason)"
                ended = true
            default:
                break
            }
        }
        try channel.send(.ack(key))
        #expect(exited)
        #expect(!String(decoding: delivered, as: UTF8.self).contains("secret"), "the agent delivered root's file")
        #expect(note?.contains("stdout not delivered: not a regular file of the job's own") == true, "\(note ?? "no note")")
    }
}

extension AdversarialTests {
    /// An agent killed and started again under a running job stops the job's processes before it
    /// reports the run, and reports it lost (requeued by the daemon, not counted as a failure):
    /// a retry never runs beside an orphan.
    @Test(.enabled(if: canSwitchUsers, "needs root to switch users"))
    func aRestartedAgentStopsOrphansBeforeReporting() throws {
        guard ensureUser("wsbtest"), let user = getpwnam("wsbtest")?.pointee else { Issue.record("no test user"); return }
        let dir = NSTemporaryDirectory() + "wsb-agent-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var (agent, channel) = try startAgent(in: dir)
        try channel.send(.hello)
        _ = try channel.receive()
        let marker = "wsb-orphan-\(UUID().uuidString.prefix(6))"
        let key = RunKey(job: 1, attempt: 1)
        try channel.send(.run(RunRequest(key: key, executable: "/bin/sh", arguments: ["-c", "sleep 300; : \(marker)"],
                                         environment: [:], directory: "/tmp", stdin: nil, stdout: nil, stderr: nil,
                                         uid: user.pw_uid, gid: user.pw_gid, groups: [],
                                         limits: RunLimits(memoryMB: nil, cpuTimeSeconds: nil, wallTimeSeconds: nil))))
        while let m = try channel.receive() { if case .started = m { break } }
        #expect(!processes(matching: marker).isEmpty)
        kill(agent.processIdentifier, SIGKILL)
        agent.waitUntilExit()
        #expect(!processes(matching: marker).isEmpty, "the job outlives its agent")
        unlink(dir + "/agent.sock")
        (agent, channel) = try startAgent(in: dir)
        defer { agent.terminate(); agent.waitUntilExit() }
        try channel.send(.hello)
        guard case .state(_, let runs)? = try channel.receive() else { Issue.record("no state"); return }
        #expect(runs.first?.lost == true && runs.first?.phase == .exited, "\(runs)")
        #expect(processes(matching: marker).isEmpty, "the restarted agent reported the run before stopping it")
    }
}

extension AdversarialTests {
    /// The store's disk fills up: new submits are refused with `store-unavailable` (503), reads
    /// go on, a running job runs on and its end is recorded once there is space again; nothing
    /// acknowledged is lost and the daemon resumes by itself.
    @Test(.enabled(if: isRoot, "needs root to mount a small file system"))
    func aFullDiskRefusesNewWorkAndLosesNothing() throws {
        let d = try TestDaemon(config: config())
        defer {
            d.cleanUp()
            _ = try? runCommand("/bin/umount", ["-l", d.stateDir])
        }
        // The state directory on a file system of its own, 16 MiB.
        let (mounted, why) = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", d.stateDir])
        try #require(mounted == 0, "\(why)")
        try config().write(toFile: d.configPath, atomically: true, encoding: .utf8)
        try d.start()
        let outside = NSTemporaryDirectory() + "wsb-disk-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        chmod(outside, 0o1777)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let running = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "sleep 2; echo ended > \(outside)/ended"],
                                            directory: outside)])[0]
        try d.waitUntil("running") { try d.status([running])[0].state == .running }
        // Fill the disk.
        _ = try runCommand("/bin/dd", ["if=/dev/zero", "of=\(d.stateDir)/fill", "bs=1M", "count=64"])
        // A submit that needs more room than is left (SQLite may still have room in its log for
        // small ones): refused as store-unavailable, 503, not as a bad job, and the daemon stays.
        let big = JobSpec(executable: "/bin/true", environment: ["PAD": String(repeating: "x", count: 10 << 20)], directory: outside)
        var refused: ClientError?
        do { _ = try d.submit([big]) } catch let e as ClientError { refused = e }
        #expect(refused?.code == "store-unavailable", "\(String(describing: refused))")
        if case .daemon(let status, _)? = refused { #expect(status == 503) } else { Issue.record("no answer from the daemon") }
        #expect(alive(d))
        // Reads go on, and the running job ends (in memory) while nothing can be written.
        do {
            try d.waitUntil(timeout: 30, "the job ends") { try d.status([running])[0].state == .done }
        } catch {
            // What to look at when this fails: the job as the daemon answers for it, whether it
            // ran to its end, and the daemon's log (up to where the disk filled).
            let state = (try? d.status([running])[0]).map { "\($0.state) \($0.reason ?? "")" } ?? "no answer"
            let ended = FileManager.default.fileExists(atPath: outside + "/ended")
            Issue.record("job \(running): \(state); its file written: \(ended); daemon log:\n\(d.daemonLog.suffix(3000))")
            throw error
        }
        #expect((try? String(contentsOfFile: outside + "/ended", encoding: .utf8)) == "ended\n")
        // Space comes back: the daemon writes what waited, and takes work again by itself.
        try FileManager.default.removeItem(atPath: d.stateDir + "/fill")
        var accepted: [JobID] = []
        try d.waitUntil(timeout: 30, "submits are taken again") {
            accepted = try d.submit([JobSpec(executable: "/bin/true", directory: outside)])
            return true
        }
        #expect(try d.waitAll(accepted)[0].state == .done)
        // All of it durable: after a kill -9, the store has the first job's end.
        d.kill9()
        try d.start()
        #expect(try d.status([running])[0].state == .done)
        #expect(alive(d))
    }
}

/// Process limits hold per job, and a start that meets a full workspace waits instead of failing.
extension AdversarialTests {
    static let hasV1Pids = canSwitchUsers && FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids/cgroup.procs")

    /// The v1 cgroup directories (by controller) a process sits in.
    func cgroupDirectories(of pid: Int32) -> [String: String] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
        var dirs: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3 else { continue }
            for c in f[1].split(separator: ",") where c == "memory" || c == "pids" { dirs[String(c)] = "/sys/fs/cgroup/\(c)\(f[2])" }
        }
        return dirs
    }

    func read(_ path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// User A forks until the kernel says no; user B's job in the same workspace (two slots)
    /// starts and ends `done` meanwhile: A met its own run's limit, not the workspace's.
    @Test(.enabled(if: hasV1Pids, "needs root, a second user and the v1 pids controller"))
    func aForkBombStarvesOnlyItself() throws {
        guard ensureUser("wsbtest") else { Issue.record("cannot create the test user"); return }
        let d = try TestDaemon(config: config(slots: 2, maxWorkspaces: 1, classExtra: "max_processes = 16"))
        defer { d.cleanUp() }
        try d.start()
        let out = try d.makeDirectory("bomb")
        let bomb = """
            import os, sys, time
            n = 0
            while n < 1000:
                try:
                    pid = os.fork()
                except OSError as e:
                    print("forked", n, "then", os.strerror(e.errno), flush=True)
                    break
                if pid == 0:
                    os.execv("/bin/sleep", ["sleep", "30"])
                n += 1
            time.sleep(float(sys.argv[1]))
            """
        let (code, submitted) = try runAs("wsbtest", ["submit", "--state-dir", d.stateDir, "--directory", out,
                                                      "--output", out + "/bomb.out", "--", "/usr/bin/python3", "-c", bomb, "4"])
        #expect(code == 0, "\(submitted)")
        let a = try #require(JobID(submitted.trimmingCharacters(in: .whitespacesAndNewlines)), "\(submitted)")
        try d.waitUntil("A's fork bomb meets its limit") { read(out + "/bomb.out").contains("then") }
        // While A holds every process it may have, B's job starts in the other slot and ends.
        let t = Date()
        let b = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "for i in 1 2 3 4 5; do /bin/true; done; echo b-ran"],
                                      directory: d.work, stdout: d.work + "/b.out")])[0]
        let bJob = try d.waitAll([b], timeout: 20)[0]
        let bSeconds = Date().timeIntervalSince(t)
        let aJob = try d.waitAll([a], timeout: 20)[0]
        let ws = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
        #expect(bJob.state == .done, "B: \(bJob.state) \(bJob.reason ?? "")")
        #expect(bJob.workspaceID == aJob.workspaceID, "both jobs shared one workspace")
        #expect(aJob.state == .done, "A's own fork failures are its own business: \(aJob.reason ?? "")")
        let pidsDetail = ws.first?.workspace.enforcement.first { $0.control == "pids" }?.detail ?? ""
        print("fork bomb: A \(read(out + "/bomb.out")) (max_processes = 16 per job); B \(bJob.state.rawValue) in \(String(format: "%.2f", bSeconds)) s"
              + " in the same workspace; workspace \(pidsDetail)")
    }

    /// The workspace itself is out of processes when a run starts (the agent's fork fails with
    /// EAGAIN): the job goes back to the queue, not counted as a failed run, and starts once
    /// there is room again.
    @Test(.enabled(if: hasV1Pids, "needs root and the v1 pids controller"))
    func aStartThatMeetsAFullWorkspaceIsRequeued() throws {
        let d = try TestDaemon(config: config(slots: 2, maxWorkspaces: 1))
        defer { d.cleanUp() }
        try d.start()
        let first = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
        #expect(try d.waitAll(first)[0].state == .done)
        let ws = try #require(try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first)
        let sandbox = try #require(ws.workspace.pid)
        let pids = try #require(cgroupDirectories(of: sandbox)["pids"])
        let limit = read(pids + "/pids.max")
        // No room for one more process in the workspace.
        try read(pids + "/pids.current").write(toFile: pids + "/pids.max", atomically: false, encoding: .utf8)
        defer { try? limit.write(toFile: pids + "/pids.max", atomically: false, encoding: .utf8) }
        let id = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])[0]
        var requeued: Job?
        try d.waitUntil("the start fails and the job is requeued") {
            let j = try d.status([id])[0]
            if j.reason?.contains("could not start for now") == true { requeued = j }
            return requeued != nil
        }
        try limit.write(toFile: pids + "/pids.max", atomically: false, encoding: .utf8)
        let job = try d.waitAll([id], timeout: 20)[0]
        #expect(requeued?.state == .queued && requeued?.failures == 0, "\(String(describing: requeued))")
        #expect(job.state == .done, "\(job.state) \(job.reason ?? "")")
        #expect(job.failures == 0 && job.attempts >= 2, "attempts \(job.attempts), failures \(job.failures)")
        print("full workspace: \(requeued?.reason ?? "-"); then \(job.state.rawValue) after \(job.attempts) runs, \(job.failures) counted as failed")
    }
}

/// What a job sees of the host in a local sandbox: the root read-only, its own /tmp, its
/// directory, its home and the class's writable binds writable.
extension AdversarialTests {
    @Test(.enabled(if: canSwitchUsers, "needs root to switch users"))
    func aJobWritesOnlyWhereItMay() throws {
        guard ensureUser("wsbtest") else { Issue.record("cannot create the test user"); return }
        // Outside /tmp: a run's /tmp is its own, where the host's directories are not seen.
        let base = "/var/tmp/wsb-binds-" + UUID().uuidString.prefix(8)
        let (shared, readOnly, other) = (base + "/shared", base + "/readonly", base + "/other")
        for dir in [base, shared, readOnly, other] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, 0o1777)
        }
        defer { try? FileManager.default.removeItem(atPath: base) }
        let d = try TestDaemon(config: config(slots: 2, maxWorkspaces: 1, classExtra: #"binds = ["\#(shared):rw", "\#(readOnly):ro"]"#))
        defer { d.cleanUp() }
        try d.start()
        let marker = "wsb-probe-" + UUID().uuidString.prefix(8)
        let probe = """
            import errno, os, sys
            for path in sys.argv[1:]:
                try:
                    with open(path, "w") as f: f.write("x")
                    print(path, "written")
                except OSError as e:
                    print(path, errno.errorcode[e.errno])
            """
        let targets = ["/etc/\(marker)", "/var/tmp/\(marker)", "\(other)/\(marker)", "\(readOnly)/\(marker)",
                       "\(shared)/\(marker)", "\(d.work)/\(marker)", "/tmp/\(marker)", "/dev/shm/\(marker)"]
        // Root's job runs as nobody, whose home does not exist. Its directory is reached through
        // a symlink (as a home may be): writable where it leads.
        try FileManager.default.createSymbolicLink(atPath: base + "/work-link", withDestinationPath: d.work)
        let nobody = try d.submit([JobSpec(executable: "/usr/bin/python3", arguments: ["-c", probe] + targets,
                                           directory: base + "/work-link", stdout: d.work + "/probe.out", stderr: d.work + "/probe.err")])
        // The test user's home is /tmp: the home is writable, so there it is the host's /tmp.
        let (_, submitted) = try runAs("wsbtest", ["submit", "--state-dir", d.stateDir, "--directory", d.work,
                                                   "--output", d.work + "/home.out", "--", "/usr/bin/python3", "-c", probe,
                                                   "/tmp/\(marker)-home", "/etc/\(marker)"])
        let user = try #require(JobID(submitted.trimmingCharacters(in: .whitespacesAndNewlines)), "\(submitted)")
        let jobs = try d.waitAll(nobody + [user], timeout: 20)
        #expect(jobs.allSatisfy { $0.state == .done }, "\(jobs.map { "\($0.state) \($0.reason ?? "") \($0.exit.map(String.init(describing:)) ?? "")" })")
        let seen = Dictionary(read(d.work + "/probe.out").split(separator: "\n").map { line -> (String, String) in
            let f = line.split(separator: " ")
            return (String(f.first ?? ""), String(f.last ?? ""))
        }, uniquingKeysWith: { a, _ in a })
        let expected = [targets[0]: "EROFS", targets[1]: "EROFS", targets[2]: "EROFS", targets[3]: "EROFS",
                        targets[4]: "written", targets[5]: "written", targets[6]: "written", targets[7]: "written"]
        #expect(seen == expected, "\(read(d.work + "/probe.out")) \(read(d.work + "/probe.err"))")
        // The run's /tmp and /dev/shm were its own: nothing of them is on the host.
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)"), "the job's /tmp file is on the host's /tmp")
        #expect(!FileManager.default.fileExists(atPath: "/dev/shm/\(marker)"))
        #expect(FileManager.default.fileExists(atPath: "\(shared)/\(marker)") && FileManager.default.fileExists(atPath: "\(d.work)/\(marker)"))
        #expect(read(d.work + "/home.out") == "/tmp/\(marker)-home written\n/etc/\(marker) EROFS".trimmingCharacters(in: .whitespaces))
        #expect(FileManager.default.fileExists(atPath: "/tmp/\(marker)-home"), "the user's home is writable")
        try? FileManager.default.removeItem(atPath: "/tmp/\(marker)-home")
        let fs = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first?.workspace.enforcement.first { $0.control == "filesystem" }
        print("sandbox view (\(fs?.detail ?? "-")):\n" + read(d.work + "/probe.out") + "\n" + read(d.work + "/home.out"))
    }

    /// After a daemon run, none of its cgroup directories is left: runs' are reused by the next
    /// runs (at most one per slot) and go with their workspace, workspaces' on destroy, the
    /// daemon's scope when it stops.
    @Test(.enabled(if: hasV1Pids, "needs root and v1 cgroups"))
    func noCgroupDirectoryOutlivesItsUse() throws {
        let d = try TestDaemon(config: config(slots: 2, maxWorkspaces: 1, classExtra: "max_processes = 32"))
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sh", arguments: ["-c", "sleep 0.2 & wait"], directory: d.work, count: 3)])
        #expect(try d.waitAll(ids).allSatisfy { $0.state == .done })
        let ws = try #require(try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first)
        let sandbox = try #require(ws.workspace.pid)
        let dirs = cgroupDirectories(of: sandbox)
        let workspaceDirs = ["memory", "pids"].compactMap { dirs[$0] }
        #expect(workspaceDirs.count == 2, "\(dirs)")
        func children(_ dir: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { name in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir) && isDir.boolValue
            }
        }
        let runsLeft = workspaceDirs.flatMap(children)
        for dir in workspaceDirs {
            let runs = children(dir)
            #expect(runs.count <= 2 && runs.allSatisfy { $0.hasPrefix("slot-") }, "run cgroups beyond one per slot: \(runs)")
            #expect(runs.allSatisfy { (try? String(contentsOfFile: "\(dir)/\($0)/cgroup.procs", encoding: .utf8))?.isEmpty == true },
                    "a process outlived its run")
        }
        let scopes = ["memory", "cpu", "pids"].map { "/sys/fs/cgroup/\($0)/wsbridge/" + ((workspaceDirs[0] as NSString).deletingLastPathComponent as NSString).lastPathComponent }
        d.cleanUp()
        let left = scopes.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(left.isEmpty, "left after the daemon stopped: \(left)")
        print("cgroups: \(runsLeft.count) run directories kept for reuse after 3 runs; scope directories left after stop: \(left.count) of \(scopes.count)")
    }
}
