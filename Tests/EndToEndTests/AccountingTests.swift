import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// Accounting through a real daemon and a local workspace: what runs used is measured by the
/// workspace's agent, stored with the run's end, listed by `wsbridge accounting` (a user sees
/// only their own), and exported as APEL messages and BLAH accounting lines.
@Suite(.serialized) struct AccountingTests {
    static let cgroupsAsRoot = isRoot && (FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes")
        || FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers"))

    func accountingConfig(_ d: String) -> String {
        config(extra: """
            [accounting]
            site = "TEST-SITE"
            submit_host = "ce.example.org:9619/ce.example.org-wsbridge"
            apel_directory = "\(d)/apel"
            blah_log_prefix = "\(d)/blah/blahp.log"
            """)
    }

    func records(_ d: TestDaemon, asUser user: String? = nil, _ extra: [String] = []) throws -> (Int32, String) {
        let args = ["accounting", "--state-dir", d.stateDir, "--since", "0"] + extra
        return try user.map { try runAs($0, args) } ?? runCommand(TestDaemon.binary, args)
    }

    /// A job that burns 2 CPU-seconds is recorded within 5 %; one that holds 200 MiB, within 10 %.
    @Test(.enabled(if: cgroupsAsRoot, "needs cgroups as root"))
    func cpuTimeAndPeakMemoryOfRealRuns() throws {
        let state = NSTemporaryDirectory() + "wsb-acct-" + UUID().uuidString.prefix(8)
        let d = try TestDaemon(config: accountingConfig(state))
        defer { d.cleanUp(); try? FileManager.default.removeItem(atPath: state) }
        try d.start()
        // One after the other, so that each reuses the cgroup of the run before it: a run that
        // leaves 150 MiB of page cache charged to its cgroup, then the measured ones.
        let cache = try d.submit([JobSpec(executable: "/bin/dd", arguments: ["if=/dev/zero", "of=\(d.work)/cache", "bs=1M", "count=150"],
                                          directory: d.work)])
        #expect(try d.waitAll(cache)[0].state == .done)
        let burn = "import time\nwhile time.process_time() < 2.0: pass"
        let hold = "import time\nx = b'x' * (200 << 20)\ntime.sleep(0.3)"
        var ids: [JobID] = []
        for program in [hold, burn] {
            ids += try d.submit([JobSpec(executable: "/usr/bin/python3", arguments: ["-c", program], directory: d.work)])
            #expect(try d.waitAll([ids.last!])[0].state == .done)
        }
        ids.reverse()

        let (code, out) = try records(d, ["--json"])
        #expect(code == 0, "\(out)")
        let list = try JSONDecoder().decode([AccountingRecord].self, from: Data(out.utf8))
        let cpu = try #require(list.first { $0.job == ids[0] }), mem = try #require(list.first { $0.job == ids[1] })
        let cpuSeconds = try #require(cpu.cpuSeconds)
        #expect(abs(cpuSeconds - 2.0) <= 0.1, "CPU time \(cpuSeconds) s for a job that burns 2 s")
        #expect(cpu.wallSeconds >= cpuSeconds * 0.9, "wall \(cpu.wallSeconds) s")
        let peak = Double(try #require(mem.peakMemoryBytes)), want = Double(200 << 20)
        #expect(abs(peak - want) <= want * 0.1, "peak \(peak / 1048576) MiB for a job that holds 200 MiB")
        for r in [cpu, mem] {
            #expect(r.usageSource?.hasPrefix("cgroup-") == true, "\(r.usageSource ?? "-")")
            #expect(r.attempt == 1 && r.cores == 1 && r.className == "default" && r.exit == .exited(0) && r.owner == 0)
            #expect(r.host != nil && r.workspace.hasPrefix("w"))
        }
        print("accounting: burn 2 s → \(cpuSeconds) s CPU; hold 200 MiB → \(peak / 1048576) MiB peak (\(mem.usageSource ?? "-"))")

        // The APEL messages, one new file per run, read as the APEL server reads them; root only.
        let apel = state + "/apel"
        try d.waitUntil(timeout: 20, "three APEL files") { (try FileManager.default.contentsOfDirectory(atPath: apel)).count == 3 }
        var exported: [String: [String: String]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: apel) {
            let text = try String(contentsOfFile: apel + "/" + name, encoding: .utf8)
            let recs = try APELRecordValidator.records(text)
            #expect(recs.count == 1)
            if let r = recs.first, let id = r["LocalJobId"] { exported[id] = r }
            let mode = try FileManager.default.attributesOfItem(atPath: apel + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        #expect(exported.count == 3 && exported["\(ids[0])"]?["CpuDuration"] == "2")
        #expect(exported["\(ids[1])"]?["MemoryReal"] == "\(mem.peakMemoryBytes! / 1024)")
        #expect(exported["\(ids[0])"]?["Site"] == "TEST-SITE" && exported["\(ids[0])"]?["InfrastructureType"] == "local")
        // Nothing is left half-written beside the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: state).allSatisfy { !$0.hasSuffix(".tmp") })
    }

    /// A grid job's record carries what its front door knew (the proxy's subject, the CE's job
    /// id), and its BLAH accounting line links the CE's job to ours. A user sees only their own
    /// records; an admin sees all.
    @Test(.enabled(if: isRoot && FileManager.default.fileExists(atPath: "/usr/sbin/runuser"), "needs root to switch users"))
    func gridIdentityBlahLineAndWhoSeesWhat() throws {
        guard ensureUser("wsbtest") else { Issue.record("cannot create the test user"); return }
        let uid = getpwnam("wsbtest")!.pointee.pw_uid
        let state = NSTemporaryDirectory() + "wsb-acct-" + UUID().uuidString.prefix(8)
        let d = try TestDaemon(config: accountingConfig(state))
        defer { d.cleanUp(); try? FileManager.default.removeItem(atPath: state) }
        try d.start()
        let ad = ["x509UserProxySubject": "\"/DC=org/DC=example/CN=Grid User\"", "ClientJobId": "\"ce.example.org#7.0\"",
                  "x509UserProxyFirstFQAN": "\"/testvo/Role=NULL/Capability=NULL\""]
        let grid = try d.submit([JobSpec(executable: "/bin/true", directory: d.work, origin: .condor(CondorOrigin(ad: ad)))])
        let (_, submitted) = try runAs("wsbtest", ["submit", "--state-dir", d.stateDir, "--directory", "/tmp", "--", "/bin/true"])
        let theirs = try #require(JobID(submitted.trimmingCharacters(in: .whitespacesAndNewlines)), "\(submitted)")
        #expect(try d.waitAll(grid + [theirs]).allSatisfy { $0.state == .done })

        let (code, all) = try records(d, ["--json"])
        #expect(code == 0, "\(all)")
        let everyone = try JSONDecoder().decode([AccountingRecord].self, from: Data(all.utf8))
        #expect(Set(everyone.map(\.job)) == Set(grid + [theirs]))
        let g = try #require(everyone.first { $0.job == grid[0] })
        #expect(g.origin == "condor")
        #expect(g.grid == GridJob(jobID: "ce.example.org#7.0", userDN: "/DC=org/DC=example/CN=Grid User",
                                  fqan: "/testvo/Role=NULL/Capability=NULL"))
        #expect(everyone.first { $0.job == theirs }?.ownerName == "wsbtest")

        let (userCode, own) = try records(d, asUser: "wsbtest", ["--json"])
        #expect(userCode == 0, "\(own)")
        let mine = try JSONDecoder().decode([AccountingRecord].self, from: Data(own.utf8))
        #expect(mine.map(\.job) == [theirs] && mine.allSatisfy { $0.owner == uid })
        let (refused, why) = try records(d, asUser: "wsbtest", ["--owner", "root"])
        #expect(refused != 0 && why.contains("only root or the admin group"), "\(why)")
        let (_, table) = try records(d, ["--until", "\(Int(Date().timeIntervalSince1970) + 60)"])
        #expect(table.hasPrefix("JOB") && table.contains("wsbtest") && table.contains("/DC=org/DC=example/CN=Grid User"), "\(table)")
        let (_, none) = try records(d, ["--json", "--until", "1"])
        #expect(try JSONDecoder().decode([AccountingRecord].self, from: Data(none.utf8)).isEmpty)

        // The BLAH line of the grid job only (a local job has no CE job to link to), root only.
        let blah = state + "/blah"
        try d.waitUntil(timeout: 20, "the blah accounting line") {
            try FileManager.default.contentsOfDirectory(atPath: blah).contains { $0.hasPrefix("blahp.log-") }
        }
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: blah).first)
        let text = try String(contentsOfFile: blah + "/" + name, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.contains("\"userDN=/DC=org/DC=example/CN=Grid User\" \"userFQAN=/testvo/Role=NULL/Capability=NULL\""))
        #expect(text.contains("\"ceID=ce.example.org:9619/ce.example.org-wsbridge\" \"jobID=ce.example.org#7.0\" \"lrmsID=\(grid[0])\""))
        #expect((try FileManager.default.attributesOfItem(atPath: blah + "/" + name)[.posixPermissions] as? Int) == 0o600)
    }

    /// kill -9 between the commit of a run's end and its APEL file, and again between the file's
    /// rename into place and the outbox's bookkeeping: after a restart the file is there, once,
    /// whole, and the record was in the store all along.
    @Test(arguments: ["outbox-kill-before-write", "outbox-kill-after-write"])
    func aCrashAroundTheAPELFileLosesAndDoublesNothing(_ fault: String) throws {
        let state = NSTemporaryDirectory() + "wsb-acct-" + UUID().uuidString.prefix(8)
        let d = try TestDaemon(config: accountingConfig(state))
        defer { d.cleanUp(); try? FileManager.default.removeItem(atPath: state) }
        d.environment = ["WSBRIDGE_FAULT": "\(fault):APEL-individual-job-message"]
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
        d.process?.waitUntilExit()
        #expect(d.process?.terminationReason == .uncaughtSignal, "the fault point was not reached")
        d.process = nil
        let apel = state + "/apel"
        func files() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: apel)) ?? [] }
        #expect(files().count == (fault == "outbox-kill-before-write" ? 0 : 1))
        d.environment = [:]
        try d.start()
        #expect(try d.waitAll(ids)[0].state == .done)
        try d.waitUntil("the APEL file") { files().count == 1 }
        usleep(1_000_000)
        #expect(files().count == 1, "\(files())")
        let text = try String(contentsOfFile: apel + "/" + files()[0], encoding: .utf8)
        #expect(try APELRecordValidator.records(text).map { $0["LocalJobId"] } == ["\(ids[0])"])
        let (_, out) = try records(d, ["--json"])
        #expect(try JSONDecoder().decode([AccountingRecord].self, from: Data(out.utf8)).map(\.job) == ids)
        #expect(try FileManager.default.contentsOfDirectory(atPath: state).allSatisfy { !$0.hasSuffix(".tmp") })
    }

    /// A GRAM job's record carries the job manager's job contact and the DN of the proxy the job
    /// manager names in `X509_USER_PROXY` (here a plain certificate: its own subject).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func aGRAMJobsRecordCarriesTheProxysIdentity() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        let proxy = d.stateDir + "/x509up"
        let openssl = try runCommand("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", proxy + ".key",
                                                          "-out", proxy, "-days", "1", "-subj", "/DC=org/DC=example/CN=GRAM User"])
        try #require(openssl.0 == 0, "\(openssl.1)")
        try d.start()
        let contact = "https://gk.example.org:40001/16001/1765000000/"
        let reply = try d.gram("submit", #"{"executable":["/bin/true"],"directory":["\#(d.work)"]}"#,
                               environment: ["X509_USER_PROXY": proxy, "GLOBUS_GRAM_JOB_CONTACT": contact])
        #expect(reply["JOB_ID"] is String, "\(reply)")
        _ = try d.waitAll([1])
        let (_, out) = try records(d, ["--json"])
        let record = try #require(try JSONDecoder().decode([AccountingRecord].self, from: Data(out.utf8)).first)
        #expect(record.origin == "gram")
        #expect(record.grid == GridJob(jobID: contact, userDN: "/DC=org/DC=example/CN=GRAM User"))
    }
}
