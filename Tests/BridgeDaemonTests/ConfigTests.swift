import Foundation
import Testing
import WorkspaceBridge
@testable import BridgeDaemon

@Suite struct TOMLTests {
    @Test func theLanguage() throws {
        let t = try TOMLParser.parse("""
            # comment
            title = "a \\"b\\" \\u00e9"   # trailing comment
            lit = 'C:\\path'
            multi = \"\"\"
            one \\
              two\"\"\"
            ints = [1_000, 0x1f, 0o17, 0b101, -3]
            floats = [1.5, -2e3, inf]
            on = true
            when = 1979-05-27T07:32:00Z
            [a.b]
            c = { d = 1, e.f = "g" }
            [[items]]
            n = 1
            [[items]]
            n = 2
            [items.sub]
            x = "y"
            """)
        #expect(t["title"] == .string("a \"b\" é"))
        #expect(t["lit"] == .string("C:\\path"))
        #expect(t["multi"] == .string("one two"))
        #expect(t["ints"] == .array([.integer(1000), .integer(31), .integer(15), .integer(5), .integer(-3)]))
        #expect(t["floats"] == .array([.float(1.5), .float(-2000), .float(.infinity)]))
        #expect(t["on"] == .boolean(true))
        #expect(t["when"] == .datetime("1979-05-27T07:32:00Z"))
        guard case .table(let a)? = t["a"], case .table(let b)? = a["b"], case .table(let c)? = b["c"] else {
            Issue.record("tables"); return
        }
        #expect(c["d"] == .integer(1))
        guard case .array(let items)? = t["items"], items.count == 2, case .table(let second) = items[1],
              case .table(let sub)? = second["sub"] else { Issue.record("array of tables"); return }
        #expect(sub["x"] == .string("y"))
    }

    @Test func errorsCarryLineAndColumn() {
        let cases: [(String, Int, String)] = [
            ("a = 1\nb = \"open\n", 2, "unterminated string"),
            ("a = 1\na = 2\n", 2, "defined twice"),
            ("[t]\n[t]\n", 2, "defined twice"),
            ("x = 01\n", 1, "leading zeros"),
            ("x = [1, 2\n", 2, "expected , or ]"),
            ("x = 1 y\n", 1, "end of the line"),
        ]
        for (text, line, words) in cases {
            do {
                _ = try TOMLParser.parse(text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.line == line, "\(text): \(error)")
                #expect(error.description.contains(words), "\(text): \(error)")
            }
        }
    }
}

@Suite struct ConfigLoaderTests {
    @Test func theIssueKeysAndDefaults() throws {
        let c = try ConfigLoader.parse("""
            [throttle]
            max_running = 200
            max_running_per_owner = 50
            max_queued_per_owner = 10000
            start_rate = 20.0
            max_creating = 4
            [retry]
            max_retries = 2
            backoff_seconds = 30
            [[class]]
            name = "default"
            provider = "local"
            slots = 2
            max_workspaces = 8
            memory_mb = 2048
            cpus = 1
            cpu_weight = 100
            idle_timeout_seconds = 600
            lease_seconds = 86400
            [[class]]
            name = "vm"
            provider = "libvirt"
            [class.settings]
            uris = "qemu:///system"
            """)
        #expect(c.throttle.maxRunning == 200 && c.throttle.startRate == 20 && c.retry.maxRetries == 2)
        #expect(c.classes.map(\.name) == ["default", "vm"])
        #expect(c.classes[1].settings["uris"] == "qemu:///system")
        #expect(c.classes[1].slots == 2, "unset keys keep their defaults")
        #expect(try ConfigLoader.parse("") == BridgeConfig())
    }

    @Test func retriesPerFrontDoor() throws {
        let c = try ConfigLoader.parse("""
            [retry]
            max_retries = 2
            [retry.gram]
            max_retries = 1
            [retry.condor]
            max_retries = 3
            """)
        #expect(c.retry.maxRetries == 2 && c.retry.gramMaxRetries == 1 && c.retry.condorMaxRetries == 3)
        let unset = try ConfigLoader.parse("[retry]\nmax_retries = 2\n")
        #expect(unset.retry.gramMaxRetries == nil && unset.retry.condorMaxRetries == nil)
        for (text, words) in [("[retry.gram]\nretries = 1\n", "retry.gram.retries: unknown setting"),
                              ("[retry.condor]\nmax_retries = -1\n", "retry.condor.max_retries: must be 0 or more"),
                              ("[retry.blah]\nmax_retries = 1\n", "retry.blah: unknown setting")] {
            #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse(text) }
            do { _ = try ConfigLoader.parse(text) } catch { #expect(error.description.contains(words), "\(error)") }
        }
    }

    /// The shipped, annotated config sets every throttle and retry key to the default the README
    /// documents: a site that copies it gets what the README says.
    @Test func theShippedConfigIsTheDocumentedDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try ConfigLoader.load(path: root.appendingPathComponent("contrib/wsbridge.toml").path)
        #expect(shipped.retry == RetrySettings())
        #expect(shipped.throttle == ThrottleLimits())
        #expect(shipped.segDirectory == nil && shipped.adminGroup == nil)
        #expect(shipped.metrics == MetricsSettings())
        #expect(shipped.classes.allSatisfy { $0.maxSurge == 1 && $0.maxUnavailable == 1 })
    }

    @Test func rolloutLimitsPerClass() throws {
        let c = try ConfigLoader.parse("[[class]]\nname = \"a\"\nmax_surge = 0\nmax_unavailable = 3\n[[class]]\nname = \"b\"\n")
        #expect(c.classes[0].maxSurge == 0 && c.classes[0].maxUnavailable == 3)
        #expect(c.classes[1].maxSurge == 1 && c.classes[1].maxUnavailable == 1)
    }

    @Test func mistakesAreNamedWithTheirLine() {
        let cases: [(String, String)] = [
            ("[throttle]\nmax_runing = 3\n", "line 2: throttle.max_runing: unknown setting"),
            ("[throttle]\nmax_running = \"many\"\n", "expected an integer, found a string"),
            ("[throttle]\nmax_running = 0\n", "throttle.max_running: must be positive"),
            ("[[class]]\nslots = 2\n", "every [[class]] needs a name"),
            ("[[class]]\nname = \"a\"\n[[class]]\nname = \"a\"\n", "defined twice"),
            ("[[class]]\nname = \"a b\"\n", "not a valid class name"),
            ("[accounting]\napel_directory = \"/var/spool/apel\"\n", "accounting.site: APEL records need the site's GOCDB name"),
            ("[accounting]\nsite = \"S\"\napel_directory = \"apel\"\n", "accounting.apel_directory: must be an absolute path"),
            ("[accounting]\nbenchmark = 10.0\n", "benchmark_type and benchmark go together"),
            ("[accounting]\nbenchmark_type = \"specint\"\nbenchmark = 1.0\n", "expected one of HEPSPEC, HEPscore23, si2k"),
            ("[accounting]\nfile_mode = \"rw\"\n", "expected an octal mode"),
            ("[accounting]\nsite = \"A\\nB\"\n", "without quotes or line breaks"),
            ("[accounting]\nsiet = \"S\"\n", "accounting.siet: unknown setting"),
            ("[[class]]\nname = \"a\"\nmax_surge = -1\n", "class a: max_surge: must be between 0 and 10000"),
            ("[[class]]\nname = \"a\"\nmax_unavailable = 0\n", "class a: max_unavailable: must be between 1 and 10000"),
            ("[[class]]\nname = \"a\"\nmax_unavailable = 10001\n", "class a: max_unavailable: must be between 1 and 10000"),
        ]
        for (text, words) in cases {
            do {
                _ = try ConfigLoader.parse(text, path: "site.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(words), "\(error)")
                #expect(error.description.hasPrefix("site.toml: "))
            }
        }
    }
}

@Suite struct AccountingConfigTests {
    @Test func theAccountingKeys() throws {
        let c = try ConfigLoader.parse("""
            [accounting]
            site = "EXAMPLE-SITE"
            apel_directory = "/var/spool/apel/outgoing"
            submit_host = "ce.example.org:9619/ce.example.org-wsbridge"
            machine_name = "ce.example.org"
            benchmark_type = "HEPscore23"
            benchmark = 12.5
            blah_log_prefix = "/var/log/wsbridge/blahp.log"
            file_mode = "0640"
            """)
        var want = AccountingSettings()
        want.site = "EXAMPLE-SITE"
        want.apelDirectory = "/var/spool/apel/outgoing"
        want.submitHost = "ce.example.org:9619/ce.example.org-wsbridge"
        want.machineName = "ce.example.org"
        want.benchmarkType = "HEPscore23"
        want.benchmark = 12.5
        want.blahLogPrefix = "/var/log/wsbridge/blahp.log"
        want.fileMode = 0o640
        #expect(c.accounting == want)
        #expect(try ConfigLoader.parse("").accounting == AccountingSettings(), "nothing exported unless configured")
    }
}

@Suite struct NetworkAPIConfigTests {
    @Test func theNetworkAPIIsOffUnlessListenIsSet() throws {
        #expect(try ConfigLoader.parse("").api.address == nil)
        let api = try ConfigLoader.parse("[api]\nlisten = \"0.0.0.0:7301\"\nmunge_socket = \"/run/munge/munge.socket.2\"").api
        #expect(api.address?.host == "0.0.0.0" && api.address?.port == 7301)
        #expect(api.mungeSocket == "/run/munge/munge.socket.2")
        #expect(try ConfigLoader.parse("[api]\nlisten = \"7301\"").api.address?.host == "127.0.0.1")
        for bad in ["listen = \"bridge.example.org:7301\"", "listen = \"0.0.0.0:0\"", "listen = 7301",
                    "munge_socket = \"munge.socket\"", "munge_socket = \"/\(String(repeating: "m", count: 120))\""] {
            #expect(throws: ConfigLoader.Failure.self, "\(bad)") { try ConfigLoader.parse("[api]\n\(bad)") }
        }
    }
}

@Suite struct StoreConfigTests {
    @Test func aPostgreSQLStoreIsNamedByURL() throws {
        #expect(try ConfigLoader.parse("").store.url == nil)
        #expect(try ConfigLoader.parse("[store]\nurl = \"postgresql://wsbridge@db:5432/wsbridge\"").store.url
            == "postgresql://wsbridge@db:5432/wsbridge")
        for bad in ["url = \"mysql://db/wsbridge\"", "url = 5432", "uri = \"postgresql://db/w\""] {
            #expect(throws: ConfigLoader.Failure.self, "\(bad)") { try ConfigLoader.parse("[store]\n\(bad)") }
        }
    }
}
