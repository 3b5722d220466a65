// Public value types shared by the decoder and the encoder.

/// Compression codec of a record batch (attribute bits 0-2).
public enum RecordCompression: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4

    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }
}

/// How a record's timestamp was assigned. Magic 0 messages carry none.
public enum RecordTimestampType: Sendable, Hashable, CustomStringConvertible {
    case none, createTime, logAppendTime

    public var description: String {
        switch self {
        case .none: "none"
        case .createTime: "create_time"
        case .logAppendTime: "log_append_time"
        }
    }
}

/// The type of a control record (key INT16 version, INT16 type).
public enum ControlRecordType: Sendable, Hashable, CustomStringConvertible {
    case abort
    case commit
    /// 2-6 are KRaft-internal (leader change, snapshot header/footer, voters...).
    case other(Int16)

    public init(rawType: Int16) {
        switch rawType {
        case 0: self = .abort
        case 1: self = .commit
        default: self = .other(rawType)
        }
    }

    public var description: String {
        switch self {
        case .abort: "ABORT"
        case .commit: "COMMIT"
        case .other(let t): "CONTROL(\(t))"
        }
    }
}

/// An entry of a Fetch response's AbortedTransactions (read_committed only).
public struct AbortedTransaction: Sendable, Hashable {
    public var producerId: Int64
    public var firstOffset: Int64
    public init(producerId: Int64, firstOffset: Int64) {
        self.producerId = producerId
        self.firstOffset = firstOffset
    }
}

/// A record header with its value materialized.
public struct RecordHeaderValue: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]?
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

public struct RecordDecodeOptions: Sendable, Hashable {
    /// Decompressed-size cap for one batch (or one legacy wrapper message).
    /// Default 64 MiB: the broker's default message.max.bytes is 1 MiB (1,048,588 bytes), so a batch that
    /// respects it must compress better than 64:1 to reach the cap; typical ratios on JSON/text are 3-10:1.
    /// A PartitionMaxBytes of 1 MiB of batches x 64 MiB bounds one partition's worst case, and the total cap
    /// below bounds the whole call. Clamped to Int32.max because record positions are stored as Int32.
    public var maxDecompressedBatchBytes: Int = 64 << 20
    /// Decompressed bytes for the whole call. Past it, decoding stops before the batch that would exceed it
    /// (the caller fetches again from nextFetchOffset); it throws only if the first batch alone exceeds it.
    /// Default 512 MiB = 8 batches at the per-batch cap.
    public var maxDecompressedTotalBytes: Int = 512 << 20
    /// Verify CRC-32C (v2) / CRC-32 (magic 0/1). Off only for benchmarks of the parse itself.
    public var verifyChecksums: Bool = true
    /// read_committed: skip aborted transactional batches using `abortedTransactions`.
    public var readCommitted: Bool = false
    public var abortedTransactions: [AbortedTransaction] = []
    /// Keep control records (transaction markers) in the result, flagged with `controlType`,
    /// so a UI can show them; by default they are skipped and only counted.
    public var includeControlRecords: Bool = false

    public init(maxDecompressedBatchBytes: Int = 64 << 20, maxDecompressedTotalBytes: Int = 512 << 20,
                verifyChecksums: Bool = true, readCommitted: Bool = false,
                abortedTransactions: [AbortedTransaction] = [], includeControlRecords: Bool = false) {
        self.maxDecompressedBatchBytes = maxDecompressedBatchBytes
        self.maxDecompressedTotalBytes = maxDecompressedTotalBytes
        self.verifyChecksums = verifyChecksums
        self.readCommitted = readCommitted
        self.abortedTransactions = abortedTransactions
        self.includeControlRecords = includeControlRecords
    }
}

/// Why decoding failed. Every case names the batch (its first offset as read from the bytes) where known.
public enum RecordDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    case checksumMismatch(batchOffset: Int64, magic: Int8, expected: UInt32, actual: UInt32)
    case unsupportedMagic(batchOffset: Int64, magic: Int8)
    case invalidBatch(batchOffset: Int64, reason: String)
    case invalidRecord(batchOffset: Int64, recordIndex: Int, reason: String)
    case unknownCompression(batchOffset: Int64, codec: Int)
    case decompressionFailed(batchOffset: Int64, codec: RecordCompression, reason: String)
    case decompressedSizeExceeded(batchOffset: Int64, codec: RecordCompression, limit: Int)
    case inputTooLarge(Int)

    public var description: String {
        switch self {
        case let .checksumMismatch(o, m, e, a):
            let name = m >= 2 ? "CRC-32C" : "CRC-32"
            return "record batch at offset \(o): \(name) mismatch (expected 0x\(hex(e)), computed 0x\(hex(a)))"
        case let .unsupportedMagic(o, m):
            return "record batch at offset \(o): unsupported magic byte \(m)"
        case let .invalidBatch(o, r):
            return "record batch at offset \(o): \(r)"
        case let .invalidRecord(o, i, r):
            return "record batch at offset \(o), record #\(i): \(r)"
        case let .unknownCompression(o, c):
            return "record batch at offset \(o): unknown compression codec \(c)"
        case let .decompressionFailed(o, c, r):
            return "record batch at offset \(o): \(c) decompression failed: \(r)"
        case let .decompressedSizeExceeded(o, c, l):
            return "record batch at offset \(o): \(c) data decompresses to more than \(l) bytes (the configured cap)"
        case let .inputTooLarge(n):
            return "record set of \(n) bytes is larger than the 2 GiB a decoder accepts"
        }
    }
}

@inline(never)
func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 8 - s.count)) + s
}
