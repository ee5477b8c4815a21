import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// Runs the CLI as another unix user; returns (exit code, stdout + stderr).
func runAs(_ user: String, _ args: [String]) throws -> (Int32, String) {
    try runCommand("/usr/sbin/runuser", ["-u", user, "--", TestDaemon.binary] + args)
}

/// A throwaway unix user for the test.
func ensureUser(_ name: String) -> Bool {
    if getpwnam(name) != nil { return true }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/sbin/useradd")
    p.arguments = ["-M", "-d", "/tmp", "-s", "/bin/sh", name]
    try? p.run()
    p.waitUntilExit()
    return getpwnam(name) != nil
}

extension EndToEndTests {
    /// As a second unix user, status and cancel of another user's job are refused; that user's
    /// own jobs run as that user.
    @Test(.enabled(if: isRoot && FileManager.default.fileExists(atPath: "/usr/sbin/runuser"), "needs root to switch users"))
    func anotherUserCanNeitherSeeNorCancel() throws {
        guard ensureUser("wsbtest") else { Issue.record("cannot create the test user"); return }
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["30"], directory: d.work)])
        let (statusCode, statusOut) = try runAs("wsbtest", ["status", "--state-dir", d.stateDir, String(ids[0])])
        #expect(statusCode != 0)
        #expect(statusOut.contains("belongs to another user"), "\(statusOut)")
        let (cancelCode, cancelOut) = try runAs("wsbtest", ["cancel", "--state-dir", d.stateDir, String(ids[0])])
        #expect(cancelCode != 0)
        #expect(cancelOut.contains("belongs to another user"), "\(cancelOut)")
        #expect(try d.status(ids)[0].state != .cancelled)
        // Their own job runs under their uid; their listing does not show root's job.
        let (_, submitted) = try runAs("wsbtest", ["submit", "--state-dir", d.stateDir, "--directory", "/tmp",
                                                   "--output", "/tmp/wsbtest-\(ids[0]).out", "--", "/usr/bin/id", "-un"])
        let theirs = Int64(submitted.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(theirs != nil, "\(submitted)")
        if let theirs {
            #expect(try d.waitAll([theirs])[0].state == .done)
            #expect((try? String(contentsOfFile: "/tmp/wsbtest-\(ids[0]).out", encoding: .utf8)) == "wsbtest\n")
            try? FileManager.default.removeItem(atPath: "/tmp/wsbtest-\(ids[0]).out")
        }
        // A job never runs as root: root's own jobs run as nobody.
        let rootJob = try d.submit([JobSpec(executable: "/usr/bin/id", arguments: ["-un"], directory: d.work, stdout: d.work + "/root-id.out")])
        #expect(try d.waitAll(rootJob)[0].state == .done)
        #expect((try? String(contentsOfFile: d.work + "/root-id.out", encoding: .utf8)) == "nobody\n")
        let (_, listing) = try runAs("wsbtest", ["status", "--state-dir", d.stateDir, "--json"])
        #expect(!listing.contains("\"id\" : \(ids[0]),"))
        _ = try d.client.post("/v1/jobs/\(ids[0])/cancel", as: JobActionReply.self)
    }

    /// Malformed requests, unknown ids, a missing executable, an unwritable output: each gets a
    /// clear error, the daemon keeps running, and nothing already accepted is lost.
    @Test func badInputGetsClearErrors() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let kept = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["1"], directory: d.work)])
        func expectError(_ code: String, _ contains: String, _ body: () throws -> Void) {
            do {
                try body()
                Issue.record("expected error \(code)")
            } catch let e as ClientError {
                #expect(e.code == code, "\(e)")
                #expect(e.description.contains(contains), "\(e)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        expectError("bad-request", "not valid JSON") { _ = try d.client.request("POST", "/v1/jobs", body: Data("{nope".utf8)) }
        expectError("bad-request", "missing specs") { _ = try d.client.request("POST", "/v1/jobs", body: Data("{}".utf8)) }
        expectError("not-found", "no job 987654") { _ = try d.client.get("/v1/jobs/987654", as: JobStatus.self) }
        expectError("bad-request", "is not a job id") { _ = try d.client.get("/v1/jobs/abc", as: JobStatus.self) }
        expectError("not-found", "no such API endpoint") { _ = try d.client.get("/v2/everything", as: [String: String].self) }
        expectError("bad-executable", "/no/such/executable does not exist") {
            _ = try d.submit([JobSpec(executable: "/no/such/executable", directory: d.work)])
        }
        // fork.pm's two cases (GCT gram/jobmanager/lrms/fork/source/fork.pm): missing is one, present
        // but not a plain executable file the other.
        expectError("executable-not-executable", "is not a plain file") { _ = try d.submit([JobSpec(executable: d.work, directory: d.work)]) }
        _ = FileManager.default.createFile(atPath: d.work + "/data.txt", contents: Data("x\n".utf8), attributes: [.posixPermissions: 0o644])
        expectError("executable-not-executable", "is not executable by") {
            _ = try d.submit([JobSpec(executable: d.work + "/data.txt", directory: d.work)])
        }
        expectError("bad-executable", "was not found on PATH") { _ = try d.submit([JobSpec(executable: "no-such-program-here", directory: d.work)]) }
        expectError("bad-directory", "does not exist") { _ = try d.submit([JobSpec(executable: "/bin/true", directory: "/no/such/dir")]) }
        expectError("bad-stdout", "directory /no/such does not exist") {
            _ = try d.submit([JobSpec(executable: "/bin/true", directory: d.work, stdout: "/no/such/out.txt")])
        }
        expectError("unknown-class", "no workspace class \"gold\"") {
            _ = try d.submit([JobSpec(executable: "/bin/true", workspace: .named("gold"))])
        }
        expectError("invalid-job", "count must be 1 or more") { _ = try d.submit([JobSpec(executable: "/bin/true", count: 0)]) }
        // A bad spec in a batch refuses the whole batch, and nothing of it is recorded.
        let before = try d.client.get("/v1/jobs", as: [JobStatus].self).count
        expectError("bad-executable", "does not exist") {
            _ = try d.submit([JobSpec(executable: "/bin/true", directory: d.work), JobSpec(executable: "/nope", directory: d.work)])
        }
        #expect(try d.client.get("/v1/jobs", as: [JobStatus].self).count == before)
        // An output that becomes unwritable after the submit: the run is refused by the agent with the reason.
        let dir = try d.makeDirectory("vanishing")
        let late = try d.submit([JobSpec(executable: "/bin/true", directory: d.work, stdout: dir + "/x/out", hold: true)].map {
            var s = $0
            s.stdout = dir + "/out"
            return s
        })
        try FileManager.default.removeItem(atPath: dir)
        _ = try d.client.post("/v1/jobs/\(late[0])/release", as: JobActionReply.self)
        let failed = try d.waitAll(late)[0]
        #expect(failed.state == .failed)
        #expect(failed.reason?.contains("cannot open output \(dir)/out") == true, "\(failed.reason ?? "")")
        #expect(try d.waitAll(kept)[0].state == .done, "an accepted job is not lost")
        #expect((try? d.client.get("/v1/health", as: [String: String].self))?["status"] == "ok")
    }
}
