/// One reading of a partition's committed and end offsets, stamped with the caller's clock
/// (seconds). Nothing in this target reads a clock: time always comes in from outside.
public struct OffsetSample: Sendable, Hashable {
    public var at: Double
    /// The group's committed offset; nil when the group has none for this partition.
    public var committed: Int64?
    /// The partition's high watermark; nil when it could not be read (leader down).
    public var end: Int64?

    public init(at: Double, committed: Int64?, end: Int64?) {
        self.at = at
        self.committed = committed
        self.end = end
    }

    /// end - committed (never negative: a committed offset past a truncated end counts as caught up).
    public var lag: Int64? {
        guard let committed, let end else { return nil }
        return max(0, end - committed)
    }
}

/// A topic partition, the key of every per-partition series. ClusterModel's `TopicPartition` is this
/// type (one topic-partition type from the lag rules up to the screens).
public struct PartitionKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public init(_ topic: String, _ partition: Int32) {
        self.init(topic: topic, partition: partition)
    }

    /// "orders/3", as offset-reset previews and audit lines name a partition.
    public var description: String { "\(topic)/\(partition)" }

    public static func < (a: PartitionKey, b: PartitionKey) -> Bool {
        (a.topic, a.partition) < (b.topic, b.partition)
    }
}
