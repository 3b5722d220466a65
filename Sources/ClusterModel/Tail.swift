public enum TimestampType: String, Sendable, Hashable, Codable {
    case createTime = "create_time"
    case logAppendTime = "log_append_time"
    case none
}

public struct RecordHeader: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]?
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

public struct TailRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    public var timestampType: TimestampType
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]
    /// Bytes of key, value and headers, for throughput counters.
    public var size: Int
    /// Set when a schema decoded (or failed to decode) the key / value (Schemas.swift).
    public var decodedKey: SchemaDecoded?
    public var decodedValue: SchemaDecoded?

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64, timestampType: TimestampType,
                key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [], size: Int? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.timestampType = timestampType
        self.key = key
        self.value = value
        self.headers = headers
        self.size = size ?? ((key?.count ?? 0) + (value?.count ?? 0)
            + headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) })
    }
}

public enum TailStart: Sendable, Hashable {
    case end
    case beginning
    case offset(Int64)
    /// The last N records of each partition.
    case last(Int64)
    /// Milliseconds since the epoch; the first offset with a timestamp at or after it.
    case timestamp(Int64)
}

/// Where a bounded tail (`--until`) stops in each partition. Every bound is resolved to an offset
/// when the tail starts, so the window is fixed: records appended later never extend it.
public enum TailUntil: Sendable, Hashable {
    /// The end offset seen when the tail started.
    case end
    /// Records before this offset (exclusive); a partition ending earlier stops at its end.
    case offset(Int64)
    /// Records before the first one with a timestamp at or after this time (milliseconds since the epoch).
    case timestamp(Int64)
}

public struct TailOptions: Sendable, Hashable {
    public var topic: String
    public var start: TailStart
    /// nil = every partition (and partitions added while tailing).
    public var partitions: [Int32]?
    public var readCommitted: Bool
    /// A bounded tail: the stream ends (after `.caughtUp`) once every partition reached its bound.
    /// Partitions added while it runs are not read.
    public var until: TailUntil?

    public init(topic: String, start: TailStart = .end, partitions: [Int32]? = nil, readCommitted: Bool = false,
                until: TailUntil? = nil) {
        self.topic = topic
        self.start = start
        self.partitions = partitions
        self.readCommitted = readCommitted
        self.until = until
    }
}

public enum TailEvent: Sendable, Hashable {
    case records([TailRecord])
    /// Something the user should see but that does not stop the tail
    /// (offset reset after retention, leader moved, partitions added).
    case notice(String)
    /// Every selected partition has reached the end offset seen when the tail started (with `until`:
    /// its bound; the stream then ends).
    case caughtUp
    /// Fetching works again after errors: the problems reported by earlier notices are over, so a
    /// status line can drop them. The text says what recovered.
    case recovered(String)
}
