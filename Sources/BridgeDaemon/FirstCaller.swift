import Synchronization

/// True for the first caller only: for races between a piece of work and its deadline.
final class FirstCaller: Sendable {
    private let taken = Mutex(false)

    func first() -> Bool { taken.withLock { t in defer { t = true }; return !t } }
}
