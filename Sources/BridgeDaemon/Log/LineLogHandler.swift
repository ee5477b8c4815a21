import Foundation
import Logging
import Synchronization

/// The daemon's log: one line per message on standard error, in the form the system's log
/// keepers read. Under systemd (stderr is the journal's stream, `JOURNAL_STREAM`) each line
/// starts with its syslog priority, `<6>starting state=/var/lib/wsbridge`, which journald turns
/// into the entry's priority; elsewhere (a terminal, a file, a syslog pipe) it starts with the
/// level's name, `info: starting state=/var/lib/wsbridge`.
public struct LineLogHandler: LogHandler {
    /// Shared by every copy of the handler, so that a reload changes the level of all loggers.
    final class Level: Sendable {
        let value: Mutex<Logger.Level>
        init(_ level: Logger.Level) { value = Mutex(level) }
    }

    public enum Style: Sendable, Equatable {
        /// `<N>message ...` (journald's and syslog's priority prefix).
        case priority
        /// `level: message ...`.
        case levelName
    }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let style: Style
    let level: Level
    let output: @Sendable (String) -> Void

    public var logLevel: Logger.Level {
        get { level.value.withLock { $0 } }
        set { level.value.withLock { $0 = newValue } }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes to `output` (tests) instead of standard error.
    init(level: Logger.Level, style: Style, output: @escaping @Sendable (String) -> Void) {
        self.level = Level(level)
        self.style = style
        self.output = output
    }

    /// To standard error, in the style its reader wants.
    public static func standardError(level: Logger.Level,
                                     environment: [String: String] = ProcessInfo.processInfo.environment) -> LineLogHandler {
        LineLogHandler(level: level, style: stderrIsJournal(environment) ? .priority : .levelName, output: writeToStandardError)
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let given = event.metadata { all.merge(given) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        output(Self.line(level: event.level, message: "\(event.message)", metadata: all, style: style))
    }

    // MARK: The line

    /// A line longer than this is cut (journald's own line limit is 48 KiB; a reason carried
    /// from a user's input must not make the log unreadable).
    static let maxLineBytes = 8192

    /// One line, ending in a newline: the message, then the metadata as `key=value` sorted by
    /// key, values quoted when they hold spaces, quotes or `=`, control characters escaped.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, style: Style) -> String {
        var text = style == .priority ? "<\(priority(of: level))>" : "\(level.rawValue): "
        text += escaped(message)
        for key in metadata.keys.sorted() {
            text += " " + escaped(key) + "=" + quotedIfNeeded(escaped("\(metadata[key]!)"))
        }
        if text.utf8.count > maxLineBytes {
            // Whole characters only.
            var kept = "", bytes = 0
            for u in text.unicodeScalars {
                bytes += UTF8.width(u)
                if bytes > maxLineBytes - 3 { break }
                kept.unicodeScalars.append(u)
            }
            text = kept + "..."
        }
        return text + "\n"
    }

    /// syslog(3)'s priorities: swift-log's `notice` is syslog's, `trace` is kept as `debug`.
    static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Newlines, tabs and other control characters as `\n`, `\t`, `\u{1b}`: one message, one line.
    static func escaped(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7f: out += "\\u{\(String(u.value, radix: 16))}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func quotedIfNeeded(_ s: String) -> String {
        guard s.isEmpty || s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    // MARK: Where it goes

    /// systemd sets `JOURNAL_STREAM=DEVICE:INODE` for the stream it connects to stdout and
    /// stderr; it names stderr only if stderr is still that stream (not redirected elsewhere).
    static func stderrIsJournal(_ environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(STDERR_FILENO, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }

    /// One write(2) per line, so that lines of concurrent tasks never interleave.
    static let writeToStandardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }
}
