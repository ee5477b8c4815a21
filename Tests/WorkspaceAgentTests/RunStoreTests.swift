import AgentProtocol
import Foundation
import Testing
@testable import WorkspaceAgent

/// The agent's journal of its runs: what a restarted agent reads back.
@Suite struct RunStoreTests {
    func directory() -> String {
        let dir = NSTemporaryDirectory() + "wsb-runstore-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func key(_ job: Int64) -> RunKey { RunKey(job: job, attempt: 1) }

    @Test func theLastLineOfARunWinsAndForgottenRunsAreGone() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try RunStore(directory: dir)
            try store.save(AgentRunRecord(key: key(1), phase: .accepted))
            try store.save(AgentRunRecord(key: key(1), phase: .running, pid: 42))
            try store.save(AgentRunRecord(key: key(2), phase: .accepted))
            try store.save(AgentRunRecord(key: key(2), phase: .exited, exit: .exited(3)))
            try store.save(AgentRunRecord(key: key(3), phase: .accepted))
            store.remove(key(3))
        }
        let again = try RunStore(directory: dir).loadAll().sorted { $0.key.job < $1.key.job }
        #expect(again.map(\.key.job) == [1, 2])
        #expect(again[0].phase == .running && again[0].pid == 42)
        #expect(again[1].exit == .exited(3))
        var st = stat()
        #expect(stat(dir + "/runs.log", &st) == 0 && st.st_mode & 0o077 == 0, "the journal is root's only")
    }

    @Test func aTornLastLineIsIgnored() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try RunStore(directory: dir).save(AgentRunRecord(key: key(7), phase: .accepted))
        // A crash in the middle of a write: half a line at the end.
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/runs.log"))
        handle.seekToEndOfFile()
        handle.write(Data("\n{\"record\":{\"key\":{\"job\":8,".utf8))
        handle.closeFile()
        let store = try RunStore(directory: dir)
        #expect(store.loadAll().map(\.key.job) == [7])
        // And the next line after it is read whole.
        try store.save(AgentRunRecord(key: key(9), phase: .accepted))
        #expect(try RunStore(directory: dir).loadAll().map(\.key.job).sorted() == [7, 9])
    }

    @Test func theJournalIsRewrittenWhenItHasGrownBeyondItsRuns() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try RunStore(directory: dir)
        for job in Int64(1)...3000 {
            try store.save(AgentRunRecord(key: key(job), phase: .accepted))
            try store.save(AgentRunRecord(key: key(job), phase: .exited, exit: .exited(0)))
            store.remove(key(job))
        }
        try store.save(AgentRunRecord(key: key(5000), phase: .accepted))
        let lines = try String(contentsOfFile: dir + "/runs.log", encoding: .utf8).split(separator: "\n").count
        #expect(lines <= 1001, "9001 lines written for one live run, \(lines) kept")
        #expect(try RunStore(directory: dir).loadAll().map(\.key.job) == [5000])
    }

    @Test func recordsOfAnAgentBeforeTheJournalAreTakenOver() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // One file per run, as agents wrote them before.
        try FileManager.default.createDirectory(atPath: dir + "/runs", withIntermediateDirectories: true)
        try JSONEncoder().encode(AgentRunRecord(key: key(11), phase: .running, pid: 99)).write(to: URL(fileURLWithPath: dir + "/runs/11.1.json"))
        let store = try RunStore(directory: dir)
        #expect(store.loadAll().map(\.pid) == [99])
        #expect(!FileManager.default.fileExists(atPath: dir + "/runs"))
        #expect(try RunStore(directory: dir).loadAll().map(\.key.job) == [11])
    }
}
