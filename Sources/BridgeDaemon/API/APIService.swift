import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import WorkspaceBridge

/// The API socket as a service: listening until the daemon shuts down, then closed and removed.
struct APIService: Service {
    let path: String
    let router: APIRouter
    let limits: APILimits
    let logger: Logger

    func run() async throws {
        let server = try await APIServer(path: path, router: router, limits: limits, group: MultiThreadedEventLoopGroup.singleton)
        logger.info("listening", metadata: ["socket": "\(path)"])
        try? await gracefulShutdown()
        await server.close()
        unlink(path)
    }
}
