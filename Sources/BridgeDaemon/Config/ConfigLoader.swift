import Foundation
import Logging
import WorkspaceBridge

/// Reads the admin's TOML config into a `BridgeConfig`. Unknown keys are errors, not silently
/// ignored: a misspelt `max_runing` must not leave a site without its limit.
public enum ConfigLoader {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    public static func load(path: String) throws(Failure) -> BridgeConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Failure(path: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String = "<config>") throws(Failure) -> BridgeConfig {
        let root: TOMLTable
        do { root = try TOMLParser.parse(text) } catch { throw Failure(path: path, message: error.description) }
        var config = BridgeConfig()
        do {
            try Reader(root, "", path).read(config: &config)
            try config.validate()
            if geteuid() == 0, let runAs = Identity.lookup(name: config.rootJobsRunAs), runAs.uid == 0 {
                throw ConfigError(key: "daemon.root_jobs_run_as",
                                  message: "\"\(config.rootJobsRunAs)\" is uid 0: a job never runs as root; name an unprivileged user")
            }
        } catch let e as Failure {
            throw e
        } catch let e as ConfigError {
            throw Failure(path: path, message: e.description)
        } catch {
            throw Failure(path: path, message: "\(error)")
        }
        return config
    }

    /// Typed access to one table, with the key's line in every message.
    struct Reader {
        let table: TOMLTable
        let prefix: String
        let path: String

        init(_ table: TOMLTable, _ prefix: String, _ path: String) {
            self.table = table
            self.prefix = prefix
            self.path = path
        }

        func fail(_ key: String, _ message: String) -> Failure {
            Failure(path: path, message: "line \(table.lines[key] ?? 0): \(prefix)\(key): \(message)")
        }

        func only(_ allowed: Set<String>) throws(Failure) {
            for key in table.order where !allowed.contains(key) {
                throw fail(key, "unknown setting (known here: \(allowed.sorted().joined(separator: ", ")))")
            }
        }

        func int(_ key: String) throws(Failure) -> Int? {
            switch table[key] {
            case nil: return nil
            case .integer(let v): return Int(v)
            case let other?: throw fail(key, "expected an integer, found a \(other.typeName)")
            }
        }

        func double(_ key: String) throws(Failure) -> Double? {
            switch table[key] {
            case nil: return nil
            case .integer(let v): return Double(v)
            case .float(let v): return v
            case let other?: throw fail(key, "expected a number, found a \(other.typeName)")
            }
        }

        func string(_ key: String) throws(Failure) -> String? {
            switch table[key] {
            case nil: return nil
            case .string(let v): return v
            case let other?: throw fail(key, "expected a string, found a \(other.typeName)")
            }
        }

        /// `network`: a mode's name, or a boolean as before there were three.
        func network() throws(Failure) -> WorkspaceNetwork? {
            switch table["network"] {
            case nil: return nil
            case .boolean(let v): return v ? .host : WorkspaceNetwork.none
            case .string(let name):
                guard let mode = WorkspaceNetwork(rawValue: name) else {
                    throw fail("network", "expected one of \(WorkspaceNetwork.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) (or true, false), not \"\(name)\"")
                }
                return mode
            case let other?: throw fail("network", "expected \"none\", \"host\" or \"shaped\", found a \(other.typeName)")
            }
        }

        func bool(_ key: String) throws(Failure) -> Bool? {
            switch table[key] {
            case nil: return nil
            case .boolean(let v): return v
            case let other?: throw fail(key, "expected true or false, found a \(other.typeName)")
            }
        }

        func sub(_ key: String) throws(Failure) -> Reader? {
            switch table[key] {
            case nil: return nil
            case .table(let t): return Reader(t, prefix + key + ".", path)
            case let other?: throw fail(key, "expected a table, found a \(other.typeName)")
            }
        }

        /// An array of strings; absent is empty.
        func list(_ key: String) throws(Failure) -> [String] {
            switch table[key] {
            case nil: return []
            case .array(let items)?:
                return try items.map { (item) throws(Failure) in
                    guard case .string(let s) = item else { throw fail(key, "expected strings, found a \(item.typeName)") }
                    return s
                }
            case let other?: throw fail(key, "expected an array of strings, found a \(other.typeName)")
            }
        }

        /// A table of plain values, as strings (settings, attributes).
        func strings(_ key: String) throws(Failure) -> [String: String] {
            guard let r = try sub(key) else { return [:] }
            var out: [String: String] = [:]
            for k in r.table.order {
                switch r.table[k]! {
                case .string(let v): out[k] = v
                case .integer(let v): out[k] = String(v)
                case .float(let v): out[k] = String(v)
                case .boolean(let v): out[k] = String(v)
                case let other: throw r.fail(k, "expected a string or number, found a \(other.typeName)")
                }
            }
            return out
        }

        func read(config: inout BridgeConfig) throws(Failure) {
            try only(["throttle", "retry", "class", "daemon", "gram", "api", "store", "log", "metrics", "accounting"])
            if let m = try sub("metrics") {
                try m.only(["listen", "groups", "refresh_seconds"])
                config.metrics.listen = try m.string("listen")
                config.metrics.groups = try m.list("groups")
                config.metrics.refreshSeconds = try m.int("refresh_seconds") ?? config.metrics.refreshSeconds
            }
            if let l = try sub("log") {
                try l.only(["level"])
                if let level = try l.string("level") {
                    guard Logger.Level(rawValue: level) != nil else {
                        throw l.fail("level", "\"\(level)\" is no level (one of: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    config.logLevel = level
                }
            }
            if let a = try sub("accounting") {
                try a.only(["site", "apel_directory", "submit_host", "machine_name", "benchmark_type", "benchmark",
                            "blah_log_prefix", "file_mode"])
                config.accounting.site = try a.string("site")
                config.accounting.apelDirectory = try a.string("apel_directory")
                config.accounting.submitHost = try a.string("submit_host")
                config.accounting.machineName = try a.string("machine_name")
                config.accounting.benchmarkType = try a.string("benchmark_type")
                config.accounting.benchmark = try a.double("benchmark")
                config.accounting.blahLogPrefix = try a.string("blah_log_prefix")
                if let mode = try a.string("file_mode") {
                    guard let m = Int(mode, radix: 8) else { throw a.fail("file_mode", "expected an octal mode such as \"0640\"") }
                    config.accounting.fileMode = m
                }
            }
            if let st = try sub("store") {
                try st.only(["keep_finished_days", "url", "failover_seconds"])
                config.store.failoverSeconds = try st.double("failover_seconds") ?? config.store.failoverSeconds
                config.store.keepFinishedDays = try st.double("keep_finished_days") ?? config.store.keepFinishedDays
                config.store.url = try st.string("url")
            }
            if let a = try sub("api") {
                try a.only(["max_connections", "max_connections_per_user", "idle_timeout_seconds", "max_request_bytes",
                            "max_count", "requests_per_second_per_user", "listen", "munge_socket"])
                config.api.listen = try a.string("listen")
                config.api.mungeSocket = try a.string("munge_socket")
                config.api.maxConnections = try a.int("max_connections") ?? config.api.maxConnections
                config.api.maxConnectionsPerUser = try a.int("max_connections_per_user") ?? config.api.maxConnectionsPerUser
                config.api.idleTimeoutSeconds = try a.double("idle_timeout_seconds") ?? config.api.idleTimeoutSeconds
                config.api.maxRequestBytes = try a.int("max_request_bytes") ?? config.api.maxRequestBytes
                config.api.maxCount = try a.int("max_count") ?? config.api.maxCount
                config.api.requestsPerSecondPerUser = try a.double("requests_per_second_per_user")
                    ?? config.api.requestsPerSecondPerUser
            }
            if let t = try sub("throttle") {
                try t.only(["max_running", "max_running_per_owner", "max_queued_per_owner", "start_rate", "start_burst", "max_creating"])
                config.throttle.maxRunning = try t.int("max_running") ?? config.throttle.maxRunning
                config.throttle.maxRunningPerOwner = try t.int("max_running_per_owner") ?? config.throttle.maxRunningPerOwner
                config.throttle.maxQueuedPerOwner = try t.int("max_queued_per_owner") ?? config.throttle.maxQueuedPerOwner
                config.throttle.startRate = try t.double("start_rate") ?? config.throttle.startRate
                config.throttle.startBurst = try t.int("start_burst")
                config.throttle.maxCreating = try t.int("max_creating") ?? config.throttle.maxCreating
            }
            if let r = try sub("retry") {
                try r.only(["max_retries", "backoff_seconds", "max_backoff_seconds", "gram", "condor"])
                config.retry.maxRetries = try r.int("max_retries") ?? config.retry.maxRetries
                // Per front door: [retry.gram] and [retry.condor] hold only max_retries.
                for door in ["gram", "condor"] {
                    guard let d = try r.sub(door) else { continue }
                    try d.only(["max_retries"])
                    if door == "gram" { config.retry.gramMaxRetries = try d.int("max_retries") }
                    else { config.retry.condorMaxRetries = try d.int("max_retries") }
                }
                config.retry.backoffSeconds = try r.double("backoff_seconds") ?? config.retry.backoffSeconds
                config.retry.maxBackoffSeconds = try r.double("max_backoff_seconds") ?? config.retry.maxBackoffSeconds
            }
            if let d = try sub("daemon") {
                try d.only(["admin_group", "root_jobs_run_as", "cgroup_favordynmods"])
                config.adminGroup = try d.string("admin_group")
                config.cgroupFavordynmods = try d.bool("cgroup_favordynmods")
                config.rootJobsRunAs = try d.string("root_jobs_run_as") ?? config.rootJobsRunAs
            }
            if let g = try sub("gram") {
                try g.only(["seg_directory"])
                config.segDirectory = try g.string("seg_directory")
            }
            switch table["class"] {
            case nil: break
            case .array(let items):
                config.classes = []
                for (n, item) in items.enumerated() {
                    guard case .table(let t) = item else { throw fail("class", "expected [[class]] tables") }
                    config.classes.append(try Reader(t, "class[\(n)].", path).workspaceClass())
                }
            case let other?: throw fail("class", "expected [[class]] tables, found a \(other.typeName)")
            }
        }

        func workspaceClass() throws(Failure) -> WorkspaceClass {
            try only(["name", "provider", "slots", "max_workspaces", "memory_mb", "cpus", "cpu_weight", "cpu_cap_percent",
                      "max_processes", "disk_mb", "idle_timeout_seconds", "lease_seconds", "warm_workspaces", "warm_mode", "network", "settings",
                      "attributes", "binds", "max_stage_in_mb", "max_stage_out_mb", "max_surge", "max_unavailable"])
            guard let name = try string("name") else {
                throw Failure(path: path, message: "\(prefix.dropLast()): every [[class]] needs a name")
            }
            var c = WorkspaceClass(name: name)
            c.provider = try string("provider") ?? c.provider
            c.slots = try int("slots") ?? c.slots
            c.maxWorkspaces = try int("max_workspaces") ?? c.maxWorkspaces
            c.memoryMB = try int("memory_mb") ?? c.memoryMB
            c.cpus = try int("cpus") ?? c.cpus
            c.cpuWeight = try int("cpu_weight") ?? c.cpuWeight
            c.cpuCapPercent = try int("cpu_cap_percent")
            c.maxProcesses = try int("max_processes") ?? c.maxProcesses
            c.diskMB = try int("disk_mb")
            c.idleTimeoutSeconds = try int("idle_timeout_seconds") ?? c.idleTimeoutSeconds
            c.leaseSeconds = try int("lease_seconds") ?? c.leaseSeconds
            c.warmWorkspaces = try int("warm_workspaces") ?? c.warmWorkspaces
            if let mode = try string("warm_mode") {
                guard let m = WarmMode(rawValue: mode) else {
                    throw fail("warm_mode", "expected one of \(WarmMode.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(mode)\"")
                }
                c.warmMode = m
            }
            c.network = try network() ?? c.network
            c.maxStageInMB = try int("max_stage_in_mb") ?? c.maxStageInMB
            c.maxStageOutMB = try int("max_stage_out_mb") ?? c.maxStageOutMB
            c.maxSurge = try int("max_surge") ?? c.maxSurge
            c.maxUnavailable = try int("max_unavailable") ?? c.maxUnavailable
            c.binds = try list("binds").map { (text) throws(Failure) in
                do throws(ConfigError) { return try SharedDirectory(parsing: text) } catch { throw fail("binds", error.message) }
            }
            c.settings = try strings("settings")
            c.attributes = try strings("attributes")
            return c
        }
    }
}
