import ArgumentParser
import Foundation

/// `wsbridge bench gram`: the latency a grid user sees, end to end through a real GRAM5
/// gatekeeper and job manager, for the stock fork LRM and for the workspace LRM in its two
/// modes (polled by the job manager, and fed by wsbridge's SEG files).
///
/// Each sample is one `globus-job-run CONTACT/SERVICE /bin/echo <word>`, run as the mapped user
/// inside the gatekeeper's network namespace, timed from start to exit; its output must be the
/// word. Services are interleaved (fork, workspace, seg, fork, ...) so that a slow moment of the
/// machine hits all of them alike, and one unmeasured run per service first starts its job
/// manager. The stack is the one `Tests/gram-live/setup.sh` builds; this command only uses it.
struct GRAMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gram",
        abstract: "Latency of a trivial job through a real GRAM5 gatekeeper: fork vs workspace vs workspace with SEG.",
        discussion: """
            Needs the loopback GRAM stack of Tests/gram-live/setup.sh (run that first, as root); \
            its settings are read from /run/wsbridge-gram-live.env when present. Must run as root: \
            each job is submitted as the mapped user with `ip netns exec NS runuser -u USER -- \
            globus-job-run ...`. Prints p50 and p95 of each service and the ratios to fork.
            """
    )

    @Option(help: "Measured jobs per service.") var jobs = 10
    @Flag(help: "Print JSON instead of text.") var json = false
    @Option(help: ArgumentHelp("Gatekeeper contact (default: from the setup's settings, else localhost:2119).", valueName: "host:port"))
    var contact: String?
    @Option(help: ArgumentHelp("The gatekeeper's network namespace (default: from the settings, else gramlive).", valueName: "name"))
    var netns: String?
    @Option(help: ArgumentHelp("The mapped grid user (default: from the settings, else gramuser).", valueName: "user"))
    var user: String?
    @Option(name: .customLong("service"), help: ArgumentHelp("A gatekeeper service to measure (repeatable; the first is the baseline).", valueName: "name"))
    var services: [String] = ["jobmanager-fork", "jobmanager-workspace", "jobmanager-workspace-seg"]
    @Option(help: ArgumentHelp("Give up on one job after this many seconds.", valueName: "seconds")) var timeout = 120
    @Option(help: ArgumentHelp("Make each job run this long first (/bin/sh -c 'sleep S; echo WORD'): shows the polled service's 10 s steps.",
                               valueName: "seconds"))
    var sleep: Double = 0

    /// Where setup.sh records the stack it started.
    static let settingsPath = "/run/wsbridge-gram-live.env"

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if sleep < 0 { throw ValidationError("--sleep must not be negative") }
        if services.isEmpty { throw ValidationError("give at least one --service") }
    }

    func run() throws {
        let settings = GRAMBench.readSettings()
        let stack = Stack(contact: contact ?? settings["GRAM_CONTACT"] ?? "localhost:2119",
                          netns: netns ?? settings["GRAM_NETNS"] ?? "gramlive",
                          user: user ?? settings["GRAM_USER"] ?? "gramuser",
                          timeout: timeout, sleep: sleep)
        try stack.check()

        // The wrapper alone (namespace, runuser, env), so that readers can subtract it.
        var wrapper: [Double] = []
        for _ in 0..<3 { wrapper.append(try stack.run(["/bin/true"]).seconds) }

        for service in services {
            let warm = try stack.job(service: service, word: "warmup")
            if !warm.ok {
                throw CLIError("the warm-up job through \(service) failed (exit \(warm.status)): \(warm.detail)")
            }
        }
        var samples: [String: [Double]] = [:]
        var failures: [String: [String]] = [:]
        for i in 0..<jobs {
            for service in services {
                let r = try stack.job(service: service, word: "bench\(i)")
                if r.ok { samples[service, default: []].append(r.seconds) } else {
                    failures[service, default: []].append("job \(i): exit \(r.status): \(r.detail)")
                }
            }
        }

        let rows = services.map { s in
            Row(service: s, stats: Stats(samples[s] ?? []), failures: failures[s] ?? [])
        }
        let report = Report(contact: stack.contact, netns: stack.netns, user: stack.user, jobs: jobs,
                            job: sleep > 0 ? "/bin/sh -c 'sleep \(sleep); echo <word>'" : "/bin/echo <word>", wrapperP50: Stats(wrapper).p50, services: rows)
        if json { printJSON(report) } else { print(report.text) }
        if rows.contains(where: { !$0.failures.isEmpty }) {
            throw ExitCode(1)
        }
    }

    static func readSettings() -> [String: String] {
        guard let text = try? String(contentsOfFile: settingsPath, encoding: .utf8) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            out[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return out
    }

    /// The gatekeeper of setup.sh, and how to be its user.
    struct Stack {
        let contact: String
        let netns: String
        let user: String
        let timeout: Int
        let sleep: Double

        struct Result {
            var seconds: Double
            var status: Int32
            var stdout: String
            var stderr: String
            var ok: Bool { status == 0 }
            var detail: String {
                let s = (stderr.isEmpty ? stdout : stderr).trimmingCharacters(in: .whitespacesAndNewlines)
                return s.isEmpty ? "no output" : String(s.prefix(300))
            }
        }

        func check() throws {
            let notUp = "the GRAM test stack is not set up: run Tests/gram-live/setup.sh WSBRIDGE_BIN first (as root)"
            guard getuid() == 0 else { throw CLIError("bench gram must run as root (it submits as \(user) with runuser); \(notUp) if needed") }
            guard FileManager.default.fileExists(atPath: "/run/netns/\(netns)") else {
                throw CLIError("no network namespace \(netns): \(notUp)")
            }
            guard getpwnam(user) != nil else { throw CLIError("no user \(user): \(notUp)") }
            let probe = try run(["/usr/bin/grid-proxy-info", "-exists"])
            guard probe.ok else { throw CLIError("\(user) has no valid proxy: \(notUp)") }
        }

        var home: String {
            guard let pw = getpwnam(user), let dir = pw.pointee.pw_dir else { return "/" }
            return String(cString: dir)
        }

        /// One `globus-job-run` of `/bin/echo word`; fails unless it printed the word.
        func job(service: String, word: String) throws -> Result {
            let command = sleep > 0 ? ["/bin/sh", "-c", "sleep \(sleep); echo \(word)"] : ["/bin/echo", word]
            var r = try run(["/usr/bin/globus-job-run", "\(contact)/\(service)"] + command)
            if r.ok && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != word {
                r.status = -1
                r.stderr = "printed \"\(r.stdout)\" instead of \"\(word)\" " + r.stderr
            }
            return r
        }

        /// Runs `command` as the mapped user inside the namespace, as a grid user's shell would.
        func run(_ command: [String]) throws -> Result {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            p.arguments = [String(timeout), "/usr/sbin/ip", "netns", "exec", netns, "/usr/sbin/runuser", "-u", user, "--",
                           "/usr/bin/env", "-i", "-C", home, "HOME=\(home)", "USER=\(user)", "LOGNAME=\(user)",
                           "PATH=/usr/bin:/bin", "GLOBUS_HOSTNAME=localhost"] + command
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            p.standardInput = FileHandle.nullDevice
            let start = ContinuousClock.now
            try p.run()
            // The clients write a few lines at most, far below a pipe's buffer, so reading one
            // pipe after the other cannot block the child.
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            let errData = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return Result(seconds: seconds, status: p.terminationStatus,
                          stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
        }
    }

    /// Nearest-rank percentiles of one service's latencies, in seconds.
    struct Stats: Encodable {
        var count: Int
        var p50: Double?
        var p95: Double?
        var min: Double?
        var max: Double?
        var mean: Double?

        init(_ values: [Double]) {
            let v = values.sorted()
            count = v.count
            func rank(_ q: Double) -> Double? {
                v.isEmpty ? nil : v[Swift.max(0, Swift.min(v.count - 1, Int((q * Double(v.count)).rounded(.up)) - 1))]
            }
            p50 = rank(0.50)
            p95 = rank(0.95)
            min = v.first
            max = v.last
            mean = v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
    }

    struct Row: Encodable {
        var service: String
        var stats: Stats
        var failures: [String]
    }

    struct Ratio: Encodable {
        var name: String
        var p50: Double?
        var p95: Double?
    }

    struct Report: Encodable {
        var contact: String
        var netns: String
        var user: String
        var jobs: Int
        var job: String
        /// Median cost of `ip netns exec` + `runuser` + `env` around each client, included in every sample.
        var wrapperP50: Double?
        var services: [Row]
        var ratios: [Ratio] {
            guard let base = services.first else { return [] }
            return services.dropFirst().map { row in
                Ratio(name: "\(GRAMBench.short(row.service))/\(GRAMBench.short(base.service))",
                      p50: GRAMBench.divide(row.stats.p50, base.stats.p50), p95: GRAMBench.divide(row.stats.p95, base.stats.p95))
            }
        }

        enum CodingKeys: String, CodingKey { case contact, netns, user, jobs, job, wrapperP50, services, ratios }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(contact, forKey: .contact)
            try c.encode(netns, forKey: .netns)
            try c.encode(user, forKey: .user)
            try c.encode(jobs, forKey: .jobs)
            try c.encode(job, forKey: .job)
            try c.encodeIfPresent(wrapperP50, forKey: .wrapperP50)
            try c.encode(services, forKey: .services)
            try c.encode(ratios, forKey: .ratios)
        }

        var text: String {
            func f(_ x: Double?) -> String { x.map { String(format: "%6.2f s", $0) } ?? "     -  " }
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
            var lines = ["GRAM5 through the gatekeeper \(contact) (namespace \(netns), user \(user)): \(jobs) x globus-job-run \(job) per service"]
            lines.append(pad("service", 26) + "     p50      p95      min      max   ok/failed")
            for r in services {
                lines.append(pad(r.service, 26) + " \(f(r.stats.p50)) \(f(r.stats.p95)) \(f(r.stats.min)) \(f(r.stats.max))   \(r.stats.count)/\(r.failures.count)")
            }
            for ratio in ratios {
                lines.append("ratio " + pad(ratio.name, 20) + " p50 " + (ratio.p50.map { String(format: "%.2f", $0) } ?? "-")
                             + "   p95 " + (ratio.p95.map { String(format: "%.2f", $0) } ?? "-"))
            }
            if let w = wrapperP50 {
                lines.append(String(format: "(each sample includes %.0f ms of ip netns exec + runuser around the client)", w * 1000))
            }
            for r in services where !r.failures.isEmpty {
                lines.append("\(r.service) failures:")
                lines += r.failures.map { "  " + $0 }
            }
            return lines.joined(separator: "\n")
        }
    }

    /// "jobmanager-workspace-seg" → "workspace-seg", for ratio names.
    static func short(_ service: String) -> String {
        service.hasPrefix("jobmanager-") ? String(service.dropFirst("jobmanager-".count)) : service
    }

    static func divide(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b, b > 0 else { return nil }
        return a / b
    }
}
