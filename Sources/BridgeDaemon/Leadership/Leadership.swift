import BridgeStore
import Foundation
import Logging
import ServiceLifecycle
import WorkspaceBridge

/// Hot standby on a shared PostgreSQL store: of the daemons started on it, the one holding the
/// store's lease is active (it recovers, schedules and serves the API); the others wait, trying
/// every second, and take over once the lease has expired. The active one renews the lease and
/// stops (exit status 75) as soon as it cannot be sure it still holds it; the store refuses its
/// writes anyway once another daemon holds it (`PostgresStore.fence`).
enum Leadership {
    /// Exit status of a daemon that lost the lease: a supervisor starts it again, as a standby.
    static let lostLeaseStatus: Int32 = 75

    /// Who this daemon is among those sharing the store: its host and state directory.
    static func holder(stateDirectory: String) -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + ":" + stateDirectory
    }

    /// Waits as a standby until this daemon holds the lease; its epoch. Every later write of the
    /// store is fenced by it, and a refused one stops the daemon.
    static func becomeActive(_ store: PostgresStore, holder: String, settings: StoreSettings, logger: Logger) async throws -> Int64 {
        var announced = false
        while true {
            let epoch: Int64?
            do {
                epoch = try store.acquireLease(holder: holder, seconds: settings.leaseSeconds) { why in
                    stop("a write was refused: \(why)", logger)
                }
            } catch {
                logger.warning("standby: the store cannot be reached", metadata: ["error": "\(error)"])
                epoch = nil
            }
            if let epoch {
                logger.info("active: holding the store's lease", metadata: ["epoch": "\(epoch)", "holder": "\(holder)"])
                return epoch
            }
            if !announced, let lease = try? store.lease() {
                logger.info("standby: another daemon is active", metadata: [
                    "active": "\(lease.holder)", "epoch": "\(lease.epoch)",
                    "expires_in_seconds": "\(String(format: "%.1f", lease.remainingSeconds))"])
                announced = true
            }
            try await Task.sleep(nanoseconds: 1_000_000_000)
        }
    }

    /// Stops the process at once: nothing more may be done by a daemon that may have lost the lease.
    static func stop(_ why: String, _ logger: Logger) -> Never {
        logger.critical("stopping: this daemon no longer holds the store's lease", metadata: ["reason": "\(why)"])
        exit(lostLeaseStatus)
    }
}

/// Renews the active daemon's lease; stops the daemon when the lease passed on, or when it could
/// not be renewed for as long as it lasts (the database is unreachable: a standby that reaches it
/// may hold it by now). At a graceful stop, gives it up so that a standby takes over at once.
struct LeaseKeeper: Service {
    let store: PostgresStore
    let epoch: Int64
    let settings: StoreSettings
    let logger: Logger

    func run() async throws {
        let clock = ContinuousClock()
        var renewed = clock.now
        while !Task.isShuttingDownGracefully {
            try? await Task.sleep(nanoseconds: UInt64(settings.leaseRenewalSeconds * 1e9))
            if Task.isShuttingDownGracefully { break }
            do {
                guard try store.renewLease(epoch: epoch, seconds: settings.leaseSeconds) else {
                    Leadership.stop("the lease of epoch \(epoch) is held by another daemon", logger)
                }
                renewed = clock.now
            } catch {
                let since = clock.now - renewed
                logger.warning("the store's lease could not be renewed", metadata: ["error": "\(error)", "since_seconds": "\(since)"])
                // Stop before the lease can have expired: a margin of one renewal for the clocks.
                if since > .seconds(settings.leaseSeconds - settings.leaseRenewalSeconds) {
                    Leadership.stop("the store was unreachable for \(since)", logger)
                }
            }
        }
        try? store.releaseLease(epoch: epoch)
        logger.info("the store's lease given up", metadata: ["epoch": "\(epoch)"])
    }
}
