import KafkaRecords

/// One record to send. `partition` nil = the partitioner decides (murmur2 of the key; sticky for
/// null keys). `timestamp` nil = the time it was handed to the producer (CreateTime).
public struct ProducerRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32?
    public var key: [UInt8]?
    /// nil = a tombstone.
    public var value: [UInt8]?
    public var headers: [RecordHeaderValue]
    /// Milliseconds since the epoch.
    public var timestamp: Int64?

    public init(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
                headers: [RecordHeaderValue] = [], timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// Bytes the record adds to a batch, near enough for batch and buffer limits.
    var estimatedSize: Int {
        Self.estimatedSize(keyBytes: key?.count ?? 0, valueBytes: value?.count ?? 0, headersSize: Self.estimatedSize(of: headers))
    }

    static func estimatedSize(keyBytes: Int, valueBytes: Int, headersSize: Int) -> Int { 21 + keyBytes + valueBytes + headersSize }

    static func estimatedSize(of headers: [RecordHeaderValue]) -> Int {
        headers.reduce(0) { $0 + 10 + $1.key.utf8.count + ($1.value?.count ?? 0) }
    }
}

/// Records for one topic whose keys and values are ranges of one buffer (the lines of a file), handed
/// over without an allocation per record. Each is stamped with the time it is handed over.
public struct ProducerRecordChunk: Sendable {
    public var topic: String
    /// nil = the partitioner decides, per record.
    public var partition: Int32?
    /// Headers every record carries.
    public var headers: [RecordHeaderValue]
    public var bytes: [UInt8]
    /// Each record's value: a range of `bytes`.
    public var values: [Range<Int>]
    /// Each record's key range (nil = a null key), or nil when every record's key is `fixedKey`.
    public var keys: [Range<Int>?]?
    public var fixedKey: [UInt8]?

    public init(topic: String, partition: Int32? = nil, headers: [RecordHeaderValue] = [], bytes: [UInt8],
                values: [Range<Int>], keys: [Range<Int>?]? = nil, fixedKey: [UInt8]? = nil) {
        precondition(keys == nil || keys!.count == values.count, "one key range per value")
        self.topic = topic
        self.partition = partition
        self.headers = headers
        self.bytes = bytes
        self.values = values
        self.keys = keys
        self.fixedKey = fixedKey
        headersSize = ProducerRecord.estimatedSize(of: headers)
    }

    public var count: Int { values.count }

    /// The estimated size of the headers (as `ProducerRecord.estimatedSize` counts them).
    let headersSize: Int

    func key(at i: Int) -> ArraySlice<UInt8>? {
        guard let keys else { return fixedKey?[...] }
        return keys[i].map { bytes[$0] }
    }

    func value(at i: Int) -> ArraySlice<UInt8> { bytes[values[i]] }

    /// Record `i` as a standalone record (tests, and anything that needs one).
    public func record(at i: Int) -> ProducerRecord {
        ProducerRecord(topic: topic, partition: partition, key: key(at: i).map(Array.init), value: Array(value(at: i)),
                       headers: headers)
    }
}

/// How many replicas must have a record before the broker answers.
public enum ProducerAcks: Int16, Sendable, Hashable, CustomStringConvertible {
    /// The full in-sync replica set (Kafka's default since 3.0).
    case all = -1
    /// The leader only.
    case leader = 1
    /// No answer at all: offsets are unknown and errors after the socket write are not seen.
    case none = 0

    public var description: String {
        switch self {
        case .all: "all"
        case .leader: "1"
        case .none: "0"
        }
    }
}

public struct ProducerConfig: Sendable, Hashable {
    public var acks: ProducerAcks
    public var compression: RecordCompression
    /// Wait this long for more records before sending a batch that is not full.
    public var linger: Duration
    /// A partition's batch is sent once it holds this many bytes (one larger record is sent alone).
    public var batchBytes: Int
    /// `send` waits while this many bytes are buffered and unacknowledged.
    public var bufferBytes: Int
    /// Use InitProducerId and sequence numbers (acks=all only) so retries never duplicate.
    public var idempotence: Bool
    /// Give up on a record this long after it was handed over (Java's delivery.timeout.ms).
    public var deliveryTimeout: Duration
    /// Broker-side wait for the replicas (Produce TimeoutMs).
    public var ackTimeout: Duration
    public var retryBackoff: Duration

    public init(acks: ProducerAcks = .all, compression: RecordCompression = .none, linger: Duration = .milliseconds(5),
                batchBytes: Int = 1_000_000, bufferBytes: Int = 64 << 20, idempotence: Bool = true,
                deliveryTimeout: Duration = .seconds(120), ackTimeout: Duration = .seconds(30),
                retryBackoff: Duration = .milliseconds(100)) {
        self.acks = acks
        self.compression = compression
        self.linger = linger
        self.batchBytes = batchBytes
        self.bufferBytes = bufferBytes
        self.idempotence = idempotence
        self.deliveryTimeout = deliveryTimeout
        self.ackTimeout = ackTimeout
        self.retryBackoff = retryBackoff
    }
}

/// Why a record was not written.
public struct ProduceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Kafka error name when the broker refused (e.g. MESSAGE_TOO_LARGE); nil for client-side reasons.
    public var errorName: String?
    public var message: String

    public init(errorName: String? = nil, message: String) {
        self.errorName = errorName
        self.message = message
    }

    public var description: String { errorName.map { "\($0): \(message)" } ?? message }
}

/// What happened to one record. `id` is the caller's number for it.
public struct DeliveryReport: Sendable, Hashable {
    public var id: UInt64
    public var topic: String
    /// nil when the record failed before a partition was chosen.
    public var partition: Int32?
    public var result: Result<Delivered, ProduceFailure>
    public var valueBytes: Int
    public var keyBytes: Int

    public struct Delivered: Sendable, Hashable {
        /// nil with acks=0, or for a retry the broker recognised as a duplicate of an earlier write.
        public var offset: Int64?
        /// The log-append time when the topic uses it, else nil.
        public var logAppendTime: Int64?
    }
}
