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
        try RolloutObservation.run(d, label: "local workspaces", jobSeconds: Self.jobSeconds, bootTimeout: 30,
                                   job: { JobSpec(executable: "/bin/sleep", arguments: ["\(Int($0))"], directory: d.work) },
                                   changeImage: { try "version 2\n".write(toFile: image + "/bin/tool", atomically: true, encoding: .utf8) })
        // Local runs also leave their starts in the agents' journal: one each.
        let starts = d.journal().filter { $0.kind == "start" }
        #expect(starts.count == 8 && Set(starts.map(\.job)).count == 8, "\(starts)")
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
        #expect(text.contains("2 workspaces exist (max_workspaces 1 + max_surge 1 during an image rollout)"), "\(text)")
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

    /// The daemon dies with a job running; the image changes meanwhile. The restarted daemon
    /// knows the workspace's digest from the store, lets the job finish there, then replaces it.
    @Test func aRestartedDaemonRollsOutWhatChangedWhileItWasAway() throws {
        let image = NSTemporaryDirectory() + "wsb-image-" + UUID().uuidString.prefix(8)
        try "1".write(toFile: image, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let d = try TestDaemon(config: config(slots: 1, maxWorkspaces: 2, classExtra: "[class.settings]\nimage = \"\(image)\""))
        defer { d.cleanUp() }
        try d.start()
        let ids = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["4"], directory: d.work)])
        try d.waitUntil("a running job") { try d.status(ids)[0].state == .running }
        let before = try #require(try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first)
        d.kill9()
        try "2".write(toFile: image, atomically: true, encoding: .utf8)
        try d.start()
        try d.waitUntil("the adopted workspace outdated, with its job") {
            let l = try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self)
            return l.contains { $0.workspace.id == before.workspace.id && $0.outdated == true && $0.jobs == ids
                && $0.workspace.imageDigest == before.workspace.imageDigest }
        }
        let job = try d.waitAll(ids, timeout: 30)[0]
        #expect(job.state == .done && job.attempts == 1 && job.workspaceID == before.workspace.id)
        try d.waitUntil("the outdated workspace replaced") {
            try !d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).contains { $0.workspace.id == before.workspace.id }
        }
        #expect(d.journal().filter { $0.kind == "start" && $0.job == ids[0] }.count == 1)
    }

    /// Two classes, two images: changing one class's image replaces its workspaces only.
    @Test func twoClassesRunTwoVersionsSideBySide() throws {
        let base = NSTemporaryDirectory() + "wsb-images-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        for name in ["a", "b"] { try "\(name) 1".write(toFile: "\(base)/\(name)", atomically: true, encoding: .utf8) }
        let text = config(slots: 1, maxWorkspaces: 2, classExtra: """
            warm_workspaces = 1
            [class.settings]
            image = "\(base)/a"
            [[class]]
            name = "other"
            slots = 1
            max_workspaces = 2
            warm_workspaces = 1
            [class.settings]
            image = "\(base)/b"
            """)
        let d = try TestDaemon(config: text)
        defer { d.cleanUp() }
        try d.start()
        func list() throws -> [WorkspaceStatus] { try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self) }
        try d.waitUntil("one warm workspace per class") {
            let l = try list()
            return l.count == 2 && Set(l.map(\.workspace.className)) == ["default", "other"] && l.allSatisfy { $0.outdated == false }
        }
        let before = try list()
        let other = try #require(before.first { $0.workspace.className == "other" })
        let first = try #require(before.first { $0.workspace.className == "default" })
        #expect(other.workspace.imageDigest != first.workspace.imageDigest)
        try "a 2".write(toFile: "\(base)/a", atomically: true, encoding: .utf8)
        _ = try d.client.post("/v1/policy/reload", as: PolicyReply.self)
        try d.waitUntil("the default class's warm workspace replaced") {
            let l = try list()
            return l.count == 2 && !l.contains { $0.workspace.id == first.workspace.id } && l.allSatisfy { $0.outdated == false }
        }
        let after = try list()
        #expect(after.first { $0.workspace.className == "other" }?.workspace.id == other.workspace.id, "the other class is untouched")
        #expect(after.first { $0.workspace.className == "other" }?.workspace.imageDigest == other.workspace.imageDigest)
        #expect(after.first { $0.workspace.className == "default" }?.workspace.imageDigest != first.workspace.imageDigest)
    }
}
