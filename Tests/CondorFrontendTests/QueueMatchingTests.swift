import Foundation
import Testing
@testable import CondorFrontend

/// `queue ... matching`: `submit_expand_globs` (src/condor_utils/submit_glob.cpp), which calls
/// glob(3) with GLOB_MARK (and GLOB_ONLYDIR for `dirs`). Expected lists were checked with
/// HTCondor 24.12.24 on the same tree (and Tests/condor-oracle/submit/06*_queue_matching_*.sub
/// check it on every run).
@Suite struct QueueMatchingTests {
    /// A fresh tree: a.dat B.dat .h.dat d1/{x.dat,Y.dat,sub/z.dat} d2/{w.dat,x.dat} and links.
    static func tree() throws -> String {
        let root = NSTemporaryDirectory() + "/wsb-glob-" + UUID().uuidString
        let fm = FileManager.default
        for d in ["d1/sub", "d2", ".hid"] { try fm.createDirectory(atPath: root + "/" + d, withIntermediateDirectories: true) }
        for f in ["a.dat", "B.dat", ".h.dat", "d1/x.dat", "d1/Y.dat", "d1/sub/z.dat", "d2/w.dat", "d2/x.dat", "sp ace.dat"] {
            try Data(f.utf8).write(to: URL(fileURLWithPath: root + "/" + f))
        }
        try fm.createSymbolicLink(atPath: root + "/link.dat", withDestinationPath: "a.dat")
        try fm.createSymbolicLink(atPath: root + "/linkdir", withDestinationPath: "d2")
        return root
    }

    func items(_ queue: String, in root: String) throws -> [String] {
        let text = "executable = /bin/echo\narguments = \"$(Item)\"\n\(queue)\n"
        let r = try CondorSubmit.parse(text: text, file: "t.sub", cwd: root, environment: [:])
        return r.jobs.map { job -> String in
            guard case .literal(.string(let s))? = job.ad["Arguments"] else { return "?" }
            return s
        }
    }

    @Test func directoryPartsWithWildcards() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The bug this pins: a pattern with a directory part used to give no job at all.
        #expect(try items("queue matching files d1/*.dat", in: root) == ["d1/Y.dat", "d1/x.dat"])
        #expect(try items("queue matching */*.dat", in: root)
                == ["d1/Y.dat", "d1/x.dat", "d2/w.dat", "d2/x.dat", "linkdir/w.dat", "linkdir/x.dat"])
        #expect(try items("queue matching */*/*", in: root) == ["d1/sub/z.dat"])
        #expect(try items("queue matching d[12]/x.dat", in: root) == ["d1/x.dat", "d2/x.dat"])
    }

    @Test func filesDirsAndMarks() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try items("queue matching *", in: root)
                == ["B.dat", "a.dat", "d1/", "d2/", "link.dat", "linkdir/", "sp ace.dat"])
        #expect(try items("queue matching files *", in: root) == ["B.dat", "a.dat", "link.dat", "sp ace.dat"])
        #expect(try items("queue matching dirs *", in: root) == ["d1/", "d2/", "linkdir/"])
        // A literal path is kept as it exists, even under `dirs` (GLOB_ONLYDIR is for wildcards).
        #expect(try items("queue matching dirs d1 a.dat", in: root) == ["d1/", "a.dat"])
        #expect(try items("queue matching .*", in: root) == ["../", "./", ".h.dat", ".hid/"])
        #expect(try items("queue matching */", in: root) == ["d1//", "d2//", "linkdir//"])
        // "pattern/" with a longer directory part: its directories, one slash (glibc glob).
        #expect(try items("queue matching d*/ a.dat/", in: root) == ["d1/", "d2/", "a.dat"])
        #expect(try items("submit_match_directories = never\nqueue matching *", in: root)
                == ["B.dat", "a.dat", "link.dat", "sp ace.dat"])
    }

    @Test func patternOrderDuplicatesAndEmptyMatches() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try items("queue matching files d*/*.dat *.dat a.dat", in: root)
                == ["d1/Y.dat", "d1/x.dat", "d2/w.dat", "d2/x.dat", "B.dat", "a.dat", "link.dat", "sp ace.dat"])
        let r = try CondorSubmit.parse(text: "executable = /bin/echo\nqueue matching nothing/*.x\n", file: "t.sub", cwd: root, environment: [:])
        #expect(r.jobs.isEmpty)
        #expect(r.warnings.map(\.message) == ["'nothing/*.x' does not match any files"])
        #expect(r.nothingQueued(file: "t.sub") == #"ERROR: "t.sub" has only empty "queue" commands -- no jobs queued (0 job(s) submitted)"#)
        #expect(throws: SubmitError(.invalidValue, file: "t.sub", line: 3, "no matches for pattern(s): 'nothing/*.x'")) {
            try CondorSubmit.parse(text: "executable = /bin/echo\nsubmit_fail_empty_matches = true\nqueue matching a.dat nothing/*.x\n",
                                   file: "t.sub", cwd: root, environment: [:])
        }
        let none = try CondorSubmit.parse(text: "executable = /bin/echo\n", file: "t.sub", cwd: root, environment: [:])
        #expect(none.nothingQueued(file: "t.sub") == #"ERROR: "t.sub" doesn't contain any "queue" commands -- no jobs queued"#)
    }
}
