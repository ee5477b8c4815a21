import BridgeAPI
import BridgeDaemon
import Foundation
import Testing
import WorkspaceBridge

/// Keeps the request and reply types, the bounds of `SpecBounds` and the error codes in step
/// with the OpenAPI document the daemon serves.
@Suite struct APIContractTests {
    let validator: SchemaValidator

    init() throws {
        validator = SchemaValidator(document: try JSONValue.parse(Data(APIContract.document.utf8)))
    }

    func encoded(_ value: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try JSONValue.parse(try encoder.encode(value))
    }

    func expectConforms(_ value: some Encodable, to schema: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problems = validator.validate(try encoded(value), against: schema)
        #expect(problems.isEmpty, "\(schema): \(problems)", sourceLocation: sourceLocation)
    }

    @Test func documentIsOpenAPI3WithEveryReferenceResolved() throws {
        let doc = validator.document
        #expect(doc["openapi"]?.string?.hasPrefix("3.0") == true)
        var refs: [String] = []
        func collect(_ v: JSONValue) {
            switch v {
            case .object(let o):
                if let r = o["$ref"]?.string { refs.append(r) }
                o.values.forEach(collect)
            case .array(let a): a.forEach(collect)
            default: break
            }
        }
        collect(doc)
        #expect(!refs.isEmpty)
        // Links (followed by the stateful fuzzing) name operations that exist.
        var operations = Set<String>(), linked = Set<String>()
        for item in doc["paths"]?.object?.values.map({ $0 }) ?? [] {
            for (method, op) in item.object ?? [:] where method != "parameters" {
                if let id = op["operationId"]?.string { operations.insert(id) }
                for response in op["responses"]?.object?.values.map({ $0 }) ?? [] {
                    for link in response["links"]?.object?.values.map({ $0 }) ?? [] {
                        if let id = link["operationId"]?.string { linked.insert(id) }
                    }
                }
            }
        }
        #expect(!linked.isEmpty && linked.isSubset(of: operations), "\(linked.subtracting(operations))")
        for ref in refs {
            let parts = ref.split(separator: "/").dropFirst().map(String.init)
            #expect(ref.hasPrefix("#/"), "\(ref)")
            var node: JSONValue? = doc
            for p in parts { node = node?[p] }
            #expect(node != nil, "unresolved \(ref)")
        }
    }

    @Test func everyRouteOfTheRouterIsDocumented() {
        let paths = Set(validator.document["paths"]?.object?.keys.map { $0 } ?? [])
        for route in ["/v1/health", "/v1/openapi.json", "/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/wait", "/v1/jobs/{id}/explain",
                      "/v1/jobs/{id}/{action}", "/v1/clusters", "/v1/events", "/v1/workspaces", "/v1/workspaces/{workspace}", "/v1/workspaces/{workspace}/retune",
                      "/v1/policy", "/v1/policy/reload", "/v1/accounting"] {
            #expect(paths.contains(route), "\(route) is not in the document")
        }
        // Every operation documents its error replies with the one error body.
        for (path, item) in validator.document["paths"]?.object ?? [:] {
            for (method, op) in item.object ?? [:] where method != "parameters" {
                let responses = op["responses"]?.object ?? [:]
                #expect(responses["400"] != nil && responses["429"] != nil && responses["503"] != nil, "\(method) \(path)")
                #expect(responses["500"] == nil, "\(method) \(path): a 500 is a bug, not part of the contract")
            }
        }
    }

    @Test func specBoundsAreTheDocumentsRanges() throws {
        func range(_ schema: String, _ field: String) -> ClosedRange<Int>? {
            guard let p = validator.schema(named: schema)?["properties"]?[field],
                  let lo = p["minimum"]?.number, let hi = p["maximum"]?.number else { return nil }
            return Int(lo)...Int(hi)
        }
        #expect(range("JobSpec", "count") == SpecBounds.count)
        #expect(range("JobSpec", "priority") == SpecBounds.priority)
        #expect(range("JobSpec", "maxRetries") == SpecBounds.maxRetries)
        #expect(range("ResourceRequest", "cpus") == SpecBounds.cpus)
        #expect(range("ResourceRequest", "memoryMB") == SpecBounds.memoryMB)
        #expect(range("ResourceRequest", "minMemoryMB") == SpecBounds.memoryMB)
        #expect(range("ResourceRequest", "diskMB") == SpecBounds.diskMB)
        #expect(range("ResourceRequest", "wallTimeSeconds") == SpecBounds.seconds)
        #expect(range("ResourceRequest", "cpuTimeSeconds") == SpecBounds.seconds)
        #expect(range("APILimits", "maxCount") == SpecBounds.count)
        typealias B = ResourceAllocation.Bounds
        for schema in ["ResourceAllocation", "RetuneRequest"] {
            #expect(range(schema, "memoryMB") == B.memoryMB)
            #expect(range(schema, "cpus") == B.cpus)
            #expect(range(schema, "cpuWeight") == B.cpuWeight)
            #expect(range(schema, "diskMB") == B.diskMB)
            #expect(range(schema, "bandwidthKBps") == B.bandwidthKBps)
        }
        #expect(range("ResourceAllocation", "cpuCapPercent") == B.cpuCapPercent)
        #expect(range("RetuneRequest", "cpuCapPercent") == 0...B.cpuCapPercent.upperBound, "0 removes the cap")
    }

    /// The state machines' states are the document's enums, in order.
    @Test func statesAreTheDocumentsEnums() throws {
        func values(_ schema: String) -> [String] { validator.schema(named: schema)?["enum"]?.array?.compactMap(\.string) ?? [] }
        #expect(values("JobState") == JobState.allCases.map(\.rawValue))
        #expect(values("WorkspaceState") == WorkspaceState.allCases.map(\.rawValue))
        #expect(values("ResourceControl") == ResourceControl.allCases.map(\.rawValue))
    }

    @Test func everyErrorCodeIsDocumented() throws {
        let codes = Set(validator.schema(named: "APIErrorBody")?["properties"]?["code"]?["enum"]?.array?.compactMap(\.string) ?? [])
        let submitErrors: [SubmitError] = [.invalidSpec(""), .unknownClass("", known: []), .noFittingClass(""), .badDirectory(""),
                                           .badExecutable(""), .badInput(""), .badOutput(""), .unknownUser(1),
                                           .cannotRunAs(owner: 1, daemon: 2), .overQueueLimit(owner: 1, limit: 1),
                                           .executableNotExecutable(""), .storeUnavailable("")]
        for code in submitErrors.map(\.code) + ["bad-request", "not-found", "forbidden", "conflict", "bad-config", "timeout",
                                                 "too-many-connections", "over-limit", "internal"] {
            #expect(codes.contains(code), "error code \(code) is not in the document")
        }
        try expectConforms(APIErrorBody(error: "no job 7", code: "not-found"), to: "APIErrorBody")
    }

    /// A value of every reply type with every optional field set, and the requests the clients
    /// send: each conforms, and together they hold every property the document declares.
    @Test func everyTypeConformsAndEveryPropertyIsUsed() throws {
        var spec = JobSpec(executable: "/bin/echo", arguments: ["a"], environment: ["A": "1"], directory: "/tmp", stdin: "/dev/null",
                           stdout: "out", stderr: "err", count: 2,
                           resources: ResourceRequest(cpus: 1, memoryMB: 512, minMemoryMB: 256, diskMB: 10, wallTimeSeconds: 60,
                                                      cpuTimeSeconds: 30),
                           workspace: .requirements("Memory > 1", rank: "Memory"), maxRetries: 3, hold: true, priority: -5,
                           origin: .condor(CondorOrigin(cluster: 4, proc: 0, ad: ["Owner": "\"u\""], userLog: "/tmp/log")))
        spec.holdReason = "no class matches"
        spec.transfer = FileTransfer(inputs: ["/tmp/in", "/tmp/dir/"], outputs: ["out.txt"], executable: true, credential: "/tmp/x509up_u1000")
        spec.transfer?.directoryFiles = true
        spec.vm = VMDescription(hypervisor: .kvm, memoryMB: 256, vcpus: 2,
                                disks: [.init(file: "/tmp/disk.img", device: "vda", writable: true, format: "raw")],
                                networking: true, macAddress: "52:54:00:12:34:56", outputDisks: false, kernel: "/tmp/vmlinuz",
                                initrd: "/tmp/initrd", kernelArguments: "console=ttyS0")
        var gramOrigin = GRAMOrigin(jobType: "single", queue: "q", project: "p", contact: "https://h/1")
        gramOrigin.userDN = "/DC=org/DC=example/CN=Some User"
        var gramSpec = JobSpec(executable: "x", workspace: .named("default"), origin: .gram(gramOrigin))
        gramSpec.count = SpecBounds.count.upperBound
        let job = Job(id: 7, spec: spec, owner: UInt32.max, state: .held, className: "default", submittedAt: 1.5, attempts: 1,
                      failures: 1, workspaceID: "w-1", exit: .exited(3), reason: "held", notBefore: 2, startedAt: 3, endedAt: 4,
                      stopping: .cancelled)
        let killed = Job(id: 8, spec: gramSpec, owner: 1000, state: .failed, className: "default", submittedAt: 1, exit: .signaled(9))
        try expectConforms(SubmitRequest(specs: [spec, gramSpec, JobSpec(executable: "y")], idempotencyKey: "k"), to: "SubmitRequest")
        try expectConforms(SubmitReply(jobs: [[7, 8], [9]], store: StoreIdentity(id: "0f8fad5b-d9cb-469f-a165-70867728950e",
                                                                                  legacyJobIDsUpTo: 3)), to: "SubmitReply")
        try expectConforms(StoreIdentity(id: "0f8fad5b-d9cb-469f-a165-70867728950e"), to: "StoreIdentity")
        try expectConforms(JobStatus(job: job, history: [JobTransition(from: nil, to: .queued, at: 1),
                                                          JobTransition(from: .queued, to: .held, at: 2, reason: "r")],
                                     waiting: "throttle.max_running"), to: "JobStatus")
        try expectConforms(JobStatus(job: killed), to: "JobStatus")
        try expectConforms(JobActionReply(job: 7, state: .cancelled), to: "JobActionReply")
        try expectConforms(ExplainReply(job: 7, state: .queued, explanation: "waits"), to: "ExplainReply")
        try expectConforms(EventsReply(events: [EventView(seq: 1, at: 1, job: 7, workspace: "w-1", kind: "state", from: .queued,
                                                          to: .starting, message: "m")], last: 1), to: "EventsReply")
        let workspace = Workspace(id: "w-1", className: "default", provider: "local", state: .ready, pid: 42, endpoint: "/run/a.sock",
                                  handle: "/var/w-1", createdAt: 1, leaseExpiresAt: 2, lastUsedAt: 1,
                                  enforcement: [Enforcement(control: "memory", mechanism: "cgroup-v2", effective: true, detail: "512M")],
                                  reason: "r",
                                  allocation: ResourceAllocation(memoryMB: 768, cpus: 2, cpuWeight: 50, cpuCapPercent: 25, diskMB: 100,
                                                                 bandwidthKBps: 1000),
                                  allocationNote: "retuned by uid 0", imageDigest: String(repeating: "0123456789abcdef", count: 4))
        try expectConforms(WorkspaceStatus(workspace: workspace, slots: 2, jobs: [7], host: "node1.example.org", outdated: true), to: "WorkspaceStatus")
        let from = ResourceAllocation(memoryMB: 512, cpus: 1, cpuWeight: 100, cpuCapPercent: nil)
        let to = try RetuneRequest(memoryMB: 768, cpuCapPercent: 25).applied(to: from)
        let plan = RetunePlan(from: from, to: to) { $0 == .cpuCap ? "no cap here" : nil }
        try expectConforms(RetuneReply(workspace: "w-1", plan: plan, allocation: to), to: "RetuneReply")
        try expectConforms(RetuneRequest(memoryMB: 768, cpus: 2, cpuWeight: 50, cpuCapPercent: 0, diskMB: 10, bandwidthKBps: 100),
                           to: "RetuneRequest")
        var vm = WorkspaceClass(name: "default", cpuCapPercent: 50, diskMB: 100, settings: ["uri": "qemu:///system"],
                                attributes: ["OpSys": "LINUX"])
        vm.binds = [SharedDirectory(path: "/home", writable: true)]
        var config = BridgeConfig(classes: [vm],
                                  adminGroup: "wsadmin", segDirectory: "/var/seg")
        config.metrics = MetricsSettings(listen: "127.0.0.1:9464", groups: ["atlas"])
        config.api.listen = "0.0.0.0:7301"
        config.api.mungeSocket = "/run/munge/munge.socket.2"
        config.store.url = "postgresql://wsbridge:secret@db.example.org/wsbridge"
        config.throttle.startBurst = 4
        config.logLevel = "debug"
        config.cgroupFavordynmods = false
        config.accounting.site = "EXAMPLE-SITE"
        config.accounting.apelDirectory = "/var/spool/apel/outgoing"
        config.accounting.submitHost = "ce.example.org:9619/ce.example.org-wsbridge"
        config.accounting.machineName = "ce.example.org"
        config.accounting.benchmarkType = "HEPscore23"
        config.accounting.benchmark = 10.5
        config.accounting.blahLogPrefix = "/var/log/wsbridge/blahp.log"
        try expectConforms(AccountingRecord(job: 7, attempt: 2, owner: 1000, ownerName: "alice", origin: "condor",
                                            grid: GridJob(jobID: "ce#1.0", userDN: "/DC=org/CN=Alice", fqan: "/atlas/Role=NULL"),
                                            className: "default", workspace: "w-1", host: "w-1", cores: 2, startedAt: 1, endedAt: 3,
                                            cpuSeconds: 1.5, peakMemoryBytes: 1 << 20, usageSource: "cgroup-v1", exit: .exited(0)),
                           to: "AccountingRecord")
        try expectConforms(PolicyReply(config: config, source: "/etc/wsbridge.toml", loadedAt: 1,
                                       workspaceChanges: ["ws-1: retuned in place: memory 512 MB → 768 MB"]), to: "PolicyReply")
        try expectConforms(PolicyReply(config: BridgeConfig(), source: nil, loadedAt: 1), to: "PolicyReply")
        let host = HostStatus(uri: "qemu+ssh://root@node1/system", provider: "libvirt", classes: ["vm"], drainedSince: 5,
                              unreachable: "no answer", workspaces: [HostWorkspace(id: "ws-1", state: "busy", jobs: [7])], foreign: 1)
        try expectConforms(host, to: "HostStatus")
        try expectConforms(HostRequest(uri: "qemu+ssh://root@node1/system"), to: "HostRequest")
        var drain = DrainReply(host: "qemu+ssh://root@node1/system", drainedSince: 5)
        drain.moved = [.init(workspace: "ws-1", to: "qemu+ssh://root@node2/system", seconds: 2.5, jobs: [7])]
        drain.destroyed = ["ws-2"]
        drain.notMoved = [.init(workspace: "ws-3", reason: "no other host")]
        try expectConforms(drain, to: "DrainReply")
        try expectConforms(["status": "ok"], to: "Health")
        try expectConforms(["cluster": Int64(3)], to: "ClusterReply")
        try expectConforms(["destroyed": "w-1"], to: "DestroyedReply")
        try expectConforms(APIErrorBody(error: "e", code: "bad-request"), to: "APIErrorBody")

        let unused = validator.declaredProperties.subtracting(validator.seen)
        #expect(unused.isEmpty, "declared in the document but in no encoded value: \(unused.sorted())")
    }

    @Test func valuesOutsideTheContractAreRefused() throws {
        var spec = JobSpec(executable: "/bin/true")
        spec.count = SpecBounds.count.upperBound + 1
        #expect(!validator.validate(try encoded(spec), against: "JobSpec").isEmpty)
        spec.count = 1
        spec.resources.memoryMB = 0
        #expect(!validator.validate(try encoded(spec), against: "JobSpec").isEmpty)
        #expect(!validator.validate(.object(["error": .string("e")]), against: "APIErrorBody").isEmpty)
        #expect(!validator.validate(.object(["error": .string("e"), "code": .string("oops")]), against: "APIErrorBody").isEmpty)
        #expect(!validator.validate(.object(["status": .string("ok"), "extra": .int(1)]), against: "Health").isEmpty)
        #expect(!validator.validate(.object(["job": .int(0), "state": .string("queued")]), against: "JobActionReply").isEmpty)
    }
}
