// The result of decoding a record set: flat arrays of fixed-size entries pointing into the fetched
// bytes (or into one decompressed buffer per compressed batch). Keys, values and headers are only
// copied out when asked for, so decoding does no per-record allocation.

/// One batch as it was on the wire: a v2 record batch, or a legacy (magic 0/1) message or compressed wrapper.
public struct RecordBatchInfo: Sendable, Hashable {
    public var baseOffset: Int64
    /// Offset of the last record the batch covers (baseOffset + lastOffsetDelta for v2).
    public var lastOffset: Int64
    public var magic: Int8
    public var attributes: Int16
    public var compression: RecordCompression
    public var timestampType: RecordTimestampType
    public var isTransactional: Bool
    public var isControl: Bool
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var partitionLeaderEpoch: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    /// recordsCount as declared (v2) or the number of messages (legacy).
    public var recordCount: Int
    /// Bytes the batch occupies in the record set (12 + batchLength).
    public var sizeInBytes: Int
    /// For control batches: the marker type read from the first record's key.
    public var controlType: ControlRecordType?
    /// True when read_committed filtering dropped this batch as part of an aborted transaction.
    public var aborted: Bool

    /// The offset to fetch next after this batch.
    public var nextOffset: Int64 { lastOffset &+ 1 }
    public var lastOffsetDelta: Int64 { lastOffset &- baseOffset }
}

/// Fixed-size per-record entry. Positions are relative to the start of the batch's buffer.
struct RecordEntry {
    var offset: Int64
    var timestamp: Int64
    var keyPos: Int32
    var keyLen: Int32       // -1 = null
    var valuePos: Int32
    var valueLen: Int32     // -1 = null (tombstone)
    var headerStart: Int32  // index into headers
    var headerCount: Int32
    var batchIndex: Int32
}

struct HeaderEntry {
    var keyPos: Int32
    var keyLen: Int32
    var valuePos: Int32
    var valueLen: Int32     // -1 = null
}

final class RecordStorage: Sendable {
    /// buffers[0] is the input; others are decompressed batches.
    let buffers: [ArraySlice<UInt8>]
    let entries: [RecordEntry]
    let headers: [HeaderEntry]
    let batches: [RecordBatchInfo]
    let batchBuffer: [Int32]

    init(buffers: [ArraySlice<UInt8>], entries: [RecordEntry], headers: [HeaderEntry],
         batches: [RecordBatchInfo], batchBuffer: [Int32]) {
        self.buffers = buffers
        self.entries = entries
        self.headers = headers
        self.batches = batches
        self.batchBuffer = batchBuffer
    }

    /// Copies a field out with one allocation and a memcpy.
    @inline(__always)
    func copy(batch: Int32, pos: Int32, len: Int32) -> [UInt8]? {
        guard len >= 0 else { return nil }
        return buffers[Int(batchBuffer[Int(batch)])].withUnsafeBufferPointer { b in
            let n = Int(len), p = Int(pos)
            guard p >= 0, n <= b.count - p else { return [] } // unreachable: positions were bounds-checked
            return [UInt8](unsafeUninitializedCapacity: n) { dst, count in
                if n > 0 { dst.baseAddress!.update(from: b.baseAddress! + p, count: n) }
                count = n
            }
        }
    }

    @inline(__always)
    func bytes(batch: Int32, pos: Int32, len: Int32) -> ArraySlice<UInt8>? {
        guard len >= 0 else { return nil }
        let b = buffers[Int(batchBuffer[Int(batch)])]
        let s = b.startIndex + Int(pos)
        return b[s..<(s + Int(len))]
    }
}

/// A decoded record: a view into the record set that copies bytes out only on access.
public struct DecodedRecord: Sendable {
    let storage: RecordStorage
    let index: Int

    @inline(__always) var entry: RecordEntry { storage.entries[index] }

    public var offset: Int64 { entry.offset }
    /// Milliseconds since the epoch (-1 when the message has none, magic 0).
    public var timestamp: Int64 { entry.timestamp }
    public var timestampType: RecordTimestampType { batch.timestampType }
    public var batch: RecordBatchInfo { storage.batches[Int(entry.batchIndex)] }
    /// Set only for control records (kept when `includeControlRecords` is on).
    public var controlType: ControlRecordType? { batch.isControl ? batch.controlType : nil }

    /// Zero-copy key bytes; nil for a null key.
    public var keyBytes: ArraySlice<UInt8>? { let e = entry; return storage.bytes(batch: e.batchIndex, pos: e.keyPos, len: e.keyLen) }
    /// Zero-copy value bytes; nil for a null value (tombstone).
    public var valueBytes: ArraySlice<UInt8>? { let e = entry; return storage.bytes(batch: e.batchIndex, pos: e.valuePos, len: e.valueLen) }
    public var key: [UInt8]? { let e = entry; return storage.copy(batch: e.batchIndex, pos: e.keyPos, len: e.keyLen) }
    public var value: [UInt8]? { let e = entry; return storage.copy(batch: e.batchIndex, pos: e.valuePos, len: e.valueLen) }
    public var keyLength: Int? { let l = entry.keyLen; return l < 0 ? nil : Int(l) }
    public var valueLength: Int? { let l = entry.valueLen; return l < 0 ? nil : Int(l) }

    public var headerCount: Int { Int(entry.headerCount) }

    /// Headers in wire order; keys are decoded as UTF-8 (invalid sequences become U+FFFD).
    public var headers: [RecordHeaderValue] {
        let e = entry
        guard e.headerCount > 0 else { return [] }
        var out: [RecordHeaderValue] = []
        out.reserveCapacity(Int(e.headerCount))
        for h in storage.headers[Int(e.headerStart)..<Int(e.headerStart + e.headerCount)] {
            let k = storage.bytes(batch: e.batchIndex, pos: h.keyPos, len: h.keyLen) ?? []
            let v = storage.copy(batch: e.batchIndex, pos: h.valuePos, len: h.valueLen)
            out.append(RecordHeaderValue(key: String(decoding: k, as: UTF8.self), value: v))
        }
        return out
    }

    /// Bytes of key, value and header keys/values (for throughput counters), without copying.
    public var payloadSize: Int {
        let e = entry
        var n = Int(max(0, e.keyLen)) + Int(max(0, e.valueLen))
        if e.headerCount > 0 {
            for h in storage.headers[Int(e.headerStart)..<Int(e.headerStart + e.headerCount)] {
                n += Int(h.keyLen) + Int(max(0, h.valueLen))
            }
        }
        return n
    }
}

public struct DecodedRecordSet: RandomAccessCollection, Sendable {
    let storage: RecordStorage

    /// Offset to put in the next Fetch: one past the last whole batch, never below the fetch offset.
    public let nextFetchOffset: Int64
    /// Bytes of whole batches consumed from the input.
    public let bytesConsumed: Int
    /// The input ended inside a batch (normal at the end of a Fetch response).
    public let endedWithPartialBatch: Bool
    /// Decoding stopped early because the decompressed-bytes budget for the call was spent;
    /// fetch again from nextFetchOffset.
    public let stoppedAtDecompressionBudget: Bool
    /// Control records (transaction markers) that were not returned.
    public let skippedControlRecords: Int
    /// Records of aborted transactions dropped under read_committed.
    public let skippedAbortedRecords: Int
    /// Records dropped because their offset is below the fetch offset.
    public let skippedBelowFetchOffset: Int

    public var batches: [RecordBatchInfo] { storage.batches }
    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.entries.count }
    public subscript(position: Int) -> DecodedRecord {
        precondition(position >= 0 && position < storage.entries.count, "record index out of range")
        return DecodedRecord(storage: storage, index: position)
    }
}
