import Foundation

/// The merged validation records the job manager checks a request against.
///
/// Files are merged in the job manager's order: the core file, the LRM file, the site-wide file,
/// the site LRM file (`globus_gram_job_manager_validation_update`). A record for an attribute
/// already known overrides it field by field. Within one file the records are applied last to
/// first, as the GCT parser does, so of two records for one attribute in the same file, the
/// first one's fields win.
public struct RVFTable: Sendable, Equatable {
    public private(set) var records: [RVFRecord] = []
    private var index: [String: Int] = [:]

    public init() {}

    public init(files: [[RVFRecord]]) {
        for file in files { merge(file) }
    }

    public mutating func merge(_ file: [RVFRecord]) {
        // Fold each attribute's records within the file last to first, so the first one's
        // fields win; then apply them to the table in the order they first appear.
        var merged: [String: RVFRecord] = [:]
        for record in file.reversed() {
            if merged[record.attribute] != nil {
                merged[record.attribute]!.override(with: record)
            } else {
                merged[record.attribute] = record
            }
        }
        var seen = Set<String>()
        for record in file where seen.insert(record.attribute).inserted {
            guard let folded = merged[record.attribute] else { continue }
            if let at = index[record.attribute] {
                records[at].override(with: folded)
            } else {
                index[record.attribute] = records.count
                records.append(folded)
            }
        }
    }

    public func record(for attribute: String) -> RVFRecord? {
        index[RSLAttributeName.canonical(attribute)].map { records[$0] }
    }

    /// The core job manager table plus the `workspace` LRM table, as shipped.
    public static var workspace: RVFTable {
        RVFTable(files: [RVFEmbedded.coreRecords, RVFEmbedded.workspaceRecords])
    }

    /// Loads and merges validation files in order; a file that does not exist is skipped, as the
    /// job manager skips optional files. The first file (the core file) falls back to the embedded
    /// copy when it cannot be read, like the job manager's compiled-in copy.
    public static func load(paths: [String], readFile: (String) -> String? = RVFTable.readFile) throws(RVFError) -> RVFTable {
        var table = RVFTable()
        for (n, path) in paths.enumerated() {
            if let text = readFile(path) {
                table.merge(try RVFParser.parse(text, file: path))
            } else if n == 0 {
                table.merge(RVFEmbedded.coreRecords)
            }
        }
        return table
    }

    /// The standard file locations of a Debian-style GCT install for LRM `type`.
    public static func standardPaths(type: String = "workspace", datadir: String = "/usr/share",
                                     sysconfdir: String = "/etc") -> [String] {
        ["\(datadir)/globus/globus_gram_job_manager/globus-gram-job-manager.rvf",
         "\(datadir)/globus/globus_gram_job_manager/\(type).rvf",
         "\(sysconfdir)/globus/gram/job-manager.rvf",
         "\(sysconfdir)/globus/gram/\(type).rvf"]
    }

    public static func readFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

