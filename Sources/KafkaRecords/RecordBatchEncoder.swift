// Writes v2 record batches (any codec, headers, transactional/control flags) and legacy magic 0/1
// message sets. Used by tests, the benchmark and anything that needs to produce.

public struct RecordEncodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A record to encode.
public struct OutgoingRecord: Sendable, Hashable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeaderValue]
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    /// nil = the record's index in the batch.
    public var offsetDelta: Int32?

    public init(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeaderValue] = [], timestamp: Int64 = 0,
                offsetDelta: Int32? = nil) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.offsetDelta = offsetDelta
    }
}

public struct RecordBatchEncoder: Sendable, Hashable {
    public var compression: RecordCompression
    public var snappyFraming: SnappyFraming
    /// Codec level (gzip 1-9, zstd 1-22); nil = library default.
    public var compressionLevel: Int32?
    /// Set to stamp the batch with LogAppendTime (attribute bit 3, maxTimestamp = this value).
    public var logAppendTime: Int64?
    public var isTransactional: Bool
    public var isControl: Bool
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var partitionLeaderEpoch: Int32

    public init(compression: RecordCompression = .none, snappyFraming: SnappyFraming = .raw,
                compressionLevel: Int32? = nil, logAppendTime: Int64? = nil, isTransactional: Bool = false,
                isControl: Bool = false, producerId: Int64 = -1, producerEpoch: Int16 = -1,
                baseSequence: Int32 = -1, partitionLeaderEpoch: Int32 = -1) {
        self.compression = compression
        self.snappyFraming = snappyFraming
        self.compressionLevel = compressionLevel
        self.logAppendTime = logAppendTime
        self.isTransactional = isTransactional
        self.isControl = isControl
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.partitionLeaderEpoch = partitionLeaderEpoch
    }

    /// Encodes one batch. `lastOffsetDelta` defaults to the largest record offsetDelta
    /// (pass a larger one to model compaction gaps, or any value for an empty batch).
    public func encode(baseOffset: Int64, records: [OutgoingRecord], lastOffsetDelta: Int32? = nil) throws(RecordEncodeError) -> [UInt8] {
        var builder = RecordBatchBuilder()
        for r in records {
            try builder.append(key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta)
        }
        var flags: Int16 = 0
        if isTransactional { flags |= 0x10 }
        if isControl { flags |= 0x20 }
        return try builder.build(baseOffset: baseOffset, compression: compression, snappyFraming: snappyFraming,
                                 compressionLevel: compressionLevel, attributes: flags, logAppendTime: logAppendTime,
                                 lastOffsetDelta: lastOffsetDelta, producerId: producerId, producerEpoch: producerEpoch,
                                 baseSequence: baseSequence, partitionLeaderEpoch: partitionLeaderEpoch)
    }

    /// A transaction marker batch (control, transactional, one record, uncompressed).
    public static func controlBatch(baseOffset: Int64, type: ControlRecordType, producerId: Int64, producerEpoch: Int16,
                                    coordinatorEpoch: Int32 = 0, timestamp: Int64 = 0) -> [UInt8] {
        let raw: Int16
        switch type {
        case .abort: raw = 0
        case .commit: raw = 1
        case .other(let t): raw = t
        }
        var key = ByteSink()
        key.int16(0)
        key.int16(raw)
        var value = ByteSink()
        value.int16(0)
        value.int32(coordinatorEpoch)
        let enc = RecordBatchEncoder(isTransactional: true, isControl: true, producerId: producerId,
                                     producerEpoch: producerEpoch)
        // Cannot fail: no codec and tiny sizes.
        return (try? enc.encode(baseOffset: baseOffset,
                                records: [OutgoingRecord(key: key.bytes, value: value.bytes, timestamp: timestamp)])) ?? []
    }

    static func patch32(_ b: inout [UInt8], at i: Int, _ v: UInt32) {
        b[i] = UInt8(v >> 24); b[i + 1] = UInt8((v >> 16) & 0xFF); b[i + 2] = UInt8((v >> 8) & 0xFF); b[i + 3] = UInt8(v & 0xFF)
    }
}

/// Writes legacy (magic 0/1) message sets, as pre-0.11 brokers and producers did.
public enum LegacyMessageSetEncoder {
    public struct Message: Sendable, Hashable {
        public var offset: Int64
        public var timestamp: Int64
        public var key: [UInt8]?
        public var value: [UInt8]?
        public init(offset: Int64, timestamp: Int64 = -1, key: [UInt8]?, value: [UInt8]?) {
            self.offset = offset
            self.timestamp = timestamp
            self.key = key
            self.value = value
        }
    }

    /// Uncompressed messages are written one after another. With a codec, they are nested in one wrapper
    /// message whose offset is the last message's; in magic 1 the inner offsets are written relative (0...n-1).
    /// `legacyBrokenLZ4Checksum` writes the LZ4 header checksum the way Kafka < 0.10 did (over the magic too).
    public static func encode(magic: Int8, messages: [Message], compression: RecordCompression = .none,
                              logAppendTime: Int64? = nil, legacyBrokenLZ4Checksum: Bool = false) throws(RecordEncodeError) -> [UInt8] {
        guard magic == 0 || magic == 1 else { throw RecordEncodeError("legacy magic must be 0 or 1") }
        guard compression != .zstd else { throw RecordEncodeError("zstd needs magic 2") }
        if compression == .none {
            var out: [UInt8] = []
            for m in messages {
                out += message(magic: magic, offset: m.offset, attributes: logAppendTime != nil ? 0x08 : 0,
                               timestamp: logAppendTime ?? m.timestamp, key: m.key, value: m.value)
            }
            return out
        }
        guard let last = messages.last else { throw RecordEncodeError("a compressed wrapper needs at least one message") }
        var inner: [UInt8] = []
        for (i, m) in messages.enumerated() {
            inner += message(magic: magic, offset: magic == 1 ? Int64(i) : m.offset, attributes: 0,
                             timestamp: m.timestamp, key: m.key, value: m.value)
        }
        var compressed: [UInt8]
        do {
            compressed = try Compressor.compress(compression, inner, snappyFraming: .xerial)
        } catch {
            throw RecordEncodeError("\(compression) compression failed: \(error)")
        }
        if compression == .lz4 && legacyBrokenLZ4Checksum {
            let flg = compressed[4]
            var hc = 6
            if flg & 0x08 != 0 { hc += 8 }
            if flg & 0x01 != 0 { hc += 4 }
            let wrong = compressed.withUnsafeBufferPointer { UInt8(truncatingIfNeeded: Checksums.xxh32($0.baseAddress!, hc) >> 8) }
            compressed[hc] = wrong
        }
        var attributes = Int8(compression.rawValue)
        if logAppendTime != nil { attributes |= 0x08 }
        let wrapperTs = logAppendTime ?? (messages.map(\.timestamp).max() ?? -1)
        return message(magic: magic, offset: last.offset, attributes: attributes, timestamp: wrapperTs, key: nil, value: compressed)
    }

    static func message(magic: Int8, offset: Int64, attributes: Int8, timestamp: Int64, key: [UInt8]?, value: [UInt8]?) -> [UInt8] {
        var body = ByteSink()
        body.int8(magic)
        body.int8(attributes)
        if magic == 1 { body.int64(timestamp) }
        if let key { body.int32(Int32(key.count)); body.bytes += key } else { body.int32(-1) }
        if let value { body.int32(Int32(value.count)); body.bytes += value } else { body.int32(-1) }
        let crc = Checksums.crc32(body.bytes)
        var out = ByteSink()
        out.int64(offset)
        out.int32(Int32(body.bytes.count + 4))
        out.uint32(crc)
        out.bytes += body.bytes
        return out.bytes
    }
}
