import KafkaProtocol

/// The one retry policy for broker error codes: whether to retry comes from the error table's
/// `isRetriable`, what to re-read first from its `refresh`, and the wait from a short exponential
/// backoff with a cap (Kafka's retry.backoff.ms = 100 and retry.backoff.max.ms = 1000). Pure, so
/// callers and tests can ask it for decisions without waiting.
public struct RetryPolicy: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        /// Not transient, or out of attempts: report the error.
        case fail
        /// Wait `after`, re-read what `refresh` names, then send again.
        case retry(after: Duration, refresh: KafkaErrorCode.Refresh)
    }

    /// First wait; each further failure in a row doubles it, up to `cap`.
    public var base: Duration
    public var cap: Duration
    /// Failures in a row after which a retriable error is reported; nil: retry for as long as the caller runs.
    public var maxFailures: Int?

    public init(base: Duration = .milliseconds(100), cap: Duration = .seconds(1), maxFailures: Int? = nil) {
        self.base = base
        self.cap = cap
        self.maxFailures = maxFailures
    }

    /// Reads that give up after a few tries (listing offsets, finding coordinators).
    public static let reads = RetryPolicy(base: .milliseconds(100), cap: .seconds(1), maxFailures: 4)
    /// Long-running reads (a tail's fetches) that keep retrying while the user watches.
    public static let streaming = RetryPolicy(base: .milliseconds(50), cap: .milliseconds(500), maxFailures: nil)

    /// The wait after `failures` failures in a row (1 = the first failure).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let raw = base * (1 << min(failures - 1, 20))
        return raw > cap ? cap : raw
    }

    /// What to do about `error` after `failures` failures in a row (counting this one).
    public func decide(_ error: KafkaErrorCode, failures: Int) -> Decision {
        guard error.isRetriable else { return .fail }
        if let maxFailures, failures > maxFailures { return .fail }
        return .retry(after: delay(afterFailures: failures), refresh: error.refresh)
    }

    public func decide(code: Int16, failures: Int) -> Decision {
        decide(KafkaErrorCode.lookup(code), failures: failures)
    }
}
