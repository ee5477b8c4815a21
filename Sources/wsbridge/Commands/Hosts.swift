import ArgumentParser
import BridgeAPI
import Foundation
import WorkspaceBridge

struct Hosts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the libvirt hosts with their guests, or drain one (its guests move to the class's other hosts) and undrain it.",
        subcommands: [List.self, Drain.self, Undrain.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the hosts the classes name (root or the admin group): whether each answers, is drained, and our workspaces there.")
        @OptionGroup var daemon: DaemonSelection
        @OptionGroup var format: OutputFormat

        func run() throws {
            let list: [HostStatus] = call { () throws(ClientError) in try daemon.client.get("/v1/hosts") }
            if format.json { printJSON(list); return }
            var rows = [["HOST", "CLASSES", "STATE", "WORKSPACES", "FOREIGN"]]
            for h in list {
                let state = h.unreachable != nil ? "unreachable" : h.drainedSince.map { "drained since \(formatTime($0))" } ?? "active"
                let here = h.workspaces.map { "\($0.id):\($0.state)" + ($0.jobs.isEmpty ? "" : "(\($0.jobs.count) jobs)") }
                rows.append([h.uri, h.classes.joined(separator: ","), state, here.isEmpty ? "-" : here.joined(separator: " "), "\(h.foreign)"])
            }
            print(table(rows), terminator: "")
            for h in list { if let why = h.unreachable { print("\(h.uri): \(why)") } }
        }
    }

    struct Drain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drain a host (root or the admin group): it takes no new workspace, and its guests running jobs move live to other hosts of their class.",
            discussion: """
                Guests without jobs (idle, paused, saved) are destroyed instead. A guest that cannot move \
                (no other host takes it, the migration failed or timed out) keeps running where it is, takes \
                no new job, and goes once its jobs are done. The host stays drained, across restarts, until \
                `wsbridge hosts undrain`. Live migration is libvirt's, peer to peer: the guest's host opens the \
                destination's URI itself, so the hosts must reach each other by the URIs the class names.
                """)
        @OptionGroup var daemon: DaemonSelection
        @OptionGroup var format: OutputFormat
        @Argument(help: "The host's libvirt URI, as `wsbridge hosts` lists it.") var uri: String

        func run() throws {
            let r: DrainReply = call { () throws(ClientError) in try daemon.client.post("/v1/hosts/drain", HostRequest(uri: uri)) }
            if format.json { printJSON(r); return }
            print("\(r.host): drained since \(formatTime(r.drainedSince))")
            for m in r.moved {
                print("  \(m.workspace) moved to \(m.to) in \(String(format: "%.2f", m.seconds)) s, with jobs \(m.jobs.map(String.init).joined(separator: " "))")
            }
            for id in r.destroyed { print("  \(id) destroyed (no job)") }
            for n in r.notMoved { print("  \(n.workspace) not moved: \(n.reason)") }
            if !r.notMoved.isEmpty { throw ExitCode(1) }
        }
    }

    struct Undrain: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a drained host take workspaces again (root or the admin group).")
        @OptionGroup var daemon: DaemonSelection
        @OptionGroup var format: OutputFormat
        @Argument(help: "The host's libvirt URI.") var uri: String

        func run() throws {
            let h: HostStatus = call { () throws(ClientError) in try daemon.client.post("/v1/hosts/undrain", HostRequest(uri: uri)) }
            if format.json { printJSON(h); return }
            print("\(h.uri): takes workspaces again")
        }
    }
}
