import KafkaClient

/// Tuning for `KafkaTailService`; the defaults follow the Java consumer where it matters.
public struct TailSettings: Sendable, Hashable {
    /// Fetch long-poll wait (Fetch MaxWaitMs). Kafka answers as soon as data arrives, but some brokers
    /// (the librdkafka mock) hold the answer for the whole wait: 250 ms keeps new records within half a second.
    public var maxWait: Duration = .milliseconds(250)
    /// Per-partition bytes per fetch (grown automatically for a batch larger than this).
    public var partitionMaxBytes: Int32 = 1 << 20
    /// Bytes per fetch response. Smaller than the Java default (50 MiB): a tail shows records to a
    /// person, and the event buffer below holds a few responses.
    public var maxBytes: Int32 = 8 << 20
    /// How often metadata is re-read to follow leader moves and added partitions.
    public var metadataRecheck: Duration = .seconds(10)
    /// Events buffered for a slow reader before fetching pauses.
    public var bufferedEvents: Int = 16
    public var decompressedBatchCap: Int = 64 << 20
    /// CRC checks on fetched batches (librdkafka's mock cluster writes transaction markers with CRC 0).
    public var verifyChecksums = true
    /// Waits after retriable fetch errors (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, ...): short and capped,
    /// so a leader election costs the reader well under a second.
    public var retry: RetryPolicy = .streaming

    public init() {}
}

/// Where the tail waits between retries. Injected by tests, which record each backoff decision
/// instead of timing the tail.
public protocol TailBackoffClock: Sendable {
    /// Waits `duration` (a retry backoff); returns early when the task is cancelled.
    func backoff(_ duration: Duration) async
}

/// The real clock: `Task.sleep`.
public struct SystemTailBackoffClock: TailBackoffClock {
    public init() {}
    public func backoff(_ duration: Duration) async { try? await Task.sleep(for: duration) }
}
