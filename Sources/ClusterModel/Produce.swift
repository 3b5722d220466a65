/// One record the terminal UI's produce composer sends (the CLI reads its records from files).
public struct ProduceDraft: Sendable, Hashable {
    public var topic: String
    /// nil = the partitioner decides (murmur2 of the key, as Java producers do; sticky for a null key).
    public var partition: Int32?
    /// nil = a null key.
    public var key: [UInt8]?
    /// nil = a tombstone.
    public var value: [UInt8]?
    public var headers: [RecordHeader]
    public var compression: ProduceCompression
    /// The record's CreateTime in milliseconds since the epoch; nil = now (the producer's clock).
    /// A re-send may keep the original record's time.
    public var timestamp: Int64?

    public init(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [],
                compression: ProduceCompression = .none, timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.compression = compression
        self.timestamp = timestamp
    }

    /// Bytes of key, value and headers (what the preview counts).
    public var payloadBytes: Int {
        (key?.count ?? 0) + (value?.count ?? 0) + headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) }
    }
}

/// The record batch codecs, as the CLI's --compression names them.
public enum ProduceCompression: String, Sendable, Hashable, CaseIterable {
    case none, gzip, snappy, lz4, zstd
}

/// Where the broker put a record.
public struct ProducedRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// nil with acks=0 (the broker does not answer).
    public var offset: Int64?
    /// The broker's append time, when the topic stamps records with it (LogAppendTime): then any
    /// timestamp the record carried was replaced.
    public var logAppendTime: Int64?

    public init(topic: String, partition: Int32, offset: Int64?, logAppendTime: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.logAppendTime = logAppendTime
    }

    /// Said beside the result when a timestamp was sent (a re-send keeping the original's) and the
    /// broker stamped its own time instead; nil otherwise.
    public func replacedTimestampNote(sent: Int64?) -> String? {
        guard sent != nil, logAppendTime != nil else { return nil }
        return "the topic uses LogAppendTime: the broker's append time replaced the timestamp sent"
    }
}

/// Sends single records for the terminal UI (a write: only the write flow calls it, after a confirmation).
public protocol ProduceService: Sendable {
    func produce(_ draft: ProduceDraft) async throws -> ProducedRecord
}
