/// The start-rate limiter: `rate` tokens per second, at most `burst` saved up.
public struct TokenBucket: Sendable, Equatable {
    public var rate: Double
    public var burst: Double
    public private(set) var tokens: Double
    public private(set) var updatedAt: Double

    public init(rate: Double, burst: Double, now: Double) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updatedAt = now
    }

    public mutating func refill(now: Double) {
        if now > updatedAt {
            tokens = min(burst, tokens + (now - updatedAt) * rate)
        }
        updatedAt = max(updatedAt, now)
    }

    /// Takes one token if there is one.
    public mutating func take(now: Double) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Seconds until a token is available.
    public func wait(now: Double) -> Double {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= 1 ? 0 : (1 - copy.tokens) / rate
    }

    /// Keeps the saved tokens when an admin changes the rate.
    public mutating func reconfigure(rate: Double, burst: Double, now: Double) {
        refill(now: now)
        self.rate = rate
        self.burst = burst
        tokens = min(tokens, burst)
    }
}
