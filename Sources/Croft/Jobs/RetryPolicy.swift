/// How long to wait before retrying a failed attempt: exponential backoff with jitter.
///
/// The delay after attempt *n* is `min(maximum, base × 2^(n-1))`, then multiplied by a random factor in
/// `0.5...1.0` ("equal jitter") so jobs that failed together do not retry together.
/// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
public struct RetryPolicy: Sendable, Equatable {
    /// The delay after the first failure, before jitter.
    public var base: Double
    /// The longest delay, before jitter.
    public var maximum: Double

    /// Creates a policy; the default retries after ~2 s, 4 s, 8 s, ... up to an hour.
    public init(base: Double = 2, maximum: Double = 3600) {
        self.base = base
        self.maximum = maximum
    }

    /// The delay in seconds after failed attempt `attempt` (1-based), with `jitter` in `0...1`.
    public func delay(afterAttempt attempt: Int, jitter: Double = Double.random(in: 0...1)) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 40)))
        let capped = min(maximum, base * pow2(exponent))
        return capped * (0.5 + 0.5 * jitter)
    }

    private func pow2(_ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) { result *= 2 }
        return result
    }
}
