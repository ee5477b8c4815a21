import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// The image-rollout scenario, the same on local workspaces and on guests: a class of 6 warm
/// workspaces of one slot, 4 of them busy with jobs of one length, its image changed and the
/// config reloaded, 4 short jobs submitted meanwhile. Checks that every job ends once and
/// succeeds, that never more than max_unavailable (1) outdated workspaces are out of service
/// (from the daemon's events, and from the workspace list sampled meanwhile), that the class
/// never exceeds max_workspaces + max_surge, and that within one job length after the busy
/// jobs end every workspace is on the new image; prints the figures.
enum RolloutObservation {
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

    static func run(_ d: TestDaemon, label: String, jobSeconds: Double, bootTimeout: Double,
                    job: (Double) -> JobSpec, changeImage: () throws -> Void) throws {
        let client = d.client
        func list() throws -> [WorkspaceStatus] { try client.get("/v1/workspaces", as: [WorkspaceStatus].self) }
        let setUpAt = Date().timeIntervalSince1970
        try d.waitUntil(timeout: bootTimeout, "6 warm workspaces with their digest") {
            let l = try list()
            return l.count == 6 && l.allSatisfy { $0.workspace.state.takesJobs || $0.workspace.state.isParked } && l.allSatisfy { $0.outdated == false }
        }
        let warmAfter = Date().timeIntervalSince1970 - setUpAt
        let oldDigest = try #require(try list()[0].workspace.imageDigest)
        #expect(try list().allSatisfy { $0.workspace.imageDigest == oldDigest })

        let busy = try d.submit((0..<4).map { _ in job(jobSeconds) })
        try d.waitUntil(timeout: bootTimeout, "4 running jobs") { try d.status(busy).allSatisfy { $0.state == .running } }
        let before = try list()
        #expect(before.filter { !$0.jobs.isEmpty }.count == 4 && before.count == 6)
        let parkedAtReload = before.filter { $0.workspace.state.isParked }.count

        let sampler = Sampler()
        sampler.run(client)
        try changeImage()
        let reloadedAt = Date().timeIntervalSince1970
        _ = try client.post("/v1/policy/reload", as: PolicyReply.self)
        try d.waitUntil(timeout: 60, "the busy workspaces outdated") {
            try list().filter { $0.outdated == true && !$0.jobs.isEmpty }.count == 4
        }
        let (status, text) = try cli(d, ["workspaces"], in: d.work)
        #expect(status == 0 && text.contains("IMAGE") && text.contains(String(oldDigest.prefix(12)) + " outdated"), "\(text)")
        // Jobs keep coming during the rollout.
        let more = try d.submit((0..<4).map { _ in job(1) })

        let firstJobs = try d.waitAll(busy, timeout: jobSeconds + 120)
        let busyEnded = firstJobs.compactMap(\.endedAt).max() ?? reloadedAt
        try d.waitUntil(timeout: max(1, jobSeconds - (Date().timeIntervalSince1970 - busyEnded)),
                        "every workspace on the new image within one job length after the busy jobs ended") {
            let l = try list()
            return l.count >= 6 && l.allSatisfy { $0.outdated == false && $0.workspace.imageDigest != oldDigest }
        }
        let convergedAt = Date().timeIntervalSince1970
        let all = try d.waitAll(busy + more, timeout: 120)
        sampler.lock.withLock { sampler.stop = true }
        let final = try list()
        let newDigest = try #require(final.first?.workspace.imageDigest)
        #expect(newDigest != oldDigest)
        #expect(final.allSatisfy { $0.workspace.imageDigest == newDigest })

        // Every job ran once and succeeded: done, one attempt, one start in the events.
        #expect(all.allSatisfy { $0.state == .done && $0.attempts == 1 }, "\(all.map { ($0.id, $0.state, $0.attempts, $0.reason ?? "") })")
        var events: [EventView] = []
        var after: Int64 = 0
        while true {
            let r = try client.get("/v1/events?after=\(after)&wait=0", as: EventsReply.self)
            if r.events.isEmpty { break }
            events += r.events
            after = r.last
        }
        for id in busy + more {
            let starts = events.filter { $0.job == id && $0.to == .starting }.count
            #expect(starts == 1, "job \(id) started \(starts) times")
        }
        let newIDs = Set(final.map(\.workspace.id))
        let laterOnOld = all.filter { more.contains($0.id) && !newIDs.contains($0.workspaceID ?? "") }.count

        // From the daemon's events: each retired workspace is out of service from its retiring
        // to its destruction; never more than one such interval at once.
        let retired = Set(events.filter { $0.kind == "workspace-retiring" }.compactMap(\.workspace))
        var out = 0, peak = 0
        for e in events.sorted(by: { $0.seq < $1.seq }) {
            if e.kind == "workspace-retiring" { out += 1 }
            if e.kind == "workspace-destroyed", retired.contains(e.workspace ?? "") { out -= 1 }
            peak = max(peak, out)
        }
        #expect(retired.count == 6, "retired \(retired.sorted())")
        #expect(out == 0)
        #expect(peak <= 1, "at most max_unavailable (1) out of service at once by the events, not \(peak)")
        let (samples, sampledPeak, sampledMax) = sampler.lock.withLock { (sampler.samples, sampler.maxUnavailable, sampler.maxWorkspaces) }
        #expect(sampledPeak <= 1)
        #expect(sampledMax <= 7, "max_workspaces 6 + max_surge 1")
        print("""
            image rollout, \(label): 4 busy + 2 warm (\(parkedAtReload) parked at the reload), jobs of \(Int(jobSeconds)) s, max_surge 1, max_unavailable 1:
              6 warm in \(String(format: "%.1f", warmAfter)) s; digest \(oldDigest.prefix(12)) -> \(newDigest.prefix(12)); \(retired.count) workspaces replaced
              \(all.count) jobs, each started once, all done; \(laterOnOld) of the 4 submitted during the rollout ran on an outdated workspace
              out of service at once: at most \(peak) (events), \(sampledPeak) (\(samples) samples of the list); most workspaces at once \(sampledMax)
              all on the new image \(String(format: "%.2f", convergedAt - reloadedAt)) s after the reload, \(String(format: "%.2f", convergedAt - busyEnded)) s after the last busy job ended
            """)
    }
}
