import Foundation
import Testing

/// Where the site install puts wsbridge, every file that names it must agree: a module that runs
/// `/usr/bin/wsbridge` while the README installs `/usr/local/bin/wsbridge` fails every GRAM job
/// with JOB_EXECUTION_FAILED (17).
@Test("one install path of wsbridge everywhere: README, site install, service unit, GRAM and blahp adapters")
func oneInstallPath() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let installed = "/usr/local/bin/wsbridge"
    let files: [(String, String)] = [
        ("README.md", installed),
        ("contrib/site-install.sh", "BIN=\(installed)"),
        ("contrib/wsbridge.service", "ExecStart=\(installed) "),
        ("adapters/gram/globus-workspace.conf", "wsbridge_path=\"\(installed)\""),
        ("adapters/gram/workspace.pm", "$wsbridge = '\(installed)';"),
        ("adapters/gram/README.md", "wsbridge_path=\"\(installed)\""),
        ("adapters/htcondor-ce/INSTALL.md", "--binpath \((installed as NSString).deletingLastPathComponent) "),
    ]
    let pattern = try NSRegularExpression(pattern: #"/(usr|opt)(/[A-Za-z0-9_.-]+)*/bin/wsbridge\b(?!-agent)"#)
    for (path, expected) in files {
        let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        #expect(text.contains(expected), "\(path) does not name \(installed)")
        for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let found = String(text[Range(m.range, in: text)!])
            #expect(found == installed, "\(path) names \(found), not \(installed)")
        }
    }
}
