import BridgeAPI
import BridgeStore
import Foundation
import Logging
import NIOPosix
import WorkspaceBridge
import WorkspaceProviders
import LibvirtProvider

/// How `wsbridge serve` was started.
public struct DaemonOptions: Sendable {
    public var stateDirectory: String
    public var configPath: String?
    public var socketPath: String?
    public init(stateDirectory: String, configPath: String?, socketPath: String?) {
        self.stateDirectory = stateDirectory
        self.configPath = configPath
        self.socketPath = socketPath
    }
}

public enum DaemonError: Error, CustomStringConvertible {
    case alreadyRunning(String)
    case setup(String)
    public var description: String {
        switch self {
        case .alreadyRunning(let dir): "another wsbridge daemon already runs with the state directory \(dir)"
        case .setup(let why): why
        }
    }
}

/// The daemon: store, scheduler, API server, timers and signals. SIGTERM stops it gracefully:
/// the API closes, nothing is lost, and running jobs go on in their workspaces for the next
/// daemon to re-attach. SIGHUP reloads the config.
public enum Daemon {
    public static func run(_ options: DaemonOptions,
                           observers: @Sendable (BridgeConfig, StoreIdentity) -> [any JobObserver] = { _, _ in [] }) async throws {
        var logger = Logger(label: "wsbridge")
        logger.logLevel = ProcessInfo.processInfo.environment["WSBRIDGE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let dir = options.stateDirectory
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw DaemonError.setup("cannot create the state directory \(dir): \(error.localizedDescription)")
        }
        chmod(dir, 0o755)
        let lock = open(dir + "/daemon.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else { throw DaemonError.alreadyRunning(dir) }

        let config = try options.configPath.map { path throws -> BridgeConfig in try ConfigLoader.load(path: path) } ?? BridgeConfig()
        let store = try Store(path: dir + "/wsbridge.sqlite")
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let local = LocalProvider(stateDirectory: dir, agentExecutable: executable, journalPath: dir + "/agents.journal")
        logger.info("starting", metadata: [
            "state": "\(dir)", "config": "\(options.configPath ?? "built-in defaults")", "cgroups": "\(local.cgroups.version.rawValue)",
            "sandbox": "\(local.bwrap ?? "none")", "classes": "\(config.classes.map(\.name).joined(separator: ","))",
        ])
        var providers: [String: any WorkspaceProvider] = [local.name: local]
        if config.classes.contains(where: { $0.provider == "libvirt" }) {
            let libvirt = LibvirtProvider(configuration: .init(stateDirectory: dir + "/libvirt",
                                                               socketDirectory: "/run/wsbridge/" + LocalProvider.scope(of: dir)),
                                          classes: config.classes)
            providers[libvirt.name] = libvirt
        }
        let scheduler = Scheduler(store: store, config: config, configSource: options.configPath,
                                  providers: providers, observers: observers(config, store.identity), logger: logger)
        try await scheduler.recover()

        let configPath = options.configPath
        let reload: @Sendable () async throws -> PolicyReply = {
            guard let configPath else { return await scheduler.policyReply() }
            let new = try ConfigLoader.load(path: configPath)
            await scheduler.apply(new, source: configPath)
            return await scheduler.policyReply()
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let socketPath = options.socketPath ?? dir + "/api.sock"
        let server = try await APIServer(path: socketPath, router: APIRouter(scheduler: scheduler, reload: reload), group: group)
        logger.info("listening", metadata: ["socket": "\(socketPath)"])

        let (stops, stop) = AsyncStream.makeStream(of: Int32.self)
        let log = logger
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if sig == SIGHUP {
                    Task {
                        do { _ = try await reload() } catch { log.error("config not reloaded", metadata: ["error": "\(error)"]) }
                    }
                } else {
                    stop.yield(sig)
                }
            }
            source.resume()
            sources.append(source)
        }
        signal(SIGPIPE, SIG_IGN)

        let ticker = Task {
            var tick = 0
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 100_000_000)
                tick += 1
                if tick % 10 == 0 { await scheduler.maintain() } else { await scheduler.schedule() }
            }
        }
        for await sig in stops {
            logger.info("stopping; running jobs go on in their workspaces", metadata: ["signal": "\(sig)"])
            break
        }
        ticker.cancel()
        await scheduler.stop()
        await server.close()
        try? await group.shutdownGracefully()
        unlink(socketPath)
        _ = sources
    }
}
