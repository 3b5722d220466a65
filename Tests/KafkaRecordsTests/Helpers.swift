@testable import KafkaRecords

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A few records exercising keys, null keys/values, headers (incl. null header values) and timestamps.
func sampleRecords(count: Int = 5, baseTimestamp: Int64 = 1_700_000_000_000) -> [OutgoingRecord] {
    (0..<count).map { i in
        OutgoingRecord(
            key: i % 3 == 2 ? nil : bytes("key-\(i)"),
            value: i % 4 == 3 ? nil : bytes("{\"n\":\(i),\"text\":\"" + String(repeating: "abc", count: i * 7) + "\"}"),
            headers: i % 2 == 0 ? [RecordHeaderValue(key: "h\(i)", value: bytes("v\(i)")),
                                   RecordHeaderValue(key: "trace", value: nil)] : [],
            timestamp: baseTimestamp + Int64(i) * 3 - (i == 1 ? 10 : 0))
    }
}

/// Re-stamps a v2 batch's CRC after a test edits it (so the edit reaches the parser, not the CRC check).
func fixCRC(_ b: inout [UInt8], at start: Int = 0) {
    let size = Int(Int32(bitPattern: UInt32(b[start + 8]) << 24 | UInt32(b[start + 9]) << 16 | UInt32(b[start + 10]) << 8 | UInt32(b[start + 11])))
    let end = min(b.count, start + 12 + size)
    let crc = Array(b[(start + 21)..<end]).withUnsafeBufferPointer { Checksums.crc32c($0.baseAddress!, $0.count) }
    RecordBatchEncoder.patch32(&b, at: start + 17, crc)
}

func setInt32(_ b: inout [UInt8], at i: Int, _ v: Int32) {
    RecordBatchEncoder.patch32(&b, at: i, UInt32(bitPattern: v))
}

/// Codec variants, including both snappy framings.
let codecVariants: [(RecordCompression, SnappyFraming)] = [
    (.none, .raw), (.gzip, .raw), (.snappy, .raw), (.snappy, .xerial), (.lz4, .raw), (.zstd, .raw),
]
