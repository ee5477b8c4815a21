import BridgeAPI
import Foundation
import WorkspaceBridge

struct APIResponse: Sendable {
    var status: Int
    var body: Data
}

/// Maps the HTTP/JSON API onto the scheduler. Every failure becomes one JSON error object with a
/// stable code; nothing a client sends can crash the daemon.
struct APIRouter: Sendable {
    let scheduler: Scheduler
    let reload: @Sendable () async throws -> PolicyReply

    func handle(_ r: APIRequest, uid: UInt32) async -> APIResponse {
        // Who the caller is, looked up here, off the scheduler.
        await scheduler.people.resolve(uid)
        do {
            return try await route(r, uid: uid)
        } catch let e as SubmitError {
            let status = switch e.code { case "forbidden": 403; case "over-limit": 429; case "store-unavailable": 503; default: 400 }
            return failure(status, e.description, e.code)
        } catch let e as CommandError {
            let status = switch e.code { case "not-found": 404; case "forbidden": 403; case "conflict": 409; default: 400 }
            return failure(status, e.description, e.code)
        } catch let e as DecodingError {
            return failure(400, "malformed request: \(Self.describe(e))", "bad-request")
        } catch let e as ConfigLoader.Failure {
            return failure(400, "the config was not reloaded: \(e.description)", "bad-config")
        } catch {
            return failure(500, "\(error)", "internal")
        }
    }

    func route(_ r: APIRequest, uid: UInt32) async throws -> APIResponse {
        let p = r.path.map(String.init)
        guard p.first == "v1", p.count >= 2 else { return notFound(r) }
        let arg = p.count > 2 ? p[2] : nil
        switch (r.method, p[1], p.count) {
        case ("GET", "health", 2):
            return try ok(["status": "ok"] as [String: String])
        case ("GET", "openapi.json", 2):
            return APIResponse(status: 200, body: Data(APIContract.document.utf8))
        case ("POST", "jobs", 2):
            let req = try JSONDecoder().decode(SubmitRequest.self, from: r.body)
            guard !req.specs.isEmpty else { return failure(400, "the request holds no job", "bad-request") }
            guard req.specs.count <= 10_000 else { return failure(400, "at most 10000 specs in one submit", "bad-request") }
            let ids = try await scheduler.submit(req.specs, caller: uid, idempotencyKey: req.idempotencyKey)
            return try ok(SubmitReply(jobs: ids, store: scheduler.store.identity), status: 201)
        case ("GET", "store", 2):
            return try ok(scheduler.store.identity)
        case ("GET", "jobs", 2):
            let ids = try r.query["ids"].map { try $0.split(separator: ",").map { try jobID(String($0)) } }
            if let ids, ids.count > 10_000 { return failure(400, "at most 10000 ids at once, not \(ids.count)", "bad-request") }
            // Newest first in pages: `limit` jobs with ids below the cursor `before`, returned oldest first.
            let page = JobPage(limit: Int(try r.integer("limit", default: 10_000, in: 1...10_000)),
                               before: r.query["before"] == nil ? nil : try r.integer("before", default: 0, in: 1...Int64.max))
            return try ok(try await scheduler.status(ids: ids, caller: uid, history: r.query["history"] != nil, page: page))
        case ("GET", "jobs", 3):
            return try ok(try await scheduler.status(ids: [try jobID(arg!)], caller: uid, history: true)[0])
        case ("GET", "jobs", 4) where p[3] == "wait":
            let timeout = try r.seconds("timeout", default: 30, max: 300)
            return try ok(try await scheduler.waitTerminal(try jobID(arg!), caller: uid, timeout: timeout))
        case ("GET", "jobs", 4) where p[3] == "explain":
            return try ok(try await scheduler.explain(try jobID(arg!), caller: uid))
        case ("POST", "jobs", 4):
            guard let a = Scheduler.Action(rawValue: p[3]) else { return failure(404, "no action \(p[3])", "not-found") }
            return try ok(try await scheduler.act(a, on: try jobID(arg!), caller: uid))
        case ("POST", "clusters", 2):
            return try ok(["cluster": try await scheduler.nextCluster()] as [String: Int64])
        case ("GET", "events", 2):
            let after = try r.integer("after", default: 0, in: 0...Int64.max)
            let wait = try r.seconds("wait", default: 0, max: 60)
            let job = try r.query["job"].map { try jobID($0) }
            return try ok(try await scheduler.events(after: after, jobID: job, caller: uid, wait: wait))
        case ("GET", "workspaces", 2):
            return try ok(await scheduler.workspaceStatus(caller: uid))
        case ("GET", "workspaces", 3):
            guard let w = await scheduler.workspaceStatus(caller: uid).first(where: { $0.workspace.id == arg! }) else {
                return failure(404, "no workspace \(arg!)", "not-found")
            }
            return try ok(w)
        case ("POST", "workspaces", 4) where p[3] == "retune":
            let req = try JSONDecoder().decode(RetuneRequest.self, from: r.body)
            return try ok(try await scheduler.retune(arg!, req, caller: uid))
        case ("DELETE", "workspaces", 3):
            try await scheduler.destroyByAdmin(arg!, caller: uid)
            return try ok(["destroyed": arg!] as [String: String])
        case ("GET", "hosts", 2):
            return try ok(try await scheduler.hostList(caller: uid))
        case ("POST", "hosts", 3) where arg == "drain" || arg == "undrain":
            let req = try JSONDecoder().decode(HostRequest.self, from: r.body)
            if arg == "drain" { return try ok(try await scheduler.drainHost(req.uri, caller: uid)) }
            return try ok(try await scheduler.undrainHost(req.uri, caller: uid))
        case ("GET", "accounting", 2):
            // Times in seconds since 1970; records of runs that ended in [since, until).
            let since = try r.seconds("since", default: 0, max: Self.latestTime)
            let until = try r.seconds("until", default: Self.latestTime, max: Self.latestTime)
            let owner = try r.query["owner"].map { _ in UInt32(try r.integer("owner", default: 0, in: 0...4_294_967_295)) }
            let visible = try await scheduler.accountingOwner(requested: owner, caller: uid)
            // Read beside the scheduler, not on it: a long period is many rows.
            return try ok(try scheduler.store.accounting(since: since, until: until, owner: visible))
        case ("GET", "policy", 2):
            return try ok(await scheduler.policyReply())
        case ("POST", "policy", 3) where arg == "reload":
            guard await scheduler.isAdmin(uid) else { return failure(403, "only root or the admin group may reload the policy", "forbidden") }
            return try ok(try await reload())
        default:
            return notFound(r)
        }
    }

    /// The latest time a query may name (the year 5138): far beyond any record, and exact in a double.
    static let latestTime = 1e11

    func notFound(_ r: APIRequest) -> APIResponse {
        failure(404, "no such API endpoint: \(r.method) /\(r.path.joined(separator: "/"))", "not-found")
    }

    func jobID(_ text: String) throws -> JobID {
        guard let id = JobID(text), id > 0 else { throw CommandError(description: "\"\(text)\" is not a job id", code: "bad-request") }
        return id
    }

    func ok(_ value: some Encodable, status: Int = 200) throws -> APIResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return APIResponse(status: status, body: try encoder.encode(value))
    }

    func failure(_ status: Int, _ message: String, _ code: String) -> APIResponse {
        APIResponse(status: status, body: (try? JSONEncoder().encode(APIErrorBody(error: message, code: code))) ?? Data())
    }

    static func describe(_ e: DecodingError) -> String {
        switch e {
        case .keyNotFound(let key, let ctx): "missing \(path(ctx.codingPath + [key]))"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx): "wrong type at \(path(ctx.codingPath)): \(ctx.debugDescription)"
        case .dataCorrupted(let ctx): ctx.codingPath.isEmpty ? "not valid JSON" : "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: "\(e)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
}
