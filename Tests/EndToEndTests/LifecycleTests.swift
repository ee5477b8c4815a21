import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

extension EndToEndTests {
    /// HTCondor's periodic policy, evaluated by the daemon: a running job is held by
    /// periodic_hold, a held one released by periodic_release; `hold = true` submits held.
    @Test func condorPeriodicPolicyAndSubmitHeld() throws {
        let d = try TestDaemon(config: config())
        defer { d.cleanUp() }
        try d.start()
        let dir = try d.makeDirectory("condor")
        try """
            executable    = /bin/sleep
            arguments     = 60
            periodic_hold = JobStatus == 2 && NumJobStarts >= 1
            queue
            """.write(toFile: dir + "/ph.sub", atomically: true, encoding: .utf8)
        try """
            executable = /bin/true
            hold       = true
            queue
            """.write(toFile: dir + "/held.sub", atomically: true, encoding: .utf8)
        struct Row: Decodable { var job: Int64 }
        let ph = try JSONDecoder().decode([Row].self, from: Data(try cli(d, ["submit", "--json", "ph.sub"], in: dir).1.utf8))[0].job
        let held = try JSONDecoder().decode([Row].self, from: Data(try cli(d, ["submit", "--json", "held.sub"], in: dir).1.utf8))[0].job
        try d.waitUntil(timeout: 20, "periodic_hold holds the running job") { try d.status([ph])[0].state == .held }
        #expect(try d.status([ph])[0].reason?.contains("PeriodicHold") == true)
        #expect(try d.status([held])[0].state == .held)
        _ = try d.client.post("/v1/jobs/\(held)/release", as: JobActionReply.self)
        #expect(try d.waitAll([held])[0].state == .done)
        _ = try d.client.post("/v1/jobs/\(ph)/cancel", as: JobActionReply.self)
    }

    /// An idle workspace is reaped after its class's idle timeout; one past its lease takes no new
    /// job and is destroyed.
    @Test func idleWorkspacesAreReapedAndLeasesExpire() throws {
        let d = try TestDaemon(config: config(idleTimeout: 1, classExtra: "lease_seconds = 3"))
        defer { d.cleanUp() }
        try d.start()
        let first = try d.submit([JobSpec(executable: "/bin/true", directory: d.work)])
        let ws = try d.waitAll(first)[0].workspaceID!
        try d.waitUntil(timeout: 15, "idle workspace reaped") {
            try !d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).contains { $0.workspace.id == ws }
        }
        let long = try d.submit([JobSpec(executable: "/bin/sleep", arguments: ["4"], directory: d.work)])
        try d.waitUntil("running") { try d.status(long)[0].state == .running }
        let leased = try d.status(long)[0].workspaceID!
        try d.waitUntil(timeout: 10, "lease expired: draining") {
            try d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).first { $0.workspace.id == leased }?.workspace.state == .draining
        }
        #expect(try d.waitAll(long)[0].state == .done, "a draining workspace lets its jobs finish")
        try d.waitUntil(timeout: 10, "drained workspace destroyed") {
            try !d.client.get("/v1/workspaces", as: [WorkspaceStatus].self).contains { $0.workspace.id == leased }
        }
        let events = try d.client.get("/v1/events?after=0", as: EventsReply.self).events.map(\.kind)
        #expect(events.contains("workspace-destroyed"))
    }
}
