import BridgeAPI
import BridgeStore
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import WorkspaceBridge
import WorkspaceProviders

/// How `wsbridge serve` was started.
public struct DaemonOptions: Sendable {
    public var stateDirectory: String
    public var configPath: String?
    public var socketPath: String?
    /// `--log-level`: wins over `WSBRIDGE_LOG_LEVEL` and the config's `[log] level`.
    public var logLevel: Logger.Level?
    public init(stateDirectory: String, configPath: String?, socketPath: String?, logLevel: Logger.Level? = nil) {
        self.stateDirectory = stateDirectory
        self.configPath = configPath
        self.socketPath = socketPath
        self.logLevel = logLevel
    }

    /// The level set from outside the config file (the command line, then the environment), if any.
    var fixedLogLevel: Logger.Level? {
        logLevel ?? ProcessInfo.processInfo.environment["WSBRIDGE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
    }
}

/// What the executable needs to build the daemon's providers.
public struct ProviderContext: Sendable {
    /// The daemon's state directory; each provider keeps its own files under it.
    public var stateDirectory: String
    /// The `wsbridge` executable, which local workspaces run as their agent.
    public var executable: String
    public var config: BridgeConfig
    /// What marks the workspaces (guests) of this bridge on shared hypervisor hosts: with a store
    /// that several daemons share, the store's identity, so that a standby taking over knows the
    /// active one's guests as its own; otherwise nil (the state directory's).
    public var workspaceScope: String?
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
    /// Runs until SIGTERM. The executable composes what the daemon is made of: the providers
    /// (the daemon asks their capabilities, never their names) and the front doors' observers.
    public static func run(_ options: DaemonOptions,
                           providers makeProviders: (ProviderContext) throws -> [any WorkspaceProvider],
                           observers: @Sendable (BridgeConfig, StoreIdentity) -> [any JobObserver] = { _, _ in [] }) async throws {
        // Before anything talks to a socket: recovery sends to agents that may be gone, and a
        // write to a closed socket must be an error there, not a signal that ends the daemon.
        signal(SIGPIPE, SIG_IGN)
        let handler = LineLogHandler.standardError(level: options.fixedLogLevel ?? .info)
        var logger = Logger(label: "wsbridge") { _ in handler }
        let dir = options.stateDirectory
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw DaemonError.setup("cannot create the state directory \(dir): \(error.localizedDescription)")
        }
        try StateDirectory.secure(dir)
        let lock = open(dir + "/daemon.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else { throw DaemonError.alreadyRunning(dir) }

        let config = try options.configPath.map { path throws -> BridgeConfig in try ConfigLoader.load(path: path) } ?? BridgeConfig()
        logger.logLevel = options.fixedLogLevel ?? config.logLevel(default: .info)
        let store: any Store = try config.store.url.map { url throws(StoreError) in try PostgresStore(settings: PostgresSettings(url: url)) }
            ?? SQLiteStore(path: dir + "/wsbridge.sqlite")
        let shared = store as? PostgresStore
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var providers: [String: any WorkspaceProvider] = [:]
        let scope = shared.map { "s" + $0.identity.id.replacingOccurrences(of: "-", with: "").prefix(16) }
        for p in try makeProviders(ProviderContext(stateDirectory: dir, executable: executable, config: config, workspaceScope: scope)) { providers[p.name] = p }
        for c in config.classes where providers[c.provider] == nil {
            throw DaemonError.setup("class \(c.name): no provider \"\(c.provider)\" (available: \(providers.keys.sorted().joined(separator: ", ")))")
        }
        try check(config, against: providers)
        // On a shared store, wait as a standby (the config and providers checked first, so that a
        // mistake shows at start, not at a takeover) until this daemon holds the lease.
        var leaseKeeper: LeaseKeeper?
        if let shared {
            let epoch = try await Leadership.becomeActive(shared, holder: Leadership.holder(stateDirectory: dir),
                                                          settings: config.store, logger: logger)
            leaseKeeper = LeaseKeeper(store: shared, epoch: epoch, settings: config.store, logger: logger)
        }
        AccountingFiles.makeDirectories(config.accounting)
        var started: Logger.Metadata = ["state": "\(dir)", "config": "\(options.configPath ?? "built-in defaults")",
                                        "classes": "\(config.classes.map(\.name).joined(separator: ","))"]
        // Cheap cgroup joins for every run (see CgroupHost.favorDynamicChanges).
        if config.cgroupFavordynmods != false, let local = providers["local"] as? LocalProvider, geteuid() == 0 {
            started["cgroup_favordynmods"] = "\(local.cgroups.favorDynamicChanges())"
        }
        for p in providers.values { for (k, v) in p.details { started[k] = "\(v)" } }
        logger.info("starting", metadata: started)
        // The operator's listener and what it counts, when `[metrics] listen` is set (read at start only).
        let metrics = config.metrics.address == nil ? nil : DaemonMetrics()
        let outbox = OutboxWriter(store: store, logger: logger, metrics: metrics)
        let scheduler = Scheduler(store: store, config: config, configSource: options.configPath,
                                  providers: providers, observers: observers(config, store.identity), outbox: outbox,
                                  metrics: metrics, logger: logger)
        try await scheduler.recover()

        let configPath = options.configPath
        let providerList = providers
        let levelHolder = logger
        let reload: @Sendable () async throws -> PolicyReply = {
            guard let configPath else { return await scheduler.policyReply() }
            let new = try ConfigLoader.load(path: configPath)
            try check(new, against: providerList)
            // Every copy of the logger shares its handler's level: the new one holds everywhere.
            if options.fixedLogLevel == nil { var l = levelHolder; l.logLevel = new.logLevel(default: .info) }
            await scheduler.apply(new, source: configPath)
            return await scheduler.policyReply()
        }
        let log = logger
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler {
            Task { do { _ = try await reload() } catch { log.error("config not reloaded", metadata: ["error": "\(error)"]) } }
        }
        hangup.resume()

        // Shut down in the reverse order: the API stops taking requests, then the scheduler's
        // timer, then the outbox writer. Running jobs go on in their workspaces.
        let api = APIService(path: options.socketPath ?? dir + "/api.sock", router: APIRouter(scheduler: scheduler, reload: reload),
                             limits: config.api, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: outbox, serviceName: "outbox"), .init(service: SchedulerTimer(scheduler: scheduler), serviceName: "scheduler"),
            .init(service: api, serviceName: "api")]
        // First in the list, so stopped last: the lease is given up once nothing acts any more.
        if let leaseKeeper { services.insert(.init(service: leaseKeeper, serviceName: "lease"), at: 0) }
        if let metrics, let (host, port) = config.metrics.address {
            services.append(.init(service: MetricsService(host: host, port: port, scheduler: scheduler, metrics: metrics,
                                                          providers: Array(providers.values), logger: logger), serviceName: "metrics"))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        hangup.cancel()
        // The scheduler has stopped: no workspace is made any more. With none left, what the
        // providers kept for them in common (cgroup scopes) goes too.
        if await scheduler.holdsNoWorkspaces {
            for p in providers.values { await p.daemonStoppedWithNoWorkspaces() }
        }
        logger.info("stopped; running jobs go on in their workspaces")
    }

    /// Each class is one its provider can make workspaces of (a refused class names the setting).
    static func check(_ config: BridgeConfig, against providers: [String: any WorkspaceProvider]) throws {
        for c in config.classes {
            do { try providers[c.provider]?.validate(c) } catch { throw DaemonError.setup("class \(c.name): \(error)") }
        }
    }
}
