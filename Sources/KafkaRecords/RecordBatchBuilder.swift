// Builds one v2 record batch a record at a time: each record is encoded into one contiguous body
// as it arrives, so a producer keeps no per-record objects between a record's arrival and its send.

/// The records of one batch, encoded (uncompressed) as they are appended; `build` adds the header.
public struct RecordBatchBuilder: Sendable, Hashable {
    /// Room for the batch header, then the encoded records, each with its length prefix. The header
    /// is written in place by `finish`, so an uncompressed batch goes out without a copy.
    private var storage = [UInt8](repeating: 0, count: RecordBatchBuilder.headerSize)
    public private(set) var recordCount = 0
    /// The first record's timestamp: every record stores its timestamp relative to it.
    public private(set) var baseTimestamp: Int64 = 0
    public private(set) var maxTimestamp: Int64 = 0
    /// The largest offset delta written (-1 while empty).
    public private(set) var maxOffsetDelta: Int32 = -1
    /// Whether any record carries a header (legacy message sets cannot).
    public private(set) var hasHeaders = false

    /// The batch header's size: what `build` adds to an uncompressed body.
    public static let headerSize = 61

    public init(capacity: Int = 0) {
        if capacity > Self.headerSize { storage.reserveCapacity(capacity) }
    }

    /// The encoded records: the batch's payload before compression.
    public var body: ArraySlice<UInt8> { storage[Self.headerSize...] }

    public var isEmpty: Bool { recordCount == 0 }

    /// The batch's size uncompressed, header included.
    public var uncompressedSize: Int { storage.count }

    /// Encodes one record at the end of the batch. `offsetDelta` nil = the record's index.
    public mutating func append(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeaderValue] = [], timestamp: Int64,
                                offsetDelta: Int32? = nil) throws(RecordEncodeError) {
        try append(key: key?[...], value: value?[...], headers: headers, timestamp: timestamp, offsetDelta: offsetDelta)
    }

    /// The same with key and value as parts of a larger buffer (lines of a file), copied straight in.
    public mutating func append(key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?, headers: [RecordHeaderValue] = [],
                                timestamp: Int64, offsetDelta: Int32? = nil) throws(RecordEncodeError) {
        if recordCount == 0 {
            baseTimestamp = timestamp
            maxTimestamp = timestamp
        } else if timestamp > maxTimestamp {
            maxTimestamp = timestamp
        }
        guard recordCount < Int(Int32.max) else { throw RecordEncodeError("too many records for one batch") }
        let delta = offsetDelta ?? Int32(recordCount)
        let timestampDelta = timestamp &- baseTimestamp
        var length = 1 + Self.varlongSize(timestampDelta) + Self.varintSize(delta)
        length += try Self.fieldSize(key) + Self.fieldSize(value)
        length += Self.varintSize(Int32(clamping: headers.count))
        for h in headers {
            length += try Self.fieldSize(h.key.utf8.count) + Self.fieldSize(h.value)
        }
        guard length <= Int(Int32.max) else { throw RecordEncodeError("record too large") }
        Self.putVarint(&storage, Int64(length))
        storage.append(0) // attributes: unused in v2 records
        Self.putVarint(&storage, timestampDelta)
        Self.putVarint(&storage, Int64(delta))
        Self.putField(&storage, key)
        Self.putField(&storage, value)
        Self.putVarint(&storage, Int64(headers.count))
        for h in headers {
            Self.putVarint(&storage, Int64(h.key.utf8.count))
            storage.append(contentsOf: h.key.utf8)
            Self.putField(&storage, h.value)
        }
        recordCount += 1
        if delta > maxOffsetDelta { maxOffsetDelta = delta }
        if !headers.isEmpty { hasHeaders = true }
    }

    /// The whole batch: header, then the body compressed with `compression`.
    public func build(baseOffset: Int64 = 0, compression: RecordCompression = .none, snappyFraming: SnappyFraming = .raw,
                      compressionLevel: Int32? = nil, attributes extra: Int16 = 0, logAppendTime: Int64? = nil,
                      lastOffsetDelta: Int32? = nil, producerId: Int64 = -1, producerEpoch: Int16 = -1,
                      baseSequence: Int32 = -1, partitionLeaderEpoch: Int32 = -1) throws(RecordEncodeError) -> [UInt8] {
        var payload = body
        if compression != .none {
            do {
                payload = try Compressor.compress(compression, Array(body), snappyFraming: snappyFraming, level: compressionLevel)[...]
            } catch {
                throw RecordEncodeError("\(compression) compression failed: \(error)")
            }
        }
        var out = ByteSink()
        out.bytes.reserveCapacity(Self.headerSize + payload.count)
        writeHeader(&out, baseOffset: baseOffset, compression: compression, attributes: extra, logAppendTime: logAppendTime,
                    lastOffsetDelta: lastOffsetDelta, producerId: producerId, producerEpoch: producerEpoch,
                    baseSequence: baseSequence, partitionLeaderEpoch: partitionLeaderEpoch)
        out.bytes.append(contentsOf: payload)
        try Self.seal(&out.bytes)
        return out.bytes
    }

    /// The whole batch, uncompressed, with its header written in place: no copy of the records. Call
    /// again to re-stamp it (a retry under a new producer id).
    public mutating func finish(producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1,
                                partitionLeaderEpoch: Int32 = -1) throws(RecordEncodeError) -> [UInt8] {
        var header = ByteSink()
        header.bytes.reserveCapacity(Self.headerSize)
        writeHeader(&header, baseOffset: 0, compression: .none, attributes: 0, logAppendTime: nil, lastOffsetDelta: nil,
                    producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence,
                    partitionLeaderEpoch: partitionLeaderEpoch)
        storage.withUnsafeMutableBufferPointer { b in
            for i in 0..<Self.headerSize { b[i] = header.bytes[i] }
        }
        try Self.seal(&storage)
        return storage
    }

    private func writeHeader(_ out: inout ByteSink, baseOffset: Int64, compression: RecordCompression, attributes extra: Int16,
                             logAppendTime: Int64?, lastOffsetDelta: Int32?, producerId: Int64, producerEpoch: Int16,
                             baseSequence: Int32, partitionLeaderEpoch: Int32) {
        let first = isEmpty ? (logAppendTime ?? 0) : baseTimestamp
        var attributes = Int16(compression.rawValue) | extra
        if logAppendTime != nil { attributes |= 0x08 }
        out.int64(baseOffset)
        out.int32(0) // batchLength, patched below
        out.int32(partitionLeaderEpoch)
        out.int8(2)
        out.uint32(0) // crc, patched below
        out.int16(attributes)
        out.int32(lastOffsetDelta ?? max(0, maxOffsetDelta))
        out.int64(first)
        out.int64(logAppendTime ?? (isEmpty ? first : maxTimestamp))
        out.int64(producerId)
        out.int16(producerEpoch)
        out.int32(baseSequence)
        out.int32(Int32(recordCount))
    }

    /// Patches the batch length and the CRC into a batch whose header and records are written.
    private static func seal(_ bytes: inout [UInt8]) throws(RecordEncodeError) {
        guard bytes.count - 12 <= Int(Int32.max) else { throw RecordEncodeError("batch too large") }
        RecordBatchEncoder.patch32(&bytes, at: 8, UInt32(bytes.count - 12))
        let crc = bytes.withUnsafeBufferPointer { Checksums.crc32c($0.baseAddress! + 21, $0.count - 21) }
        RecordBatchEncoder.patch32(&bytes, at: 17, crc)
    }

    /// The records back, in order (for the rare paths that need them one by one: splitting a batch
    /// the broker found too large, or writing a legacy message set for an old broker).
    public func records() -> [OutgoingRecord] {
        guard let batch = try? build(), let decoded = try? RecordSet.decode(batch) else { return [] }
        return decoded.map {
            OutgoingRecord(key: $0.key, value: $0.value, headers: $0.headers, timestamp: $0.timestamp,
                           offsetDelta: Int32(truncatingIfNeeded: $0.offset))
        }
    }

    // MARK: Varints straight into the body (zig-zag, as record fields are)

    static func fieldSize(_ b: ArraySlice<UInt8>?) throws(RecordEncodeError) -> Int {
        guard let b else { return 1 }
        return try fieldSize(b.count)
    }

    static func fieldSize(_ b: [UInt8]?) throws(RecordEncodeError) -> Int {
        guard let b else { return 1 }
        return try fieldSize(b.count)
    }

    static func fieldSize(_ count: Int) throws(RecordEncodeError) -> Int {
        guard count <= Int(Int32.max) else { throw RecordEncodeError("field of \(count) bytes is too large") }
        return varintSize(Int32(count)) + count
    }

    static func putField(_ body: inout [UInt8], _ b: ArraySlice<UInt8>?) {
        guard let b else { body.append(1); return } // zig-zag -1
        putVarint(&body, Int64(b.count))
        body.append(contentsOf: b)
    }

    static func putField(_ body: inout [UInt8], _ b: [UInt8]?) {
        guard let b else { body.append(1); return } // zig-zag -1
        putVarint(&body, Int64(b.count))
        body.append(contentsOf: b)
    }

    static func putVarint(_ body: inout [UInt8], _ v: Int64) {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while u >= 0x80 {
            body.append(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        body.append(UInt8(u))
    }

    static func varintSize(_ v: Int32) -> Int { varlongSize(Int64(v)) }

    static func varlongSize(_ v: Int64) -> Int {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        var n = 1
        while u >= 0x80 { u >>= 7; n += 1 }
        return n
    }
}
