import BridgeStore
import Foundation
import Testing
import WorkspaceBridge
@testable import BridgeDaemon

@Suite struct MetricsConfigTests {
    @Test func listenIsLoopbackUnlessAnAddressIsGiven() throws {
        #expect(try ConfigLoader.parse("").metrics.address == nil)
        let bare = try ConfigLoader.parse("[metrics]\nlisten = \"9464\"\ngroups = [\"atlas\"]").metrics
        #expect(bare.address?.host == "127.0.0.1" && bare.address?.port == 9464)
        #expect(bare.groups == ["atlas"])
        #expect(try ConfigLoader.parse("[metrics]\nlisten = \":9464\"").metrics.address?.host == "127.0.0.1")
        #expect(try ConfigLoader.parse("[metrics]\nlisten = \"[::1]:9464\"").metrics.address?.host == "::1")
        #expect(try ConfigLoader.parse("[metrics]\nlisten = \"0.0.0.0:80\"").metrics.address?.host == "0.0.0.0")
        for bad in ["\"example.org:9464\"", "\"127.0.0.1:0\"", "\"127.0.0.1:65536\"", "\"99999999999999999999\"", "9464"] {
            #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse("[metrics]\nlisten = \(bad)") }
        }
        #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse("[metrics]\nport = 1") }
        #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse("[metrics]\nrefresh_seconds = 0") }
        #expect(throws: ConfigLoader.Failure.self) { try ConfigLoader.parse("[metrics]\ngroups = [\"other\"]") }
    }
}

@Suite struct DaemonMetricsTests {
    func job(_ id: JobID, _ state: JobState, origin: JobOrigin = .cli, attempts: Int = 1) -> Job {
        var spec = JobSpec(executable: "/bin/true", arguments: ["secret-argument"], environment: ["TOKEN": "secret-env"])
        spec.origin = origin
        return Job(id: id, spec: spec, owner: 4242, state: state, className: "default", submittedAt: 100, attempts: attempts,
                   startedAt: state == .running ? 100.25 : nil)
    }

    func text(_ m: DaemonMetrics, _ s: MetricsSnapshot = MetricsSnapshot()) -> String {
        String(decoding: m.exposition(s, hosts: [:]), as: UTF8.self)
    }

    @Test func hooksCountWhatTheSchedulerCommits() {
        let m = DaemonMetrics()
        m.submitted([job(1, .queued), job(2, .queued, origin: .gram(.init())), job(3, .queued)])
        let running = job(1, .running)
        m.recorded([(running, .transition(running, from: .starting, at: 101)),
                    (job(2, .failed, origin: .gram(.init())), .transition(job(2, .failed), from: .running, at: 102)),
                    (job(3, .done), .transition(job(3, .done), from: .running, at: 102))])
        m.requeued(.workspaceLost, count: 2)
        m.throttled([3, 0, 1, 0, 0, 0, 0])
        m.outboxWriteFailed(userLog: true)
        m.storeCommitted(nanoseconds: 300_000)
        let t = text(m)
        #expect(t.contains(#"wsbridge_jobs_submitted_total{origin="cli"} 2"#))
        #expect(t.contains(#"wsbridge_jobs_submitted_total{origin="gram"} 1"#))
        #expect(t.contains(#"wsbridge_job_starts_total{origin="cli"} 1"#))
        #expect(t.contains(#"wsbridge_job_ends_total{result="failed",origin="gram"} 1"#))
        #expect(t.contains(#"wsbridge_job_ends_total{result="done",origin="cli"} 1"#))
        #expect(t.contains(#"wsbridge_job_requeues_total{reason="workspace_lost"} 2"#))
        #expect(t.contains(#"wsbridge_throttle_decisions_total{limit="max_running"} 3"#))
        #expect(t.contains(#"wsbridge_throttle_decisions_total{limit="start_rate"} 1"#))
        #expect(t.contains(#"wsbridge_outbox_write_failures_total{kind="user_log"} 1"#))
        // Submit to start: 0.25 s, in the 0.25 s bucket and not below.
        #expect(t.contains(#"wsbridge_job_submit_to_start_seconds_bucket{le="0.1"} 0"#))
        #expect(t.contains(#"wsbridge_job_submit_to_start_seconds_bucket{le="0.25"} 1"#))
        #expect(t.contains("wsbridge_store_commit_seconds_count 1"))
        #expect(t.contains("# HELP wsbridge_job_ends_total "))
        #expect(!t.contains("secret") && !t.contains("4242"))
    }

    @Test func gaugesFollowTheStateAndDropToZero() {
        let m = DaemonMetrics()
        var s = MetricsSnapshot()
        s.jobs[.init(state: .queued, className: "default", origin: 0, owner: 4242)] = 5
        s.workspaces[.init(className: "default", provider: "local", host: "localhost", state: "busy")] = 1
        s.limits = [.init(name: "max_running", limit: 2, used: 2)]
        var t = text(m, s)
        #expect(t.contains(#"wsbridge_jobs{state="queued",class="default",origin="cli",group="other"} 5"#))
        #expect(t.contains(#"wsbridge_workspaces{class="default",provider="local",host="localhost",state="busy"} 1"#))
        #expect(t.contains(#"wsbridge_throttle_in_use{limit="max_running"} 2"#))
        s.jobs = [:]
        t = text(m, s)
        #expect(t.contains(#"wsbridge_jobs{state="queued",class="default",origin="cli",group="other"} 0"#))
    }

    @Test func outdatedWorkspacesPerClass() {
        let m = DaemonMetrics()
        var s = MetricsSnapshot()
        s.outdated = ["default": 3, "vm": 0]
        var t = text(m, s)
        #expect(t.contains(#"wsbridge_workspaces_outdated{class="default"} 3"#))
        #expect(t.contains(#"wsbridge_workspaces_outdated{class="vm"} 0"#))
        s.outdated = ["vm": 0]
        t = text(m, s)
        #expect(t.contains(#"wsbridge_workspaces_outdated{class="default"} 0"#), "a finished rollout drops to zero")
    }
}

@Suite struct StatusPageTests {
    @Test func escapesWhatUsersWroteAndRunsNoScript() {
        var s = StatusSnapshot(at: 1_000_000)
        s.failures = [.init(job: 7, owner: 1000, className: "<b>x</b>", at: 999_990, reason: "exit \"3\" <script>alert(1)</script>")]
        s.names = [1000: "alice&bob"]
        s.history = [.init(at: 999_000, running: 2, queued: 5, startsPerMinute: 12)]
        let html = StatusPage.render(s)
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("alice&amp;bob"))
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"10\">"))
        #expect(html.contains("<svg id=\"chart-queued\""))
        #expect(html.contains("id=\"total-failures\">1<"))
    }

    @Test func historyKeepsAnHourOfPoints() {
        var h = StatusHistory()
        for i in 0..<1000 {
            if i % 10 == 0 { h.starts += 3 }
            h.sample(now: Double(i) * 10, running: i, queued: 0)
        }
        #expect(h.points.count == 361)
        #expect(h.points.last?.running == 999)
        #expect(h.points.last.map { $0.startsPerMinute } == 0)
    }
}
