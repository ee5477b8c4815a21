import ArgumentParser
import BridgeAPI
import Foundation

@main
struct WSBridge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsbridge",
        abstract: "Run grid jobs inside virtual workspaces: a local resource manager for GRAM and HTCondor.",
        discussion: """
            The daemon (`wsbridge serve`) owns all state; every other subcommand talks to it over its \
            Unix socket. Select the daemon with --state-dir or WSBRIDGE_STATE_DIR.
            """,
        subcommands: [
            Serve.self, Submit.self, Status.self, Queue.self, Wait.self, Cancel.self, Hold.self, Release.self, Suspend.self, Resume.self,
            Workspaces.self, Hosts.self, Policy.self, Events.self, Accounting.self, Condor.self, Blah.self, RSL.self, GRAM.self, Bench.self, Demo.self,
            Agent.self,
        ]
    )
}

/// The options every client subcommand shares.
struct DaemonSelection: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's state directory (default: $WSBRIDGE_STATE_DIR, else /var/lib/wsbridge).",
                                            valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("The daemon's API socket (default: <state-dir>/api.sock).", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp(
        "A daemon's network API, authenticated with MUNGE; repeat to name a standby, tried in order "
            + "(default: $WSBRIDGE_SERVERS, else [client] servers in $WSBRIDGE_CLIENT_CONFIG or /etc/wsbridge/client.toml).",
        valueName: "host:port"))
    var server: [String] = []

    var resolvedStateDir: String {
        stateDir ?? ProcessInfo.processInfo.environment["WSBRIDGE_STATE_DIR"] ?? "/var/lib/wsbridge"
    }

    /// Servers named on the command line win, then a socket or state directory named there, then
    /// servers from the environment or the client config, then the local daemon.
    var client: BridgeClient {
        if !server.isEmpty { return ClientSettings.fromConfigFile().client(servers: server) }
        if socket == nil, stateDir == nil, let remote = ClientSettings.current() { return remote.client() }
        return BridgeClient(socketPath: socket ?? resolvedStateDir + "/api.sock")
    }
}

/// `--json` for subcommands whose output is data.
struct OutputFormat: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false
}

/// Errors reach the user as one line and a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("wsbridge: \(message)\n".utf8))
    exit(code)
}

/// Runs a client call; a failure is printed as one line.
func call<T>(_ body: () throws(ClientError) -> T) -> T {
    do { return try body() } catch { fail(error.description) }
}

func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
}

func parseJobIDs(_ texts: [String]) -> [Int64] {
    texts.map { text in
        guard let id = Int64(text), id > 0 else { fail("\"\(text)\" is not a job id (job ids are positive numbers)") }
        return id
    }
}
