import Testing
@testable import KafkaRecords

@Suite struct RoundTripTests {
    @Test(arguments: codecVariants.indices)
    func roundTripEveryCodec(_ variant: Int) throws {
        let (codec, framing) = codecVariants[variant]
        let records = sampleRecords(count: 9)
        let enc = RecordBatchEncoder(compression: codec, snappyFraming: framing, producerId: 42, producerEpoch: 3,
                                     baseSequence: 7, partitionLeaderEpoch: 5)
        let batch = try enc.encode(baseOffset: 100, records: records)
        let set = try RecordSet.decode(batch)
        #expect(set.count == records.count)
        #expect(set.nextFetchOffset == 109)
        #expect(set.bytesConsumed == batch.count)
        #expect(!set.endedWithPartialBatch)
        let info = try #require(set.batches.first)
        #expect(info.compression == codec)
        #expect(info.producerId == 42 && info.producerEpoch == 3 && info.baseSequence == 7)
        #expect(info.partitionLeaderEpoch == 5)
        #expect(info.timestampType == .createTime)
        #expect(info.maxTimestamp == records.map(\.timestamp).max())
        for (i, (got, want)) in zip(set, records).enumerated() {
            #expect(got.offset == 100 + Int64(i))
            #expect(got.timestamp == want.timestamp)
            #expect(got.key == want.key)
            #expect(got.value == want.value)
            #expect(got.headers == want.headers)
            #expect(got.keyLength == want.key?.count)
            #expect(got.controlType == nil)
        }
    }

    @Test func compressedPayloadIsActuallyCompressed() throws {
        let big = [OutgoingRecord(key: nil, value: [UInt8](repeating: 65, count: 50_000))]
        let plain = try RecordBatchEncoder().encode(baseOffset: 0, records: big)
        for codec in RecordCompression.allCases where codec != .none {
            let b = try RecordBatchEncoder(compression: codec).encode(baseOffset: 0, records: big)
            #expect(b.count < plain.count / 10, "\(codec) did not compress")
            #expect(b[22] & 7 == codec.rawValue)
            #expect(try RecordSet.decode(b).first?.value == big[0].value)
        }
    }

    @Test func logAppendTimeUsesMaxTimestamp() throws {
        let b = try RecordBatchEncoder(compression: .lz4, logAppendTime: 1_234_567).encode(baseOffset: 0, records: sampleRecords())
        let set = try RecordSet.decode(b)
        #expect(set.allSatisfy { $0.timestamp == 1_234_567 && $0.timestampType == .logAppendTime })
    }

    @Test func recordsBelowFetchOffsetAreDropped() throws {
        let b = try RecordBatchEncoder(compression: .gzip).encode(baseOffset: 10, records: sampleRecords(count: 10))
        let set = try RecordSet.decode(b, fetchOffset: 15)
        #expect(set.map(\.offset) == [15, 16, 17, 18, 19])
        #expect(set.skippedBelowFetchOffset == 5)
        #expect(set.nextFetchOffset == 20)
        // Headers still line up after dropping records that carried headers.
        #expect(set.first?.headers == sampleRecords(count: 10)[5].headers)
        #expect(set[1].headers == sampleRecords(count: 10)[6].headers)
    }

    @Test func nextOffsetFollowsLastOffsetDeltaAndEmptyBatches() throws {
        // Compaction left offsets 0 and 5 of a batch covering 0...9.
        let rs = [OutgoingRecord(key: bytes("a"), value: bytes("1"), offsetDelta: 0),
                  OutgoingRecord(key: bytes("b"), value: bytes("2"), offsetDelta: 5)]
        var set = try RecordBatchEncoder().encode(baseOffset: 0, records: rs, lastOffsetDelta: 9)
        set += try RecordBatchEncoder().encode(baseOffset: 10, records: [], lastOffsetDelta: 4) // empty after compaction
        let d = try RecordSet.decode(set)
        #expect(d.map(\.offset) == [0, 5])
        #expect(d.batches.count == 2)
        #expect(d.nextFetchOffset == 15)
    }

    @Test func nextFetchOffsetNeverGoesBackwards() throws {
        let b = try RecordBatchEncoder().encode(baseOffset: 0, records: sampleRecords(count: 3))
        let d = try RecordSet.decode(b, fetchOffset: 50)
        #expect(d.isEmpty)
        #expect(d.nextFetchOffset == 50)
        let empty = try RecordSet.decode([], fetchOffset: 7)
        #expect(empty.isEmpty && empty.nextFetchOffset == 7 && !empty.endedWithPartialBatch)
    }

    @Test func zeroCopySlicesMatchMaterializedBytes() throws {
        var input: [UInt8] = [9, 9, 9] // decode from a slice not starting at 0
        input += try RecordBatchEncoder().encode(baseOffset: 0, records: sampleRecords())
        let d = try RecordSet.decode(input[3...])
        for r in d {
            #expect(r.keyBytes.map { Array($0) } == r.key)
            #expect(r.valueBytes.map { Array($0) } == r.value)
        }
        #expect(d[0].payloadSize == 5 + d[0].value!.count + 2 + 2 + 5)
    }

    @Test func checksumVectors() {
        #expect(Checksums.crc32c(bytes("123456789")) == 0xE306_9283)
        #expect(Checksums.crc32(bytes("123456789")) == 0xCBF4_3926)
        let abc = bytes("abc")
        #expect(abc.withUnsafeBufferPointer { Checksums.xxh32($0.baseAddress!, 3) } == 0x32D1_53FF)
        let long = bytes("Nobody inspects the spammish repetition")
        #expect(long.withUnsafeBufferPointer { Checksums.xxh32($0.baseAddress!, $0.count) } == 0xE229_3B2F)
    }
}
