import ArgumentParser
import BridgeAPI
import CondorFrontend
import Foundation
import WorkspaceBridge

struct Condor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "HTCondor's languages: parse submit files, evaluate ClassAd expressions.",
        subcommands: [Parse.self, Eval.self, EventLogSample.self])

    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print, for every proc of a submit file, the job ClassAd HTCondor would make and the resulting job spec.")
        @Flag(help: "One JSON array, one object per proc with `ad` (attribute → ClassAd expression text) and `spec`.")
        var json = false
        @Option(help: "The cluster number for $(Cluster).") var cluster: Int = 1
        @Option(help: ArgumentHelp("ClassAd syntax of the printed values: old (as condor_q -l prints job ads) or new (as condor_q -long:new).",
                                   valueName: "old|new"))
        var syntax: String = "old"
        @Argument(help: "The submit file.") var file: String

        func validate() throws {
            guard ["old", "new"].contains(syntax) else { throw ValidationError("--syntax must be old or new") }
        }

        func run() throws {
            let s: ClassAdUnparser.Syntax = syntax == "new" ? .new : .old
            do { print(try CondorParseCommand.run(path: file, json: json, cluster: cluster, syntax: s)) } catch { fail("\(error)") }
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate ClassAd expressions, one per line on standard input; prints one result per line.")

        func run() throws {
            var lines: [String] = []
            while let l = readLine(strippingNewline: true) { lines.append(l) }
            for r in ClassAdEvalCommand.run(lines: lines) { print(r) }
        }
    }

    /// One of each user-log event we write, for checking with HTCondor's own log reader.
    struct EventLogSample: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "eventlog-sample", shouldDisplay: false)

        func run() throws {
            let t = Date(timeIntervalSince1970: 1_700_000_000)
            let host = "<127.0.0.1:9618>"
            let events: [UserEventLog.Event] = [
                .submitted(host: host), .executing(host: host), .held(reason: "via wsbridge hold", code: 1, subcode: 0),
                .released(reason: "via wsbridge release"), .executing(host: host), .requeued(exitCode: 3, signal: nil),
                .executing(host: host), .terminated(exitCode: 0, signal: nil, bytesSent: 23, bytesReceived: 113),
                .submitted(host: host), .terminated(exitCode: nil, signal: 11), .submitted(host: host),
                .held(reason: nil, code: 3, subcode: 0), .aborted(reason: "via wsbridge cancel"),
                .gridSubmitted(resource: "batch workspace", jobID: "batch workspace 1 2"),
            ]
            var proc = 0
            for e in events {
                if case .submitted = e { proc += 1 }
                print(UserEventLog.format(e, cluster: 42, proc: proc, time: t), terminator: "")
            }
        }
    }
}

/// `wsbridge submit FILE.sub`: every proc of every queue statement, like condor_submit.
enum SubmitFileCommand {
    static func run(path: String, daemon: DaemonSelection, json: Bool) {
        let client = daemon.client
        let cluster: [String: Int64] = call { () throws(ClientError) in try client.post("/v1/clusters") }
        let result: CondorSubmitResult
        do { result = try CondorSubmit.parse(path: path, cluster: Int(cluster["cluster"] ?? 1)) } catch { fail("\(error)") }
        for w in result.warnings { FileHandle.standardError.write(Data("WARNING: \(w)\n".utf8)) }
        if let nothing = result.nothingQueued(file: path) { fail(nothing) }
        let policy: PolicyReply = call { () throws(ClientError) in try client.get("/v1/policy") }
        let matchmaker = Matchmaker(classes: policy.config.classes)
        let specs = result.jobs.map { job -> JobSpec in
            var spec = job.spec
            switch Result(catching: { () throws(ClassAdParseError) in try matchmaker.match(spec) }) {
            case .success(.matched(let names)):
                spec.workspace = .named(names[0])
            case .success(.noMatch(let rejections)):
                spec.hold = true
                spec.holdReason = "no workspace class matches the job's requirements: "
                    + rejections.map(\.description).joined(separator: "; ")
            case .failure(let e):
                spec.hold = true
                spec.holdReason = "the job's requirements cannot be evaluated: \(e)"
            }
            return spec
        }
        let reply: SubmitReply = call { () throws(ClientError) in try client.submit(SubmitRequest(specs: specs)) }
        let ids = reply.jobs.flatMap { $0 }
        if json {
            struct Row: Encodable { var cluster: Int; var proc: Int; var job: Int64 }
            printJSON(zip(result.jobs, ids).map { Row(cluster: $0.cluster, proc: $0.proc, job: $1) })
            return
        }
        print("Submitting job(s)\(String(repeating: ".", count: min(ids.count, 50)))")
        let clusters = Set(result.jobs.map(\.cluster)).sorted()
        print("\(ids.count) job(s) submitted to cluster \(clusters.map(String.init).joined(separator: ", ")).")
        for ((job, spec), id) in zip(zip(result.jobs, specs), ids) {
            print("  \(job.cluster).\(job.proc) -> job \(id)\(spec.hold ? " (held)" : "")")
        }
    }
}
