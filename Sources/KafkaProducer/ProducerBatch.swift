// The values the producer's state machine and its I/O pass between them: batches, plans, outcomes.
import KafkaRecords

/// A topic and one of its partitions.
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public var description: String { "\(topic)/\(partition)" }
}

/// A record waiting for its topic's metadata (before a partition can be chosen), whole.
struct PendingRecord: Sendable {
    var id: UInt64
    var record: OutgoingRecord
    var size: Int
    var enqueuedAtNanos: UInt64
}

/// What the producer keeps of a record once it is encoded into its partition's batch: enough to
/// report it, no references (the bytes live in the batch's one buffer).
struct RecordMeta: Sendable, Hashable {
    var id: UInt64
    /// Estimated size, as counted in the producer's buffer.
    var size: Int32
    var keyBytes: Int32
    var valueBytes: Int32

    init(id: UInt64, size: Int, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?) {
        self.id = id
        self.size = Int32(clamping: size)
        self.keyBytes = Int32(clamping: key?.count ?? 0)
        self.valueBytes = Int32(clamping: value?.count ?? 0)
    }
}

/// Records of one partition sent together as one record batch, already encoded.
struct ProducerBatch: Sendable {
    var partition: TopicPartition
    var builder: RecordBatchBuilder
    var records: [RecordMeta] = []
    /// When its first record was handed over (linger and delivery timeout count from it).
    var oldestNanos: UInt64
    /// The sequence of the first record, assigned when first sent under idempotence; kept for retries
    /// so the broker recognises a batch it already wrote. nil = not assigned (or reassigned after a reset).
    var baseSequence: Int32?
    var producerId: Int64 = -1
    var producerEpoch: Int16 = -1
    var attempts = 0
    var lastError: ProduceFailure?
    /// The uncompressed v2 batch as sent this attempt (stamped with its producer id and sequence).
    var wire: [UInt8]?

    init(partition: TopicPartition, oldestNanos: UInt64, capacity: Int = 0) {
        self.partition = partition
        self.oldestNanos = oldestNanos
        self.builder = RecordBatchBuilder(capacity: capacity)
    }

    /// A batch of these records, re-encoded (splitting a batch the broker found too large).
    init(partition: TopicPartition, oldestNanos: UInt64, records: ArraySlice<RecordMeta>, encoded: ArraySlice<OutgoingRecord>) {
        self.init(partition: partition, oldestNanos: oldestNanos)
        self.records = Array(records)
        for r in encoded {
            // Cannot fail: these records were encoded once already.
            try? builder.append(key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp)
        }
    }

}

/// One Produce request to one broker, as the state machine planned it.
struct ProduceRequestPlan: Sendable {
    var id: UInt64
    var broker: Int32
    var batches: [ProducerBatch]
}

/// What the broker said about one partition of a Produce request.
enum PartitionOutcome: Sendable {
    case written(baseOffset: Int64?, logAppendTime: Int64?)
    case error(code: Int16, name: String, isRetriable: Bool, message: String?)
    /// The request as a whole failed (connection, timeout, encoding).
    case transport(ProduceFailure, retriable: Bool)
}

/// Partition counts and leaders of one topic, from metadata.
struct ProducerTopicInfo: Sendable {
    /// Leader per partition index (-1 = none right now).
    var leaders: [Int32]
}
