import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// A class's image changes under a real daemon with local workspaces, 4 busy and 2 warm: every
/// job ends once and succeeds, never more than `max_unavailable` outdated workspaces are out of
/// service (from the daemon's own events, and from the workspace list sampled meanwhile), and
/// within one job length after the busy ones finish every workspace is on the new image.
@Suite(.serialized) struct ImageRolloutEndToEndTests {
    static let jobSeconds = 6.0

    /// The workspace list, sampled on a thread of its own while the rollout runs.
    final class Sampler: @unchecked Sendable {
        let lock = NSLock()
        var samples = 0
        var maxUnavailable = 0
        var maxWorkspaces = 0
        var stop = false
        func run(_ client: BridgeClient) {
            Thread.detachNewThread {
                while !self.lock.withLock({ self.stop }) {
                    if let list = try? client.get("/v1/workspaces", as: [WorkspaceStatus].self) {
                        let out = list.filter { $0.outdated == true && ($0.workspace.state == .destroying || $0.workspace.state == .draining) }.count
                        let alive = list.filter { $0.workspace.state != .destroying }.count
                        self.lock.withLock {
                            self.samples += 1
                            self.maxUnavailable = max(self.maxUnavailable, out)
                            self.maxWorkspaces = max(self.maxWorkspaces, alive)
                        }
                    }
                    usleep(10_000)
                }
            }
        }
    }

    @Test func fourBusyAndTwoWarmMoveToANewImage() throws {
        let image = NSTemporaryDirectory() + "wsb-image-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: image + "/bin", withIntermediateDirectories: true)
        try "version 1\n".write(toFile: image + "/bin/tool", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let classExtra = """
            warm_workspaces = 6
            max_surge = 1
            max_unavailable = 1
            [class.settings]
            image = "\(image)"
            """
        let d = try TestDaemon(config: config(maxRunning: 16, slots: 1, maxWorkspaces: 6, classExtra: classExtra))
        defer { d.cleanUp() }
        try d.start()
        let client = d.client
        func list() throws -> [WorkspaceStatus] { try client.get("/v1/workspaces", as: [WorkspaceStatus].self) }
        try d.waitUntil(timeout: 30, "6 warm workspaces with their digest") {
            let l = try list()
            return l.count == 6 && l.allSatisfy { $0.workspace.state == .ready && $0.outdated == false }
        }
        let oldDigest = try #require(try list()[0].workspace.imageDigest)
        #expect(try list().allSatisfy { $0.workspace.imageDigest == oldDigest })

        let busy = try d.submit((0..<4).map { _ in
            JobSpec(executable: "/bin/sleep", arguments: ["\(Int(Self.jobSeconds))"], directory: d.work)
        })
        try d.waitUntil(timeout: 30, "4 running jobs") { try d.status(busy).allSatisfy { $0.state == .running } }
        #expect(try list().filter { !$0.jobs.isEmpty }.count == 4)

        let sampler = Sampler()
        sampler.run(client)
        // The image changes and the config is reloaded.
        try "version 2\n".write(toFile: image + "/bin/tool", atomically: true, encoding: .utf8)
        let reloadedAt = Date().timeIntervalSince1970
        _ = try client.post("/v1/policy/reload", as: PolicyReply.self)
        try d.waitUntil(timeout: 10, "the busy workspaces outdated") {
            try list().filter { $0.outdated == true && !$0.jobs.isEmpty }.count == 4
        }
        let (status, text) = try cli(d, ["workspaces"], in: d.work)
        #expect(status == 0 && text.contains("IMAGE") && text.contains(String(oldDigest.prefix(12)) + " outdated"), "\(text)")
        // Jobs keep coming during the rollout; they go to workspaces of the new image.
        let more = try d.submit((0..<4).map { _ in JobSpec(executable: "/bin/sleep", arguments: ["1"], directory: d.work) })

        let firstJobs = try d.waitAll(busy, timeout: 60)
        let busyEnded = firstJobs.compactMap(\.endedAt).max() ?? reloadedAt
        try d.waitUntil(timeout: Self.jobSeconds, "every workspace on the new image within one job length") {
            let l = try list()
            return l.count >= 6 && l.allSatisfy { $0.outdated == false && $0.workspace.imageDigest != oldDigest }
        }
        let convergedAt = Date().timeIntervalSince1970
        let all = try d.waitAll(busy + more, timeout: 60)
        sampler.lock.withLock { sampler.stop = true }
        let final = try list()
        let newDigest = try #require(final.first?.workspace.imageDigest)
        #expect(newDigest != oldDigest)
        #expect(final.allSatisfy { $0.workspace.imageDigest == newDigest })

        // Every job ran once and succeeded.
        #expect(all.allSatisfy { $0.state == .done && $0.attempts == 1 }, "\(all.map { ($0.id, $0.state, $0.attempts) })")
        let starts = d.journal().filter { $0.kind == "start" }
        for id in busy + more { #expect(starts.filter { $0.job == id }.count == 1, "job \(id) started \(starts.filter { $0.job == id }.count) times") }
        // The later jobs ran in new workspaces, or in an idle outdated one only while none could be made.
        let newIDs = Set(final.map(\.workspace.id))
        let laterOnOld = starts.filter { more.contains($0.job) && !newIDs.contains($0.workspace) }.count

        // From the daemon's events: each retired workspace is out of service from its retiring
        // to its destruction; never more than one such interval at once.
        var events: [EventView] = []
        var after: Int64 = 0
        while true {
            let r = try client.get("/v1/events?after=\(after)&wait=0", as: EventsReply.self)
            if r.events.isEmpty { break }
            events += r.events
            after = r.last
        }
        var edges: [(at: Double, seq: Int64, delta: Int)] = []
        for e in events where e.kind == "workspace-retiring" { edges.append((e.at, e.seq, 1)) }
        let retired = Set(events.filter { $0.kind == "workspace-retiring" }.compactMap(\.workspace))
        for e in events where e.kind == "workspace-destroyed" && retired.contains(e.workspace ?? "") { edges.append((e.at, e.seq, -1)) }
        var out = 0, peak = 0
        for edge in edges.sorted(by: { ($0.seq) < ($1.seq) }) {
            out += edge.delta
            peak = max(peak, out)
        }
        #expect(retired.count == 6, "retired \(retired.sorted())")
        #expect(out == 0)
        #expect(peak <= 1, "at most max_unavailable (1) out of service at once by the events, not \(peak)")
        let (samples, sampledPeak, sampledMax) = sampler.lock.withLock { (sampler.samples, sampler.maxUnavailable, sampler.maxWorkspaces) }
        #expect(sampledPeak <= 1)
        #expect(sampledMax <= 7, "max_workspaces 6 + max_surge 1")
        print("""
            image rollout, 4 busy + 2 warm local workspaces, jobs of \(Self.jobSeconds) s, max_surge 1, max_unavailable 1:
              digest \(oldDigest.prefix(12)) -> \(newDigest.prefix(12)); \(retired.count) workspaces replaced; \(all.count) jobs, each started once, all done, \(laterOnOld) of the 4 submitted during the rollout on an outdated workspace
              out of service at once: at most \(peak) (events), \(sampledPeak) (\(samples) samples of the list); most workspaces at once \(sampledMax)
              all on the new image \(String(format: "%.2f", convergedAt - reloadedAt)) s after the reload, \(String(format: "%.2f", convergedAt - busyEnded)) s after the last busy job ended
            """)
    }

    /// One slot, one workspace allowed: during a rollout, a replacement is made above
    /// max_workspaces (max_surge), and `policy explain` says why the next job waits.
    @Test func surgeAndExplain() throws {
        let image = NSTemporaryDirectory() + "wsb-image-" + UUID().uuidString.prefix(8)
        try "1".write(toFile: image, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let d = try TestDaemon(config: config(maxRunning: 8, slots: 1, maxWorkspaces: 1,
                                              classExtra: "max_surge = 1\n[class.settings]\nimage = \"\(image)\""))
        defer { d.cleanUp() }
        try d.start()
        let long = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["60"], directory: d.work)])
        try d.waitUntil("a running job") { try d.status(long)[0].state == .running }
        try "2".write(toFile: image, atomically: true, encoding: .utf8)
        _ = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        try d.waitUntil("its workspace outdated") { try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first?.outdated == true }
        let second = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["60"], directory: d.work)])
        try d.waitUntil("the second job running in a surge workspace") { try d.status(second)[0].state == .running }
        let third = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
        let (status, text) = try cli(d, ["policy", "explain", "\(third[0])"], in: d.work)
        #expect(status == 0)
        #expect(text.contains("max_workspaces (1) + max_surge (1) of an image rollout"), "\(text)")
        #expect(text.contains("class default rolls out image") && text.contains("1 outdated workspace(s) left"), "\(text)")
        print("policy explain during a rollout: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")

        // The old workspace's job ends: it goes, and the class is back to max_workspaces; the
        // third job runs on the new image once the second is over.
        _ = try d.client.post("/v1/jobs/\(long[0])/cancel", as: JobActionReply.self)
        try d.waitUntil("the outdated workspace gone") {
            let l = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
            return l.count == 1 && l[0].outdated == false
        }
        _ = try d.client.post("/v1/jobs/\(second[0])/cancel", as: JobActionReply.self)
        let done = try d.waitAll(third, timeout: 30)
        #expect(done[0].state == .done)
        let last = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
        #expect(last.count == 1 && last[0].outdated == false && done[0].workspaceID == last[0].workspace.id)
    }
}
