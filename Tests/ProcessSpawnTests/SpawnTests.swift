import Foundation
import Glibc
import Testing
import ProcessSpawn

/// `spawn.c`: the child shares the parent's memory until exec (a vfork-style clone) and still
/// says which step failed and why; it keeps no descriptor of the parent's.
@Suite struct SpawnTests {
    func wait(_ pid: pid_t) -> (exited: Int32?, signal: Int32?) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ProcessSpawner.decode(status: status)
    }

    func temporary(_ name: String) -> String { NSTemporaryDirectory() + "wsb-spawn-\(UUID().uuidString)-\(name)" }

    @Test func aProgramThatCannotRunIsNamedWithItsReason() {
        #expect {
            _ = try ProcessSpawner.spawn(SpawnRequest(path: "/nonexistent/program", argv: ["x"], environment: []))
        } throws: { error in
            "\(error)" == "cannot execute /nonexistent/program: No such file or directory"
        }
    }

    @Test func eachStepSaysWhatFailed() {
        var request = SpawnRequest(path: "/bin/true", argv: ["true"], environment: [], directory: "/nonexistent-directory")
        #expect { _ = try ProcessSpawner.spawn(request) } throws: { "\($0)" == "cannot enter directory /nonexistent-directory: No such file or directory" }
        request.directory = nil
        request.stdout = "/nonexistent-directory/out"
        #expect { _ = try ProcessSpawner.spawn(request) } throws: { "\($0)".hasPrefix("cannot open output /nonexistent-directory/out:") }
    }

    @Test func theChildRunsWithItsFilesAndNothingElseOfOurs() throws {
        // A descriptor of ours, not close-on-exec, beyond the first few: the job must not get it.
        let ours = open("/dev/null", O_RDONLY)
        let high = fcntl(ours, F_DUPFD, 200)
        defer { close(ours); close(high) }
        let out = temporary("fds")
        defer { unlink(out) }
        var request = SpawnRequest(path: "/bin/sh", argv: ["sh", "-c", "ls /proc/self/fd; echo $WSB_SPAWN_TEST"],
                                   environment: ["WSB_SPAWN_TEST=here"])
        request.stdout = out
        let pid = try ProcessSpawner.spawn(request)
        #expect(wait(pid).exited == 0)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        // 0, 1, 2 and the one `ls` opened for /proc/self/fd.
        #expect(lines.dropLast().count <= 4, "descriptors the job got: \(lines)")
        #expect(!lines.contains("\(ours)") || ours <= 3)
        #expect(!lines.contains("\(high)"))
        #expect(lines.last == "here")
    }

    @Test func manySpawnsFromManyThreadsAtOnce() async throws {
        // Spawns share our memory until exec: concurrent ones must not see each other's state.
        let results = await withTaskGroup(of: Int32?.self) { group in
            for i in 0..<64 {
                group.addTask {
                    guard let pid = try? ProcessSpawner.spawn(SpawnRequest(path: "/bin/sh", argv: ["sh", "-c", "exit \(i % 7)"], environment: []))
                    else { return nil }
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    return ProcessSpawner.decode(status: status).exited.map { $0 == Int32(i % 7) ? 1 : 0 }
                }
            }
            var all: [Int32?] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 64 && results.allSatisfy { $0 == 1 })
    }
}
