import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// `wsbridge status --watch`: redrawn in place on a terminal, snapshots one after another into a
/// pipe; Ctrl-C (SIGINT) ends it cleanly.
@Suite struct StatusWatchTests {
    /// Starts `wsbridge status --watch` with `stdout`, lets it draw for a while, interrupts it;
    /// returns its exit status.
    func watch(_ d: TestDaemon, stdout: FileHandle, for seconds: Double) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestDaemon.binary)
        p.arguments = ["status", "--watch", "--interval", "0.5"]
        p.environment = ["WSBRIDGE_STATE_DIR": d.stateDir, "PATH": "/usr/bin:/bin", "TERM": "xterm"]
        p.standardOutput = stdout
        p.standardError = stdout
        try p.run()
        usleep(UInt32(seconds * 1_000_000))
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        return p
    }

    @Test func snapshotsIntoAPipe() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
        _ = try d.waitAll(ids)
        let pipe = Pipe()
        let p = try watch(d, stdout: pipe.fileHandleForWriting, for: 1.7)
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationReason == .exit && p.terminationStatus == 0, "\(text)")
        let snapshots = text.components(separatedBy: "every 0.5 s: wsbridge status --watch --interval 0.5")
        // Drawn about every half second for 1.7 s (a loaded machine may start it late).
        #expect(snapshots.count >= 3 && snapshots.count <= 8, "\(text)")
        #expect(text.hasPrefix("every 0.5 s:"), "\(text)")
        // Each later snapshot follows a blank line; no escape sequences in a pipe.
        for s in snapshots.dropFirst().dropLast() { #expect(s.hasSuffix("\n\n"), "\(text)") }
        #expect(!text.contains("\u{1b}"))
        for s in snapshots.dropFirst() {
            #expect(s.split(separator: "\n").contains { $0.split(separator: " ").prefix(2) == ["\(ids[0])", "done"] }, "\(text)")
        }
    }

    @Test func inPlaceOnATerminal() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
        _ = try d.waitAll(ids)
        let (master, slave) = try openTerminal()
        let p = try watch(d, stdout: FileHandle(fileDescriptor: slave, closeOnDealloc: false), for: 1.7)
        close(slave)
        var data = [UInt8]()
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(master, &buffer, buffer.count)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        close(master)
        let text = String(decoding: data, as: UTF8.self)
        #expect(p.terminationReason == Process.TerminationReason.exit && p.terminationStatus == 0, "\(text)")
        let redraws = text.components(separatedBy: "\u{1b}[H\u{1b}[2J").count - 1
        #expect(redraws >= 2 && redraws <= 7, "\(text.debugDescription)")
        #expect(text.hasPrefix("\u{1b}[H\u{1b}[2Jevery 0.5 s:"), "\(text.debugDescription)")
        #expect(text.split(whereSeparator: \.isNewline).contains { $0.split(separator: " ").prefix(2) == ["\(ids[0])", "done"] }, "\(text)")
    }

    /// A pseudo-terminal pair (master, slave) from /dev/ptmx, as posix_openpt(3), grantpt(3),
    /// unlockpt(3) and ptsname(3) make it (those are not visible to Swift here).
    func openTerminal() throws -> (Int32, Int32) {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw TestFailure("cannot open /dev/ptmx") }
        // Linux's TIOCSPTLCK and TIOCGPTN (asm-generic/ioctls.h).
        var unlock: Int32 = 0, number: UInt32 = 0
        guard ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            throw TestFailure("cannot unlock the pseudo-terminal")
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw TestFailure("cannot open /dev/pts/\(number)") }
        return (master, slave)
    }

    @Test func intervalIsBounded() throws {
        for bad in ["0.1", "4000", "nan"] {
            let (status, out) = try runCommand(TestDaemon.binary, ["status", "--watch", "--interval", bad],
                                               environment: ["WSBRIDGE_STATE_DIR": NSTemporaryDirectory() + "wsb-none"])
            #expect(status != 0 && out.contains("--interval"), "\(bad): \(out)")
        }
    }
}
