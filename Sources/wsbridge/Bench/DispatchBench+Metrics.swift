import ArgumentParser
import Foundation

/// `bench dispatch --metrics`: what the daemon's metrics cost the dispatch path.
enum MetricsMode: String, ExpressibleByArgument, CaseIterable {
    case off, on, compare
}

extension DispatchBench {
    struct MetricsComparison: Codable {
        var jobs: Int
        var parallelism: Int
        /// Jobs per second of each round, in the order run.
        var offJobsPerSecond: [Double]
        var onJobsPerSecond: [Double]
        /// The daemon's CPU time (user + system) per job in each round, milliseconds: what the
        /// metrics cost, less sensitive than the rate to what else the machine runs.
        var offDaemonCPUMsPerJob: [Double]
        var onDaemonCPUMsPerJob: [Double]
        /// Scrapes of `/metrics` and `/` answered while the rounds with metrics ran.
        var scrapes: Int
        /// Best round with metrics on over best round with metrics off.
        var ratio: Double
        /// The median round with metrics on over the median round with metrics off.
        var medianRatio: Double
    }

    /// Throughput with the metrics listener off and on (and scraped every second, as Prometheus
    /// and a browser on the status page would), in alternating rounds in this one run, each with
    /// a fresh daemon and warm workspaces. Best against best: on a shared machine the slowest
    /// rounds measure the neighbours.
    func compareMetrics() throws {
        var off: [Double] = [], on: [Double] = [], offCPU: [Double] = [], onCPU: [Double] = [], scrapes = 0
        for round in 0..<(2 * max(1, rounds)) {
            let withMetrics = round % 2 == 1
            let dir = NSTemporaryDirectory() + "wsbridge-bench-\(getpid())-\(round)"
            let port = withMetrics ? try MetricsScraper.freePort() : nil
            let daemon = try startDaemon(dir: dir, metricsPort: port)
            defer {
                daemon.stop()
                try? FileManager.default.removeItem(atPath: dir)
            }
            let roots = try warmUp(daemon)
            let pid = daemon.process.processIdentifier
            let cpuBefore = ProcessCPU.sample(daemon: pid, workspaces: roots)
            let scraper = port.map { MetricsScraper(port: $0) }
            let (seconds, _) = try measure(daemon)
            let cpu = (ProcessCPU.sample(daemon: pid, workspaces: roots) - cpuBefore).daemon * 1000 / Double(jobs)
            if let scraper {
                scrapes += scraper.stop()
                if scraper.failures > 0 { throw CLIError("\(scraper.failures) scrapes of the metrics listener failed") }
            }
            let rate = Double(jobs) / seconds
            if withMetrics { on.append(rate); onCPU.append(cpu) } else { off.append(rate); offCPU.append(cpu) }
            if !json {
                print(String(format: "  round %d, metrics %@: %.1f jobs/s, daemon CPU %.3f ms per job", round + 1,
                             withMetrics ? "on " : "off", rate, cpu))
            }
        }
        func median(_ xs: [Double]) -> Double { percentile(xs.sorted(), 0.5) }
        let r = MetricsComparison(jobs: jobs, parallelism: workspaces * slots, offJobsPerSecond: off, onJobsPerSecond: on,
                                  offDaemonCPUMsPerJob: offCPU, onDaemonCPUMsPerJob: onCPU, scrapes: scrapes,
                                  ratio: (on.max() ?? 0) / max(off.max() ?? 1, 1e-9), medianRatio: median(on) / max(median(off), 1e-9))
        if json { printJSON(r); return }
        print(String(format: """
            dispatch with metrics off and on: %d trivial jobs, %d warm workspaces x %d slots, %d rounds each
              metrics off: best %.1f jobs/s   metrics on (scraped every second, %d scrapes): best %.1f jobs/s
              ratio on/off: best %.3f, median %.3f   daemon CPU per job (median): off %.3f ms, on %.3f ms
            """, jobs, workspaces, slots, off.count, off.max() ?? 0, scrapes, on.max() ?? 0, r.ratio, r.medianRatio,
                     median(offCPU), median(onCPU)))
    }
}

/// Reads `/metrics` and `/` of a daemon's listener every second on a thread of its own, until stopped.
final class MetricsScraper: @unchecked Sendable {
    let port: Int
    private let lock = NSLock()
    private var done = false
    private var count = 0
    private(set) var failures = 0
    private let finished = DispatchSemaphore(value: 0)

    init(port: Int) {
        self.port = port
        Thread.detachNewThread { self.loop() }
    }

    private func loop() {
        while !lock.withLock({ done }) {
            for path in ["/metrics", "/"] {
                let ok = (try? Self.get(port: port, path: path))?.hasPrefix("HTTP/1.1 200") ?? false
                lock.withLock { if ok { count += 1 } else { failures += 1 } }
            }
            for _ in 0..<10 where !lock.withLock({ done }) { usleep(100_000) }
        }
        finished.signal()
    }

    /// Stops scraping; returns how many scrapes were answered.
    func stop() -> Int {
        lock.withLock { done = true }
        finished.wait()
        return lock.withLock { count }
    }

    /// A port on loopback that nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw CLIError("cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// One HTTP/1.1 GET on loopback; the whole answer (the server closes after it).
    static func get(port: Int, path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw CLIError("cannot connect to 127.0.0.1:\(port)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { throw CLIError("write failed") }
        var answer: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            answer += buffer[0..<n]
            if answer.count > 64 << 20 { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
