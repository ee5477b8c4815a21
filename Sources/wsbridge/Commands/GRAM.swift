import ArgumentParser
import BridgeAPI
import BridgeDaemon
import Foundation
import GRAMFrontend
import WorkspaceBridge

struct RSL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsl", abstract: "GRAM's Resource Specification Language.", subcommands: [Parse.self])

    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read one RSL (argument or standard input) and print its canonical form, as globus_rsl_unparse does.")
        @Flag(help: "Evaluate first: rsl_substitution and $(VAR) references, concatenation folded.") var evaluate = false
        @Option(name: .customLong("define"), help: ArgumentHelp("Define an RSL variable (repeatable).", valueName: "NAME=VALUE"))
        var defines: [String] = []
        @Argument(help: "The RSL text; standard input when absent.") var rsl: String?

        func run() throws {
            var vars: [String: String] = [:]
            for d in defines {
                guard let (name, value) = RSLCommand.parseDefine(d) else { throw ValidationError("--define takes NAME=VALUE, not \"\(d)\"") }
                vars[name] = value
            }
            let input = rsl ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            switch RSLCommand.run(input: input, evaluate: evaluate, defines: vars) {
            case .success(let text): print(text)
            case .failure(let e): fail(e.description)
            }
        }
    }
}

/// The GRAM job manager's side: `workspace.pm` runs these with the job description as JSON on
/// standard input and reads one JSON reply on standard output.
struct GRAM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gram", abstract: "The GRAM5 LRM adapter's commands (run by workspace.pm).",
        subcommands: [Submit.self, Poll.self, Cancel.self, Signal.self])

    static func reply(_ r: GRAMReply) { print(r.json()) }

    static func readDescription() -> Data { FileHandle.standardInput.readDataToEndOfFile() }

    /// The job manager's job contact names one submit: a submit repeated with it (the job manager
    /// restarted before our reply) gets the first one's jobs.
    static func submitRequest(_ spec: JobSpec) -> SubmitRequest {
        var key: String?
        if case .gram(let g) = spec.origin, let contact = g.contact, (1...250).contains(contact.count) { key = "gram:" + contact }
        return SubmitRequest(specs: [spec], idempotencyKey: key)
    }

    /// The jobs `ids` once they ended or `seconds` passed (`GRAMSubmitSettle`); nil when the
    /// daemon did not answer.
    static func settledJobs(_ client: BridgeClient, ids: [JobID], seconds: Double) -> [Job]? {
        func fetch() -> [JobStatus]? {
            try? client.get("/v1/jobs?ids=" + ids.map(String.init).joined(separator: ","), as: [JobStatus].self)
        }
        guard let first = fetch() else { return nil }
        guard seconds > 0, GRAMSubmitSettle.worthWaiting(first.map { ($0.job, $0.waiting) }) else { return first.map(\.job) }
        let deadline = Date().addingTimeInterval(seconds)
        for s in first where !s.job.state.isTerminal {
            let left = deadline.timeIntervalSinceNow
            guard left > 0.001 else { break }
            let ended = try? client.get("/v1/jobs/\(s.job.id)/wait?timeout=" + String(format: "%.3f", left), as: JobStatus.self)
            guard ended?.job.state.isTerminal == true else { break }
        }
        return (fetch() ?? first).map(\.job)
    }

    /// The daemon's store, whose identity every GRAM job id carries (`GRAMJobID`).
    static func store(_ client: BridgeClient) throws(GRAMError) -> StoreIdentity {
        do { return try client.get("/v1/store") } catch { throw GRAM.gramError(error) }
    }

    /// Daemon errors in GRAM's words.
    static func gramError(_ e: ClientError) -> GRAMError {
        let code: GRAMErrorCode = switch e.code {
        case "bad-executable": .executableNotFound
        case "executable-not-executable": .executablePermissions
        case "bad-directory": .badDirectory
        case "bad-stdin": .stdinNotFound
        case "bad-stdout": .openingStdout
        case "unknown-class": .invalidSchedulerSpecific
        case "invalid-job": .invalidRequest
        case "forbidden": .authorization
        case "over-limit", "store-unavailable", "too-many-connections": .noResources
        case "not-found": .jobQueryDenial
        default: .jobExecutionFailed
        }
        return GRAMError(code, e.description)
    }

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit the described job; reply JOB_ID and JOB_STATE or ERROR.")
        @OptionGroup var daemon: DaemonSelection
        @Option(help: ArgumentHelp("""
            Wait up to this long for the job to end before replying: a job over by then is reported DONE at once, \
            without the job manager's SEG reader (2 s timer) or poll (10 s); 0 does not wait.
            """, valueName: "seconds"))
        var settle = GRAMSubmitSettle.defaultSeconds

        func validate() throws {
            guard settle.isFinite, (0...10).contains(settle) else { throw ValidationError("--settle takes 0 to 10 seconds") }
        }

        func run() throws {
            let client = daemon.client
            let identity = Identity.lookup(uid: UInt32(getuid()))
            let classes = (try? client.get("/v1/policy", as: PolicyReply.self))?.config.classes
            do {
                let request = try GRAMAdapter.submitRequest(
                    descriptionJSON: GRAM.readDescription(),
                    context: GRAMMappingContext(home: identity?.home, userName: identity?.name, classes: classes,
                                                contact: ProcessInfo.processInfo.environment["GLOBUS_GRAM_JOB_CONTACT"],
                                                // The job manager's proxy of the user (read as the user), for accounting.
                                                userDN: ProcessInfo.processInfo.environment["X509_USER_PROXY"]
                                                    .flatMap(ProxyIdentity.identity(ofProxyAt:))))
                if request.dryRun { GRAM.reply(GRAMAdapter.failureReply(GRAMError(.dryRun, "dry run: valid"), for: .submit)); return }
                let reply: SubmitReply
                do { reply = try client.submit(GRAM.submitRequest(request.spec)) } catch { throw GRAM.gramError(error) }
                let ids = reply.jobs.flatMap { $0 }
                let jobs = GRAM.settledJobs(client, ids: ids, seconds: settle)
                GRAM.reply(jobs.map { GRAMAdapter.submitReply(jobs: $0, store: reply.store) }
                           ?? GRAMAdapter.submitReply(ids: ids, store: reply.store))
            } catch let e as GRAMError {
                GRAM.reply(GRAMAdapter.failureReply(e, for: .submit))
            }
        }
    }

    struct Poll: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reply the described job's GRAM state.")
        @OptionGroup var daemon: DaemonSelection

        func run() throws {
            do {
                let ids = try GRAMAdapter.jobIDs(descriptionJSON: GRAM.readDescription(), store: GRAM.store(daemon.client))
                let jobs: [JobStatus]
                do { jobs = try daemon.client.get("/v1/jobs?ids=" + ids.map(String.init).joined(separator: ",")) } catch {
                    throw GRAM.gramError(error)
                }
                GRAM.reply(GRAMAdapter.pollReply(jobs: jobs.map(\.job)))
            } catch let e as GRAMError {
                GRAM.reply(GRAMAdapter.failureReply(e, for: .poll))
            }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel the described job (every sub-job).")
        @OptionGroup var daemon: DaemonSelection

        func run() throws {
            do {
                let ids = try GRAMAdapter.jobIDs(descriptionJSON: GRAM.readDescription(), store: GRAM.store(daemon.client))
                for id in ids {
                    do { let _: JobActionReply = try daemon.client.post("/v1/jobs/\(id)/cancel") } catch where error.code == "conflict" {
                        continue  // already finished: nothing to cancel
                    } catch { throw GRAMError(.jobCancelFailed, error.description) }
                }
                GRAM.reply(GRAMAdapter.cancelReply())
            } catch let e as GRAMError {
                GRAM.reply(GRAMAdapter.failureReply(e, for: .cancel))
            }
        }
    }

    struct Signal: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Signal the described job: cancel, suspend, resume.")
        @OptionGroup var daemon: DaemonSelection

        func run() throws {
            do {
                let request = try GRAMAdapter.signalRequest(descriptionJSON: GRAM.readDescription(),
                                                            store: GRAM.store(daemon.client))
                let action: String? = switch request.signal {
                case .cancel: "cancel"
                case .suspend: "suspend"
                case .resume: "resume"
                default: nil
                }
                if let action {
                    for id in request.jobs {
                        do { let _: JobActionReply = try daemon.client.post("/v1/jobs/\(id)/\(action)") } catch where error.code == "conflict" {
                            continue
                        } catch { throw GRAMError(.signalingJob, error.description) }
                    }
                }
                let jobs: [JobStatus] = (try? daemon.client.get("/v1/jobs?ids=" + request.jobs.map(String.init).joined(separator: ","))) ?? []
                GRAM.reply(GRAMAdapter.signalReply(request, jobs: jobs.map(\.job)))
            } catch let e as GRAMError {
                GRAM.reply(GRAMAdapter.failureReply(e, for: .signal))
            }
        }
    }
}

/// `wsbridge submit --rsl`: GRAM's language without a gatekeeper.
enum RSLSubmitCommand {
    static func run(rsl: String, defines: [String: String], daemon: DaemonSelection, json: Bool) {
        let client = daemon.client
        let identity = Identity.lookup(uid: UInt32(getuid()))
        var vars = defines
        vars["HOME"] = vars["HOME"] ?? identity?.home ?? NSHomeDirectory()
        vars["LOGNAME"] = vars["LOGNAME"] ?? identity?.name ?? ""
        let classes = (try? client.get("/v1/policy", as: PolicyReply.self))?.config.classes
        let request: GRAMJobRequest
        do {
            request = try GRAMRSLSubmission.request(rsl: rsl, variables: vars,
                                                    context: GRAMMappingContext(home: identity?.home, userName: identity?.name,
                                                                                classes: classes))
        } catch {
            fail("GRAM error \(error.code.rawValue) (\(error.code.name)): \(error.message)")
        }
        if request.dryRun { print("dry run: the RSL is valid; nothing submitted"); return }
        let reply: SubmitReply = call { () throws(ClientError) in try client.submit(GRAM.submitRequest(request.spec)) }
        let ids = reply.jobs.flatMap { $0 }
        if json { printJSON(ids) } else { print(ids.map(String.init).joined(separator: "\n")) }
    }
}
