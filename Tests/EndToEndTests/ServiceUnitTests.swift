import Foundation
import Testing

/// contrib/wsbridge.service passes `systemd-analyze verify` without a word, and keeps its
/// hardening: a bad key or value would be only a warning to systemd (the unit still starts,
/// unhardened), so any output fails.
@Suite struct ServiceUnitTests {
    static let unit = GeneratedDocsTests.root + "/contrib/wsbridge.service"
    static let analyze = "/usr/bin/systemd-analyze"

    func verify(_ path: String) throws -> (Int32, String) {
        // --man=no: the man page its Documentation= names is installed by site-install.sh, not here.
        try runCommand(Self.analyze, ["verify", "--man=no", path], environment: ["SYSTEMD_LOG_COLOR": "0", "PATH": "/usr/bin:/bin"])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze (Debian systemd) is needed"))
    func verifiesCleanly() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        // systemd-analyze also wants ExecStart's program to exist: where wsbridge is not installed
        // (site-install.sh), the unit is verified as it would be with a program there.
        let installed = "/usr/local/bin/wsbridge"
        var unit = Self.unit
        let copy = NSTemporaryDirectory() + "wsbridge-\(getpid()).service"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        if !FileManager.default.isExecutableFile(atPath: installed) {
            try text.replacingOccurrences(of: "ExecStart=\(installed) ", with: "ExecStart=/bin/true ")
                .write(toFile: copy, atomically: true, encoding: .utf8)
            unit = copy
        }
        let (status, out) = try verify(unit)
        #expect(status == 0 && out.isEmpty, "\(out)")
        let settings = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
        for line in ["Restart=on-failure", "ProtectSystem=full", "LimitNOFILE=65536", "KillMode=process", "Delegate=yes"] {
            #expect(settings.contains(line), "\(line) is missing")
        }
        // Jobs share /home and /tmp with their submitters: the unit must not hide them.
        #expect(!text.contains("\nPrivateTmp=") && !text.contains("\nProtectHome="))

        // The same check catches a mistake in a copy.
        let bad = NSTemporaryDirectory() + "wsbridge-bad-\(getpid()).service"
        defer { try? FileManager.default.removeItem(atPath: bad) }
        try text.replacingOccurrences(of: "ProtectSystem=full", with: "ProtectSystem=fully").write(toFile: bad, atomically: true, encoding: .utf8)
        let (_, complaint) = try verify(bad)
        #expect(complaint.contains("protect system"), "\(complaint)")
    }
}
