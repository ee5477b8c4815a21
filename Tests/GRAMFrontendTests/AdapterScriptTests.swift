import Foundation
import Testing
@testable import GRAMFrontend

/// The `adapters/gram` directory of the source tree.
func adaptersDirectory() -> URL? {
    let file = URL(fileURLWithPath: #filePath)
    for base in [file.resolvingSymlinksInPath(), file] {
        let dir = base.deletingLastPathComponent().appendingPathComponent("../../adapters/gram").standardized
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("workspace.pm").path) { return dir }
    }
    return nil
}

func run(_ argv: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    if let environment { p.environment = environment }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

private let perlAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/perl")

/// Drives workspace.pm through stand-ins for the Globus Perl base classes and a fake `wsbridge`
/// that records its input and answers like the real one: the module must pass the description
/// as JSON, return the reply hash unchanged, and map a missing answer to the right error.
@Test("workspace.pm forwards to wsbridge and maps its answers", .enabled(if: perlAvailable))
func perlAdapter() throws {
    let adapters = try #require(adaptersDirectory())
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wsbridge-pm-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let gram = root.appendingPathComponent("Globus/GRAM")
    try FileManager.default.createDirectory(at: gram.appendingPathComponent("JobManager"), withIntermediateDirectories: true)
    try """
    package Globus::GRAM::Error;
    sub new { my ($c, $v) = @_; return bless { v => $v }, $c; }
    sub value { $_[0]->{v} }
    sub JOB_EXECUTION_FAILED { new Globus::GRAM::Error(17) }
    sub JOB_CANCEL_FAILED { new Globus::GRAM::Error(31) }
    sub SIGNALING_JOB { new Globus::GRAM::Error(107) }
    1;
    """.write(to: gram.appendingPathComponent("Error.pm"), atomically: true, encoding: .utf8)
    try "package Globus::GRAM::JobState; 1;\n".write(to: gram.appendingPathComponent("JobState.pm"), atomically: true, encoding: .utf8)
    try """
    package Globus::GRAM::JobManager;
    sub new { my ($c, $d) = @_; return bless { JobDescription => $d }, $c; }
    sub log { }
    1;
    """.write(to: gram.appendingPathComponent("JobManager.pm"), atomically: true, encoding: .utf8)
    let fake = root.appendingPathComponent("fake-wsbridge")
    try """
    #!/bin/sh
    cat > "\(root.path)/stdin.$2"
    echo "$@" > "\(root.path)/args.$2"
    case "$2" in
      submit) echo '{"JOB_ID":"12,13","JOB_STATE":1}' ;;
      poll) echo '{"ERROR":17,"GT3_FAILURE_MESSAGE":"job 12 failed: exit code 3","JOB_STATE":4}' ;;
      cancel) exit 3 ;;
      signal) echo 'not json' ;;
    esac
    """.write(to: fake, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
    let module = try String(contentsOf: adapters.appendingPathComponent("workspace.pm"), encoding: .utf8)
    #expect(module.contains("$wsbridge = '/usr/local/bin/wsbridge';"))
    // The copy under test runs the fake and ignores the machine's own globus-workspace.conf.
    try module.replacingOccurrences(of: "$wsbridge = '/usr/local/bin/wsbridge';", with: "$wsbridge = '\(fake.path)';")
        .replacingOccurrences(of: "'/etc/globus/globus-workspace.conf'", with: "'\(root.path)/no-such.conf'")
        .write(to: gram.appendingPathComponent("JobManager/workspace.pm"), atomically: true, encoding: .utf8)

    let script = """
    use Globus::GRAM::JobManager::workspace;
    my $m = Globus::GRAM::JobManager::workspace->new({executable => ['/bin/echo'], arguments => ['hi', "it's"],
        environment => [['A', '1']], streamingdisabled => [0], _osg_info => {PATH => '/bin'}});
    for my $c (qw(submit poll cancel signal)) {
        my $r = $m->$c();
        print "$c ", (ref($r) eq 'HASH' ? join(',', map { "$_=$r->{$_}" } sort keys %$r) : 'error ' . $r->value), "\\n";
    }
    """
    let (status, output) = try run(["perl", "-I", root.path, "-e", script])
    #expect(status == 0)
    #expect(output == """
    submit JOB_ID=12,13,JOB_STATE=1
    poll ERROR=17,GT3_FAILURE_MESSAGE=job 12 failed: exit code 3,JOB_STATE=4
    cancel error 31
    signal error 107

    """)
    let sent = try String(contentsOf: root.appendingPathComponent("stdin.submit"), encoding: .utf8)
    #expect(sent == #"{"arguments":["hi","it's"],"environment":[["A","1"]],"executable":["/bin/echo"],"streamingdisabled":[0]}"#)
    // What the module sends is what the Swift side reads.
    let spec = try #require(try GRAMAdapter.submitSpecs(descriptionJSON: Data(sent.utf8)).first)
    #expect(spec.arguments == ["hi", "it's"])
    #expect(try String(contentsOf: root.appendingPathComponent("args.poll"), encoding: .utf8) == "gram poll\n")
}

@Test("install.sh installs below DESTDIR and can run twice", .enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/sh")))
func installScript() throws {
    let adapters = try #require(adaptersDirectory())
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wsbridge-install-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    var env = ProcessInfo.processInfo.environment
    env["DESTDIR"] = root.path
    let script = adapters.appendingPathComponent("install.sh").path
    // A stock install with the fork polling service available (globus-gram-job-manager-fork-setup-poll).
    let available = root.appendingPathComponent("etc/grid-services/available")
    try FileManager.default.createDirectory(at: available, withIntermediateDirectories: true)
    try "stderr_log,local_cred - /usr/sbin/globus-job-manager globus-job-manager -type fork\n"
        .write(to: available.appendingPathComponent("jobmanager-fork-poll"), atomically: true, encoding: .utf8)
    let first = try run(["sh", script], environment: env)
    #expect(first.status == 0)
    #expect(first.output.contains("default service jobmanager -> jobmanager-fork-poll"), "\(first.output)")
    try "wsbridge_path=\"/opt/wsbridge\"\n".write(to: root.appendingPathComponent("etc/globus/globus-workspace.conf"),
                                                  atomically: true, encoding: .utf8)
    let second = try run(["sh", script, "--seg"], environment: env)
    #expect(second.status == 0)
    let fm = FileManager.default
    #expect(fm.fileExists(atPath: root.appendingPathComponent("usr/share/perl5/Globus/GRAM/JobManager/workspace.pm").path))
    #expect(fm.fileExists(atPath: root.appendingPathComponent("usr/share/globus/globus_gram_job_manager/workspace.rvf").path))
    #expect(try fm.destinationOfSymbolicLink(atPath: root.appendingPathComponent("etc/grid-services/jobmanager-workspace").path)
            == "available/jobmanager-workspace-seg")
    #expect(try String(contentsOfFile: root.appendingPathComponent("etc/globus/globus-workspace.conf").path, encoding: .utf8)
            == "wsbridge_path=\"/opt/wsbridge\"\n")
    let seg = try String(contentsOfFile: root.appendingPathComponent("etc/grid-services/available/jobmanager-workspace-seg").path,
                         encoding: .utf8)
    #expect(seg.contains("-type workspace -seg-module workspace"))
    var isDir: ObjCBool = false
    let segDir = root.appendingPathComponent("var/lib/globus/globus-seg-workspace").path
    #expect(fm.fileExists(atPath: segDir, isDirectory: &isDir) && isDir.boolValue)
    // Today's and tomorrow's day files (UTC), so that a starting job manager finds today's at once.
    let now = Int64(Date().timeIntervalSince1970)
    for t in [now, now + 86400] {
        let day = segDir + "/" + SEGFormatter.dayFileName(timestamp: t)
        #expect(fm.fileExists(atPath: day), "\(day)")
        #expect((try fm.attributesOfItem(atPath: day)[.posixPermissions] as? Int) == 0o644)
    }
    // The default service for globus-job-get-output and globus-job-clean.
    #expect(try fm.destinationOfSymbolicLink(atPath: root.appendingPathComponent("etc/grid-services/jobmanager").path)
            == "available/jobmanager-fork-poll")
    // The daemon's state directory, reachable by the mapped users.
    let state = root.appendingPathComponent("var/lib/wsbridge").path
    #expect((try fm.attributesOfItem(atPath: state)[.posixPermissions] as? Int) == 0o755)
}

@Test("install.sh without a fork service says exactly what to run for the default service",
      .enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/sh")))
func installScriptNamesTheDefaultService() throws {
    let adapters = try #require(adaptersDirectory())
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("wsbridge-install-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    var env = ProcessInfo.processInfo.environment
    env["DESTDIR"] = root.path
    let result = try run(["sh", adapters.appendingPathComponent("install.sh").path, "--state-dir", "/srv/wsb"], environment: env)
    #expect(result.status == 0)
    #expect(result.output.contains("globus-gatekeeper-admin -e jobmanager-fork-poll -n jobmanager"), "\(result.output)")
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("etc/grid-services/jobmanager").path))
    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("srv/wsb").path))
}
