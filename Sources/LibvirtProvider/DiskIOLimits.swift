import WorkspaceBridge

/// A guest disk's I/O limits, in libvirt's `<iotune>` terms: operations and bytes per second,
/// for reads, writes or both together. QEMU throttles the disk itself (its block layer), so the
/// limits hold whatever the guest does with caching; Xen's libxl applies none.
public struct DiskIOLimits: Sendable, Equatable {
    public var readIOPS: Int?
    public var writeIOPS: Int?
    public var totalIOPS: Int?
    public var readBytesPerSecond: Int?
    public var writeBytesPerSecond: Int?
    public var totalBytesPerSecond: Int?

    public init(readIOPS: Int? = nil, writeIOPS: Int? = nil, totalIOPS: Int? = nil,
                readBytesPerSecond: Int? = nil, writeBytesPerSecond: Int? = nil, totalBytesPerSecond: Int? = nil) {
        self.readIOPS = readIOPS
        self.writeIOPS = writeIOPS
        self.totalIOPS = totalIOPS
        self.readBytesPerSecond = readBytesPerSecond
        self.writeBytesPerSecond = writeBytesPerSecond
        self.totalBytesPerSecond = totalBytesPerSecond
    }

    /// The class settings, each with its `<iotune>` element, in the order libvirt's schema wants.
    static var keys: [(setting: String, element: String, path: WritableKeyPath<DiskIOLimits, Int?>, bytes: Bool)] { [
        ("disk_total_bps", "total_bytes_sec", \.totalBytesPerSecond, true),
        ("disk_read_bps", "read_bytes_sec", \.readBytesPerSecond, true),
        ("disk_write_bps", "write_bytes_sec", \.writeBytesPerSecond, true),
        ("disk_total_iops", "total_iops_sec", \.totalIOPS, false),
        ("disk_read_iops", "read_iops_sec", \.readIOPS, false),
        ("disk_write_iops", "write_iops_sec", \.writeIOPS, false),
    ] }

    /// QEMU refuses a throttle value above 10^15 (`THROTTLE_VALUE_MAX`).
    static let maximum = 1_000_000_000_000_000

    /// Reads `disk_*_bps` (bytes per second; `K`, `M`, `G` suffixes are powers of 1024, so
    /// `"10M"` or `"10MiB"` is 10 MiB/s) and `disk_*_iops` from a class's settings; nil when none
    /// is set. Refuses values out of range, and a total next to a read or write limit of the same
    /// kind (libvirt takes one or the other).
    public init?(settings s: [String: String], key: String) throws(ConfigError) {
        var limits = DiskIOLimits()
        var any = false
        for k in Self.keys {
            guard let raw = s[k.setting] else { continue }
            guard let v = Self.parse(raw, bytes: k.bytes), (1...Self.maximum).contains(v) else {
                throw ConfigError(key: "\(key).\(k.setting)",
                                  message: "must be a whole number from 1 to \(Self.maximum)\(k.bytes ? " (bytes per second, or with K, M or G: powers of 1024)" : " (operations per second)"), not \"\(raw)\"")
            }
            limits[keyPath: k.path] = v
            any = true
        }
        guard any else { return nil }
        if limits.totalBytesPerSecond != nil && (limits.readBytesPerSecond != nil || limits.writeBytesPerSecond != nil) {
            throw ConfigError(key: "\(key).disk_total_bps", message: "a total byte rate excludes disk_read_bps and disk_write_bps; give one or the others")
        }
        if limits.totalIOPS != nil && (limits.readIOPS != nil || limits.writeIOPS != nil) {
            throw ConfigError(key: "\(key).disk_total_iops", message: "a total operation rate excludes disk_read_iops and disk_write_iops; give one or the others")
        }
        self = limits
    }

    static func parse(_ raw: String, bytes: Bool) -> Int? {
        var text = Substring(raw.trimmingCharacters(in: .whitespaces))
        var scale = 1
        if bytes {
            for unit in ["iB", "B"] where text.hasSuffix(unit) { text = text.dropLast(unit.count); break }
            switch text.last {
            case "K", "k": scale = 1 << 10
            case "M", "m": scale = 1 << 20
            case "G", "g": scale = 1 << 30
            default: break
            }
            if scale > 1 { text = text.dropLast() }
        }
        guard !text.isEmpty, text.allSatisfy(\.isASCII), let v = Int(text) else { return nil }
        let (scaled, overflow) = v.multipliedReportingOverflow(by: scale)
        return overflow ? nil : scaled
    }

    /// The `<iotune>` element's children.
    var elements: [(name: String, value: Int)] {
        Self.keys.compactMap { k in self[keyPath: k.path].map { (k.element, $0) } }
    }

    /// In words, for `wsbridge workspaces`: "write 10 MiB/s, read 500 IOPS".
    public var summary: String {
        func rate(_ v: Int) -> String {
            v % (1 << 20) == 0 ? "\(v >> 20) MiB/s" : v % 1024 == 0 ? "\(v >> 10) KiB/s" : "\(v) B/s"
        }
        var parts: [String] = []
        for (name, bytes, iops) in [("total", totalBytesPerSecond, totalIOPS), ("read", readBytesPerSecond, readIOPS),
                                    ("write", writeBytesPerSecond, writeIOPS)] {
            if let b = bytes { parts.append("\(name) \(rate(b))") }
            if let i = iops { parts.append("\(name) \(i) IOPS") }
        }
        return parts.joined(separator: ", ")
    }
}
