import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import WorkspaceBridge

/// The API as a service: the Unix socket, and the network API when `[api] listen` is set,
/// listening until the daemon shuts down, then closed (the socket file removed). Both share one
/// gate: the same connection and request bounds hold for local and remote callers together.
struct APIService: Service {
    let path: String
    let router: APIRouter
    let limits: APILimits
    let logger: Logger

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let gate = APIConnectionGate(limits: limits, descriptorLimit: DescriptorLimit.raise())
        let local = try await APIServer(path: path, router: router, gate: gate, group: group)
        logger.info("listening", metadata: ["socket": "\(path)"])
        var network: APIServer?
        if let (host, port) = limits.address {
            do {
                network = try await APIServer(host: host, port: port, mungeSocket: limits.mungeSocket, router: router, gate: gate, group: group)
                logger.info("listening", metadata: ["address": "\(host):\(port)", "authentication": "munge"])
            } catch {
                await local.close()
                unlink(path)
                throw error
            }
        }
        try? await gracefulShutdown()
        await network?.close()
        await local.close()
        unlink(path)
    }
}
