import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

struct Workspaces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, retune or destroy workspaces, with the enforcement that took effect in each.",
        subcommands: [List.self, Show.self, Retune.self, Destroy.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workspaces: class, provider, host, state, age, jobs, image digest (and whether it is outdated) and enforcement.")
        @OptionGroup var daemon: DaemonSelection
        @OptionGroup var format: OutputFormat

        func run() throws {
            let list: [WorkspaceStatus] = call { () throws(ClientError) in try daemon.client.get("/v1/workspaces") }
            if format.json { printJSON(list); return }
            let now = Date().timeIntervalSince1970
            var rows = [["ID", "CLASS", "PROVIDER", "HOST", "STATE", "AGE", "PID", "JOBS", "IMAGE", "ENFORCEMENT"]]
            for s in list {
                let w = s.workspace
                let enforced = w.enforcement.map { "\($0.control):\($0.effective ? $0.mechanism : "none")" }.joined(separator: " ")
                rows.append([w.id, w.className, w.provider, s.host ?? "-", w.state.rawValue, formatAge(now - w.createdAt),
                             w.pid.map(String.init) ?? "-", "\(s.jobs.count)/\(s.slots)", imageText(s, short: true), enforced])
            }
            print(table(rows), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one workspace in full.")
        @OptionGroup var daemon: DaemonSelection
        @OptionGroup var format: OutputFormat
        @Argument(help: "Workspace id.") var id: String

        func run() throws {
            let s: WorkspaceStatus = call { () throws(ClientError) in try daemon.client.get("/v1/workspaces/\(id)") }
            if format.json { printJSON(s); return }
            let w = s.workspace
            print("""
                workspace  \(w.id)
                class      \(w.className) (provider \(w.provider))
                host       \(s.host ?? "-")
                state      \(w.state.rawValue)
                pid        \(w.pid.map(String.init) ?? "-")
                agent      \(w.endpoint)
                created    \(formatTime(w.createdAt)) (age \(formatAge(Date().timeIntervalSince1970 - w.createdAt)))
                lease ends \(formatTime(w.leaseExpiresAt))
                jobs       \(s.jobs.map(String.init).joined(separator: " ")) (\(s.jobs.count) of \(s.slots) slots)
                image      \(imageText(s, short: false))
                allocation \(w.allocation?.description ?? "its class's")
                \(w.allocationNote.map { "retune     \($0)\n" } ?? "")\(w.reason.map { "reason     \($0)\n" } ?? "")enforcement:
                """)
            for e in w.enforcement { print("  \(e.description)") }
        }
    }

    struct Retune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a running workspace's resources (root or the admin group).",
            discussion: """
                Every change is planned first: if any of them cannot be made to the running workspace, the \
                daemon refuses the whole request with the reason and changes nothing. Guests: memory through \
                the balloon up to the maximum they were defined with (class setting max_memory_mb), vCPUs added \
                up to max_cpus (never removed live), CPU weight and cap through the hypervisor's scheduler, the \
                rate of a shaped network interface. Local workspaces: their cgroups (memory not below \
                what is in use; --cpus is the CPU cap in whole CPUs when no --cpu-cap is set).
                """)
        @OptionGroup var daemon: DaemonSelection
        @OptionGroup var format: OutputFormat
        @Argument(help: "Workspace id.") var id: String
        @Option(help: ArgumentHelp("Memory in MB.", valueName: "MB")) var memory: Int?
        @Option(help: ArgumentHelp("vCPUs (guests); the CPU cap in whole CPUs (local workspaces without --cpu-cap).", valueName: "N")) var cpus: Int?
        @Option(help: ArgumentHelp("Relative CPU share, 100 = normal.", valueName: "W")) var cpuWeight: Int?
        @Option(help: ArgumentHelp("CPU cap in percent of one CPU; 0 removes the cap.", valueName: "PCT")) var cpuCap: Int?
        @Option(help: ArgumentHelp("Disk in MB.", valueName: "MB")) var disk: Int?
        @Option(help: ArgumentHelp("Average network rate in KiB/s.", valueName: "KBPS")) var bandwidth: Int?

        func run() throws {
            let request = RetuneRequest(memoryMB: memory, cpus: cpus, cpuWeight: cpuWeight, cpuCapPercent: cpuCap,
                                        diskMB: disk, bandwidthKBps: bandwidth)
            if request.isEmpty { throw ValidationError(RetuneError.nothingAsked.description) }
            let reply: RetuneReply = call { () throws(ClientError) in try daemon.client.post("/v1/workspaces/\(id)/retune", request) }
            if format.json { printJSON(reply); return }
            print("retuned \(reply.workspace): \(reply.plan.summary)")
            print("allocation \(reply.allocation.description)")
        }
    }

    struct Destroy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Destroy a workspace; its running jobs are requeued.")
        @OptionGroup var daemon: DaemonSelection
        @Argument(help: "Workspace id.") var id: String

        func run() throws {
            let _: [String: String] = call { () throws(ClientError) in try daemon.client.delete("/v1/workspaces/\(id)") }
            print("destroyed \(id)")
        }
    }
}

/// A workspace's image digest (12 hex digits, or all 64) and whether it is outdated.
func imageText(_ s: WorkspaceStatus, short: Bool) -> String {
    guard let d = s.workspace.imageDigest else { return "-" }
    return (short ? String(d.prefix(12)) : "sha256:" + d) + (s.outdated == true ? " outdated" : "")
}

/// An age as condor_q shows run times: days+hours:minutes:seconds (`0+01:02:03`).
func formatAge(_ seconds: Double) -> String {
    let s = Int(max(0, min(seconds, 1e9)))
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(s / 86400)+\(two(s / 3600 % 24)):\(two(s / 60 % 60)):\(two(s % 60))"
}

struct Policy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or reload the throttle policy, or explain why a job waits.",
        subcommands: [Show.self, Reload.self, Explain.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the policy in force.")
        @OptionGroup var daemon: DaemonSelection
        @OptionGroup var format: OutputFormat

        func run() throws {
            let p: PolicyReply = call { () throws(ClientError) in try daemon.client.get("/v1/policy") }
            if format.json { printJSON(p); return }
            print(PolicyText.render(p), terminator: "")
        }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reload the config file (same as SIGHUP to the daemon).")
        @OptionGroup var daemon: DaemonSelection

        func run() throws {
            let p: PolicyReply = call { () throws(ClientError) in try daemon.client.post("/v1/policy/reload") }
            print("reloaded \(p.source ?? "built-in defaults")")
            for change in p.workspaceChanges ?? [] { print("  \(change)") }
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say in one line which limit holds a waiting job, or what a config reload or retune did to a workspace.")
        @OptionGroup var daemon: DaemonSelection
        @OptionGroup var format: OutputFormat
        @Argument(help: "Job id, or workspace id (ws-N).") var job: String

        func run() throws {
            if job.hasPrefix("ws-") { return try explainWorkspace() }
            let id = parseJobIDs([job])[0]
            let e: ExplainReply = call { () throws(ClientError) in try daemon.client.get("/v1/jobs/\(id)/explain") }
            if format.json { printJSON(e) } else { print("job \(e.job) (\(e.state.rawValue)): \(e.explanation)") }
        }

        /// Whether the workspace follows its class (retuned in place) or drains, and why.
        func explainWorkspace() throws {
            let s: WorkspaceStatus = call { () throws(ClientError) in try daemon.client.get("/v1/workspaces/\(job)") }
            let w = s.workspace
            if format.json { printJSON(w); return }
            let why = w.allocationNote ?? w.reason ?? "not retuned since it was made"
            print("workspace \(w.id) (\(w.state.rawValue), class \(w.className)): \(why); allocation \(w.allocation?.description ?? "its class's")")
        }
    }
}

enum PolicyText {
    static func render(_ p: PolicyReply) -> String {
        let c = p.config
        var out = """
            # from \(p.source ?? "built-in defaults"), loaded \(formatTime(p.loadedAt))
            [throttle]
            max_running = \(c.throttle.maxRunning)
            max_running_per_owner = \(c.throttle.maxRunningPerOwner)
            max_queued_per_owner = \(c.throttle.maxQueuedPerOwner)
            start_rate = \(c.throttle.startRate)
            max_creating = \(c.throttle.maxCreating)
            [retry]
            max_retries = \(c.retry.maxRetries)
            backoff_seconds = \(c.retry.backoffSeconds)
            [retry.gram]
            max_retries = \(c.retry.gramMaxRetries ?? 0)
            [retry.condor]
            max_retries = \(c.retry.condorMaxRetries ?? 0)

            """
        for k in c.classes {
            out += """
                [[class]]
                name = "\(k.name)"
                provider = "\(k.provider)"
                slots = \(k.slots)
                max_workspaces = \(k.maxWorkspaces)
                memory_mb = \(k.memoryMB)
                cpus = \(k.cpus)
                cpu_weight = \(k.cpuWeight)
                idle_timeout_seconds = \(k.idleTimeoutSeconds)
                lease_seconds = \(k.leaseSeconds)
                max_surge = \(k.maxSurge)
                max_unavailable = \(k.maxUnavailable)

                """
        }
        if let changes = p.workspaceChanges, !changes.isEmpty {
            out += "# workspaces whose class changed at that load:\n" + changes.map { "#   \($0)\n" }.joined()
        }
        return out
    }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the daemon's events: job state changes and workspace events.")
    @OptionGroup var daemon: DaemonSelection
    @OptionGroup var format: OutputFormat
    @Flag(help: "Keep printing new events as they happen.") var follow = false
    @Option(help: "Only this job's events.") var job: Int64?
    @Option(help: "Start after this sequence number.") var after: Int64 = 0

    func run() throws {
        var last = after
        repeat {
            var path = "/v1/events?after=\(last)&wait=\(follow ? 30 : 0)"
            if let job { path += "&job=\(job)" }
            let r: EventsReply = call { () throws(ClientError) in try daemon.client.get(path) }
            for e in r.events {
                if format.json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = .sortedKeys
                    print(String(decoding: (try? encoder.encode(e)) ?? Data(), as: UTF8.self))
                } else {
                    let what = e.to.map { "job \(e.job ?? 0) \(e.from?.rawValue ?? "submitted") -> \($0.rawValue)" } ?? e.kind
                    print("\(e.seq) \(formatTime(e.at)) \(what)\(e.workspace.map { " [\($0)]" } ?? "")\(e.message.map { ": \($0)" } ?? "")")
                }
            }
            fflush(nil)
            last = r.last
        } while follow
    }
}
