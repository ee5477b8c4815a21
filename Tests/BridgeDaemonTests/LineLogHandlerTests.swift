import Foundation
import Logging
import Synchronization
import Testing
import WorkspaceBridge
@testable import BridgeDaemon

/// The daemon's log lines: what journald and syslog read, one line per message whatever it holds.
@Suite struct LineLogHandlerTests {
    /// The lines a logger wrote, in order.
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        var text: [String] { all.withLock { $0 } }
    }

    func logger(_ style: LineLogHandler.Style, level: Logger.Level = .info) -> (Logger, Lines) {
        let lines = Lines()
        let handler = LineLogHandler(level: level, style: style) { line in lines.all.withLock { $0.append(line) } }
        return (Logger(label: "test") { _ in handler }, lines)
    }

    @Test func levelNamesAndSortedMetadata() {
        let (log, lines) = logger(.levelName)
        log.info("workspace ready", metadata: ["workspace": "ws-1", "pid": "42"])
        log.warning("cannot reach agent", metadata: ["error": "connection refused", "workspace": "ws-2"])
        #expect(lines.text == ["info: workspace ready pid=42 workspace=ws-1\n",
                               "warning: cannot reach agent error=\"connection refused\" workspace=ws-2\n"])
    }

    /// sd-daemon(3)'s prefixes, which journald takes as the entry's priority.
    @Test func syslogPriorities() {
        let (log, lines) = logger(.priority, level: .trace)
        log.trace("t"); log.debug("d"); log.info("i"); log.notice("n"); log.warning("w"); log.error("e"); log.critical("c")
        #expect(lines.text == ["<7>t\n", "<7>d\n", "<6>i\n", "<5>n\n", "<4>w\n", "<3>e\n", "<2>c\n"])
    }

    @Test func belowTheLevelNothingIsWritten() {
        var (log, lines) = logger(.levelName, level: .warning)
        log.info("not shown")
        log.error("shown")
        log.logLevel = .debug
        log.debug("now shown")
        #expect(lines.text == ["error: shown\n", "debug: now shown\n"])
    }

    /// Copies of a logger share the level: the daemon sets it once on reload for all its parts.
    @Test func copiesShareTheLevel() {
        let (log, lines) = logger(.levelName, level: .info)
        var other = log
        other.logLevel = .error
        log.info("hidden now")
        #expect(log.logLevel == .error && lines.text.isEmpty)
    }

    /// A user's text in a reason (newlines, escapes, quotes) stays on its line and cannot forge
    /// another entry; a huge value is cut.
    @Test func oneMessageOneLine() {
        let (log, lines) = logger(.priority)
        log.error("bad\nline", metadata: ["reason": "x\n<0>forged \u{1b}[31m \"q\" a=b", "": ""])
        // Quoted values escape their backslashes too (logfmt): `\n` inside quotes is `\\n`.
        #expect(lines.text == ["<3>bad\\nline =\"\" reason=\"x\\\\n<0>forged \\\\u{1b}[31m \\\"q\\\" a=b\"\n"])
        #expect(lines.text[0].filter { $0 == "\n" }.count == 1)
        log.info("big", metadata: ["v": "\(String(repeating: "é", count: 10_000))"])
        let big = lines.text[1]
        #expect(big.utf8.count <= LineLogHandler.maxLineBytes + 1 && big.hasSuffix("...\n") && big.hasPrefix("<6>big v="))
    }

    /// JOURNAL_STREAM names stderr only when stderr is that very file (device and inode).
    @Test func journalStreamMustBeStderr() {
        var st = stat()
        #expect(fstat(STDERR_FILENO, &st) == 0)
        #expect(LineLogHandler.stderrIsJournal(["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]))
        #expect(!LineLogHandler.stderrIsJournal(["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino + 1)"]))
        #expect(!LineLogHandler.stderrIsJournal(["JOURNAL_STREAM": "junk"]))
        #expect(!LineLogHandler.stderrIsJournal([:]))
    }

    @Test func configLevel() throws {
        #expect(try ConfigLoader.parse("[log]\nlevel = \"debug\"\n").logLevel(default: .info) == .debug)
        #expect(try ConfigLoader.parse("").logLevel(default: .info) == .info)
        #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse("[log]\nlevel = \"loud\"\n") }
        #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse("[log]\nlevel = 3\n") }
        #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse("[log]\nfile = \"/x\"\n") }
    }
}
