import Foundation
import WorkspaceBridge

/// The directories the accounting files go to, made at start where missing: root's only, or
/// also readable by the group where the site's file mode lets the APEL client's group read.
enum AccountingFiles {
    static func makeDirectories(_ settings: AccountingSettings) {
        let mode = mode_t(0o700 | (settings.fileMode & 0o040 != 0 ? 0o050 : 0))
        let dirs = [settings.apelDirectory, settings.blahLogPrefix.map { ($0 as NSString).deletingLastPathComponent }].compactMap { $0 }
        for dir in dirs where !FileManager.default.fileExists(atPath: dir) {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: Int(mode)])
        }
    }
}
