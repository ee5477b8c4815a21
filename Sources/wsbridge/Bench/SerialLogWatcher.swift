import Foundation

/// Follows the serial logs of guests while they boot, and stamps each line with this host's clock
/// when it arrives. Guests' lines carry their own uptime (`... at 1.23s`, printed by the image's
/// /init), so one line gives the host time of the guest kernel's clock zero. It looks every few
/// milliseconds in a directory of instance directories (`<state>/libvirt/instances/<domain>/serial.log`).
final class SerialLogWatcher: @unchecked Sendable {
    struct Line: Codable {
        var at: Double
        var text: String
    }

    /// One guest's log as it came.
    struct Log {
        /// The instance directory appeared: the provider prepares the domain right before it starts it.
        var directorySeenAt: Double
        /// The log file appeared: QEMU runs and its log is open.
        var fileSeenAt: Double?
        var lines: [Line] = []
    }

    private let directory: String
    private let interval: useconds_t
    private let lock = NSLock()
    private var logs: [String: Log] = [:]
    private var offsets: [String: Int] = [:]
    private var partial: [String: [UInt8]] = [:]
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(instancesDirectory: String, intervalMs: Int = 3) {
        directory = instancesDirectory
        interval = useconds_t(intervalMs * 1000)
        // Directories there before the watch are not ours to time.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            logs[name] = Log(directorySeenAt: 0)
            offsets[name] = Int.max
        }
        let t = Thread { [self] in
            while lock.withLock({ running }) { poll(); usleep(interval) }
            done.signal()
        }
        t.start()
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
    }

    /// The log of the instance directory whose name ends with `suffix` (`-<workspace id>`), or
    /// is `name`.
    func log(endingWith suffix: String) -> Log? {
        lock.withLock { logs.first { $0.key.hasSuffix(suffix) && $0.value.directorySeenAt > 0 }?.value }
    }

    private func poll() {
        let now = Date().timeIntervalSince1970
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            if lock.withLock({ logs[name] == nil }) { lock.withLock { logs[name] = Log(directorySeenAt: now) } }
            guard lock.withLock({ offsets[name] ?? 0 }) != Int.max else { continue }
            let path = "\(directory)/\(name)/serial.log"
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            let offset = lock.withLock { () -> Int in
                if logs[name]?.fileSeenAt == nil { logs[name]?.fileSeenAt = now }
                return offsets[name] ?? 0
            }
            guard Int(st.st_size) > offset, let h = FileHandle(forReadingAtPath: path) else { continue }
            try? h.seek(toOffset: UInt64(offset))
            let data = (try? h.readToEnd()) ?? Data()
            try? h.close()
            // Bytes, not Characters: the console ends lines with CR LF, one Character in Swift.
            var bytes = (lock.withLock { partial[name] } ?? []) + [UInt8](data)
            var complete: [Line] = []
            while let nl = bytes.firstIndex(of: 0x0A) {
                complete.append(Line(at: now, text: String(decoding: bytes[..<nl], as: UTF8.self).trimmingCharacters(in: .controlCharacters)))
                bytes.removeSubrange(...nl)
            }
            lock.withLock {
                offsets[name] = offset + data.count
                partial[name] = bytes
                logs[name]?.lines += complete
            }
        }
    }
}

/// The phases of one guest boot on this host's clock, from a `SerialLogWatcher` log: the host
/// time of the guest kernel's clock zero is the arrival of its first timed line less the uptime
/// it names.
struct BootPhases: Codable {
    /// Domain start → the guest kernel's clock starts (QEMU, firmware, loading and unpacking the kernel).
    var firmwareSeconds: Double
    /// Kernel clock zero → /init runs (the kernel's own start, unpacking the initramfs).
    var kernelSeconds: Double
    /// /init runs → the agent channel is found (modules, mounts).
    var initSeconds: Double
    /// The agent channel is found → the end mark (the agent starts and answers).
    var agentSeconds: Double
    var totalSeconds: Double

    /// `start` is the domain start on this host's clock, `end` the agent's hello (or whatever
    /// end the caller measures).
    init?(log: SerialLogWatcher.Log, start: Double, end: Double) {
        guard let (upAt, up) = Self.uptime(in: log, marker: "userspace up at"),
              let (chanAt, chan) = Self.uptime(in: log, marker: "agent channel") else { return nil }
        // Both lines came over the same serial port: the earlier arrival is the better anchor.
        let zero = min(upAt - up, chanAt - chan)
        firmwareSeconds = zero - start
        kernelSeconds = up
        initSeconds = chan - up
        agentSeconds = end - (zero + chan)
        totalSeconds = end - start
    }

    static func uptime(in log: SerialLogWatcher.Log, marker: String) -> (Double, Double)? {
        for line in log.lines where line.text.contains(marker) {
            guard let at = line.text.range(of: " at ", options: .backwards) else { continue }
            let value = line.text[at.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "s \r"))
            if let v = Double(value) { return (line.at, v) }
        }
        return nil
    }

    static func median(_ all: [BootPhases]) -> BootPhases? {
        guard var m = all.first else { return nil }
        func med(_ k: KeyPath<BootPhases, Double>) -> Double { percentile(all.map { $0[keyPath: k] }.sorted(), 0.5) }
        m.firmwareSeconds = med(\.firmwareSeconds)
        m.kernelSeconds = med(\.kernelSeconds)
        m.initSeconds = med(\.initSeconds)
        m.agentSeconds = med(\.agentSeconds)
        m.totalSeconds = med(\.totalSeconds)
        return m
    }

    var text: String {
        String(format: "domain start → kernel %.2f s → init %.2f s → agent channel %.2f s → agent hello %.2f s (total %.2f s)",
               firmwareSeconds, kernelSeconds, initSeconds, agentSeconds, totalSeconds)
    }
}
