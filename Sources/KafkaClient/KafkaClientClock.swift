/// The time a client's metadata cache and reconnect backoff run on: the system's monotonic clock, or a
/// clock a test moves by hand so that expiry and backoff are asserted without waiting.
public struct KafkaClientClock: Sendable {
    public let nowNanos: @Sendable () -> UInt64

    public init(nowNanos: @escaping @Sendable () -> UInt64) { self.nowNanos = nowNanos }

    public static let system = KafkaClientClock { DispatchlessClock.nowNanos() }
}
