import Foundation
import Synchronization
import Testing
@testable import WorkspaceAgent

/// The replacements of what FoundationEssentials lacks behave as the Foundation originals.
@Suite struct PosixReplacementTests {
    @Test(arguments: ["/tmp/wsbridge/run-1-2", "/tmp/wsbridge/run-1-2/", "/a", "/", "a/b", "//a//b//", "", "/a//"])
    func parentDirectoryAsNSString(path: String) {
        #expect(deletingLastPathComponent(path) == (path as NSString).deletingLastPathComponent)
    }

    @Test func parentOfARelativeName() {
        // Foundation on Linux traps here; on Darwin it is the empty string.
        #expect(deletingLastPathComponent("a") == "")
    }

    @Test(arguments: [0.0, 1.5, 1_767_225_600.123456789, 1_767_225_600.0000004, 1_767_225_600.9999996, -2.25, 1e21])
    func fixedPointAsStringFormat(value: Double) {
        #expect(fixedPoint(value, places: 6) == String(format: "%.6f", value))
    }

    @Test(arguments: ["0\n", "  12 \t\n", "", " \n ", "3", "\u{00A0}7\u{2028}"])
    func trimmingAsTrimmingCharacters(text: String) {
        #expect(String(text.trimmingWhitespace) == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func aTimedWaitEndsAndASignalWakes() {
        let c = Condition()
        let start = Date()
        c.lock()
        #expect(c.wait(seconds: 0.2) == false)
        c.unlock()
        #expect(Date().timeIntervalSince(start) >= 0.19)

        let woke = Condition()
        let done = Mutex(false)
        detachThread {
            usleep(50_000)
            woke.lock()
            done.withLock { $0 = true }
            woke.signal()
            woke.unlock()
        }
        woke.lock()
        var waited = 0
        while !done.withLock({ $0 }) && waited < 50 {
            woke.wait(seconds: 0.1)
            waited += 1
        }
        woke.unlock()
        #expect(done.withLock { $0 })
    }

    @Test func readsAFileInPieces() throws {
        let path = NSTemporaryDirectory() + "/wsbridge-agent-read-\(getpid())"
        defer { unlink(path) }
        let content = Data((0..<10_000).map { UInt8($0 % 251) })
        try content.write(to: URL(fileURLWithPath: path))
        #expect(ReadableFile(path: path + ".missing") == nil)
        let file = try #require(ReadableFile(path: path))
        #expect(file.size == 10_000)
        var got = Data()
        while true {
            let piece = try file.read(upToCount: 4096)
            if piece.isEmpty { break }
            #expect(piece.count == 4096 || got.count + piece.count == 10_000)
            got += piece
        }
        #expect(got == content)
    }

    /// A Xen channel is a terminal: raw mode must pass lines through unchanged and echo nothing.
    @Test func rawModeOnATerminal() throws {
        // posix_openpt and friends are not imported: /dev/ptmx with the Linux ioctls (x86-64
        // and arm64 numbers) TIOCSPTLCK and TIOCGPTN.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(master >= 0)
        defer { close(master) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        try #require(ioctl(master, 0x4004_5431, &unlock) == 0 && ioctl(master, 0x8004_5430, &number) == 0)
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(slave >= 0)
        defer { close(slave) }
        var t = termios()
        tcgetattr(slave, &t)
        #expect(t.c_lflag & tcflag_t(ECHO) != 0, "a new terminal echoes")
        #expect(makeRaw(slave) == 0)
        tcgetattr(slave, &t)
        #expect(t.c_lflag & tcflag_t(ECHO | ICANON | ISIG) == 0)
        #expect(t.c_iflag & tcflag_t(ICRNL) == 0 && t.c_oflag & tcflag_t(OPOST) == 0)

        let line = "{\"type\":\"hello\"}\r\n"
        _ = line.withCString { write(master, $0, strlen($0)) }
        var got: [UInt8] = []
        while got.count < line.utf8.count {
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = read(slave, &buffer, buffer.count)
            try #require(n > 0)
            got += buffer[0..<n]
        }
        #expect(got == Array(line.utf8))
        var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        #expect(poll(&p, 1, 100) == 0, "nothing is echoed back")
        #expect(makeRaw(-1) == EBADF)
    }
}
