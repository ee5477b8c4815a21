import Foundation
import Testing
@testable import GRAMFrontend

@Test("the embedded core table has the upstream records and fields")
func coreTable() throws {
    let core = RVFEmbedded.coreRecords
    #expect(core.count == 40)
    let table = RVFTable(files: [core])
    let jobType = try #require(table.record(for: "job_type"))
    #expect(jobType.values == "single multiple mpi condor")
    #expect(jobType.defaultValue == "multiple")
    #expect(jobType.validWhen == .submit)
    #expect(table.record(for: "executable")?.requiredWhen == .submit)
    #expect(table.record(for: "directory")?.defaultValue == "$(HOME)")
    #expect(table.record(for: "stdout")?.validWhen == [.submit, .restart, .stdioUpdate])
    #expect(table.record(for: "restartcontacts")?.publish == false)
    // gram-live: "Values: 0" ends the stdout_position record, so the job manager drops it.
    #expect(table.record(for: "stdout_position")?.values == nil)
    #expect(table.record(for: "restart")?.requiredWhen == .restart)
}

@Test("workspace.rvf on disk is the embedded copy, and parses")
func workspaceFileMatchesEmbedded() throws {
    let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    let candidates = [
        here.deletingLastPathComponent().appendingPathComponent("../../adapters/gram/workspace.rvf").standardized.path,
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../adapters/gram/workspace.rvf").standardized.path,
    ]
    let path = try #require(candidates.first { FileManager.default.fileExists(atPath: $0) })
    let disk = try String(contentsOfFile: path, encoding: .utf8)
    #expect(disk == RVFEmbedded.workspaceText)
    let records = try RVFParser.parse(disk, file: "workspace.rvf")
    #expect(records.map(\.attribute) == ["workspaceclass", "xcount", "mindisk", "maxretries"])
    #expect(records.allSatisfy { $0.validWhen == .submit && $0.defaultWhen == .never && $0.requiredWhen == .never })
}

@Test("RVF syntax: quoting, comments, case-insensitive names, empty When")
func syntax() throws {
    let text = """
    # a comment
    ATTRIBUTE: My_Attr   # trailing comment
    description: "two
      lines with \\"quotes\\""
    Default: "/dev/null"
    values: a b
    # a comment keeps Values from being last
    ValidWhen: GLOBUS_GRAM_JOB_SUBMIT  GLOBUS_GRAM_JOB_MANAGER_RESTART
    DefaultWhen:
    Publish: true

    Attribute: quoted_when
    ValidWhen: "GLOBUS_GRAM_JOB_MANAGER_RESTART"
    Values: dropped
    """
    let records = try RVFParser.parse(text)
    #expect(records.count == 2)
    let r = records[0]
    #expect(r.attribute == "myattr")
    #expect(r.description == "two\n  lines with \"quotes\"")
    #expect(r.defaultValue == "/dev/null")
    #expect(r.values == "a b")
    #expect(r.validWhen == [.submit, .restart])
    #expect(r.defaultWhen == .never)
    #expect(r.publish == true)
    // Upstream scanner quirk: a quoted RESTART reads as STDIO_UPDATE; a final Values is dropped.
    #expect(records[1].validWhen == .stdioUpdate)
    #expect(records[1].values == nil)
}

@Test("malformed RVF files fail with the line", arguments: [
    ("Attribute: a\nFoo: b\n", 2),
    ("Attribute: a\nValidWhen: sometimes\n", 2),
    ("Attribute: a\nPublish: yes\n", 2),
    ("Attribute: a\nDescription: \"never closed\n", 2),
    ("Attribute a\n", 1),
    ("Attribute: a\nDefault: \"x\" junk\n", 2),
])
func malformed(text: String, line: Int) {
    #expect(throws: RVFError.self) { try RVFParser.parse(text, file: "t.rvf") }
    do {
        _ = try RVFParser.parse(text, file: "t.rvf")
    } catch {
        #expect(error.line == line)
        #expect(error.gramError.code == .readingValidationFile)
    }
}

@Test("later files override field by field; within a file the first record wins")
func mergeOrder() throws {
    let core = try RVFParser.parse("Attribute: queue\nValidWhen: GLOBUS_GRAM_JOB_SUBMIT\nDescription: core\n")
    let lrm = try RVFParser.parse("Attribute: queue\nDefault: batch\nDefaultWhen: GLOBUS_GRAM_JOB_SUBMIT\n")
    let site = try RVFParser.parse("Attribute: queue\nValidWhen:\n\nAttribute: queue\nValidWhen: GLOBUS_GRAM_JOB_SUBMIT\nDescription: second\n")
    let table = RVFTable(files: [core, lrm, site])
    let q = try #require(table.record(for: "queue"))
    #expect(q.defaultValue == "batch")
    #expect(q.validWhen == .never)
    #expect(q.description == "second")
    #expect(table.records.count == 1)
}

@Test("loading files: missing optional files are skipped, the core falls back to the embedded copy")
func loading() throws {
    let files = ["/core.rvf": nil, "/lrm.rvf": "Attribute: extra\nValidWhen: GLOBUS_GRAM_JOB_SUBMIT\n"] as [String: String?]
    let table = try RVFTable.load(paths: ["/core.rvf", "/lrm.rvf", "/missing.rvf"]) { files[$0] ?? nil }
    #expect(table.record(for: "executable") != nil)
    #expect(table.record(for: "extra")?.validWhen == .submit)
    #expect(RVFTable.standardPaths().last == "/etc/globus/gram/workspace.rvf")
}
