import Logging
import WorkspaceBridge

extension BridgeConfig {
    /// `[log] level` as swift-log's level (the loader has checked the name).
    func logLevel(default fallback: Logger.Level) -> Logger.Level {
        logLevel.flatMap(Logger.Level.init(rawValue:)) ?? fallback
    }
}
