import Testing
import CZstd
@testable import KafkaRecords

@Suite struct LegacyTests {
    let messages: [LegacyMessageSetEncoder.Message] = (0..<4).map { (i: Int) -> LegacyMessageSetEncoder.Message in
        let key: [UInt8]? = i == 1 ? nil : bytes("k\(i)")
        let value: [UInt8]? = i == 2 ? nil : bytes("value \(i)")
        return LegacyMessageSetEncoder.Message(offset: 40 + Int64(i), timestamp: 1_600_000_000_000 + Int64(i), key: key, value: value)
    }

    @Test(arguments: [Int8(0), 1])
    func uncompressedLegacy(_ magic: Int8) throws {
        let b = try LegacyMessageSetEncoder.encode(magic: magic, messages: messages)
        let d = try RecordSet.decode(b)
        #expect(d.map(\.offset) == [40, 41, 42, 43])
        #expect(d.map(\.key) == messages.map(\.key))
        #expect(d.map(\.value) == messages.map(\.value))
        #expect(d.map(\.timestamp) == (magic == 0 ? [-1, -1, -1, -1] : messages.map(\.timestamp)))
        #expect(d.allSatisfy { $0.timestampType == (magic == 0 ? .none : .createTime) && $0.headers.isEmpty })
        #expect(d.nextFetchOffset == 44)
        #expect(d.batches.count == 4)
    }

    @Test(arguments: [RecordCompression.gzip, .snappy, .lz4], [Int8(0), 1])
    func compressedWrapper(_ codec: RecordCompression, _ magic: Int8) throws {
        let b = try LegacyMessageSetEncoder.encode(magic: magic, messages: messages, compression: codec)
        // Magic 1 stores relative inner offsets: the wrapper's own offset is the last absolute one.
        #expect(b[0..<8] == [0, 0, 0, 0, 0, 0, 0, 43])
        let d = try RecordSet.decode(b)
        #expect(d.map(\.offset) == [40, 41, 42, 43])
        #expect(d.map(\.key) == messages.map(\.key))
        #expect(d.map(\.value) == messages.map(\.value))
        #expect(d.nextFetchOffset == 44)
        let info = try #require(d.batches.first)
        #expect(info.compression == codec && info.magic == magic && info.baseOffset == 40 && info.lastOffset == 43)
        // Fetch offset inside the wrapper.
        #expect(try RecordSet.decode(b, fetchOffset: 42).map(\.offset) == [42, 43])
    }

    @Test func magic1RelativeOffsetsInsideGzipWrapper() throws {
        let b = try LegacyMessageSetEncoder.encode(magic: 1, messages: messages, compression: .gzip)
        // Check the inner offsets really are relative (0...3) by inflating the wrapper value by hand.
        // offset 8, size 4, crc 4, magic, attributes, timestamp 8, key length 4 (-1), value length 4, value.
        let valueLen = Int(UInt32(b[30]) << 24 | UInt32(b[31]) << 16 | UInt32(b[32]) << 8 | UInt32(b[33]))
        let inner = try Array(b[34..<(34 + valueLen)]).withUnsafeBufferPointer { (p) throws(CodecError) in
            try Decompressor.gunzip(p, cap: 1 << 20)
        }
        #expect(inner[0..<8] == [0, 0, 0, 0, 0, 0, 0, 0])
        let d = try RecordSet.decode(b)
        #expect(d.map(\.offset) == [40, 41, 42, 43])
    }

    @Test func logAppendTimeWrapperOverridesInnerTimestamps() throws {
        let b = try LegacyMessageSetEncoder.encode(magic: 1, messages: messages, compression: .gzip, logAppendTime: 99)
        let d = try RecordSet.decode(b)
        #expect(d.allSatisfy { $0.timestamp == 99 && $0.timestampType == .logAppendTime })
    }

    @Test func brokenLZ4HeaderChecksumFromOldKafka() throws {
        let b = try LegacyMessageSetEncoder.encode(magic: 0, messages: messages, compression: .lz4, legacyBrokenLZ4Checksum: true)
        let d = try RecordSet.decode(b)
        #expect(d.map(\.value) == messages.map(\.value))
        // The plain LZ4 frame decoder rejects that header, so the repair is what makes it work.
        let valueLen = Int(UInt32(b[22]) << 24 | UInt32(b[23]) << 16 | UInt32(b[24]) << 8 | UInt32(b[25]))
        #expect(throws: CodecError.self) {
            try Array(b[26..<(26 + valueLen)]).withUnsafeBufferPointer { (p) throws(CodecError) in _ = try Decompressor.unlz4(p, cap: 1 << 20) }
        }
    }

    @Test func legacyMixedWithV2AndPartialTail() throws {
        var set = try LegacyMessageSetEncoder.encode(magic: 1, messages: messages, compression: .snappy)
        set += try RecordBatchEncoder(compression: .zstd).encode(baseOffset: 44, records: sampleRecords(count: 3))
        set += try LegacyMessageSetEncoder.encode(magic: 0, messages: [.init(offset: 47, key: nil, value: bytes("old"))])
        let whole = set.count
        set += try RecordBatchEncoder().encode(baseOffset: 48, records: sampleRecords(count: 2)).prefix(30)
        let d = try RecordSet.decode(set)
        #expect(d.map(\.offset) == Array(40...47))
        #expect(d.batches.map(\.magic) == [1, 2, 0])
        #expect(d.bytesConsumed == whole && d.endedWithPartialBatch && d.nextFetchOffset == 48)
    }

    @Test func legacyCRCMismatch() throws {
        var b = try LegacyMessageSetEncoder.encode(magic: 1, messages: messages)
        b[b.count / 4 - 1] ^= 1
        #expect {
            try RecordSet.decode(b)
        } throws: { e in
            if case let .checksumMismatch(_, magic, exp, act) = e as? RecordDecodeError { return magic == 1 && exp != act }
            return false
        }
    }

    @Test func legacyTruncationNeverTraps() throws {
        let b = try LegacyMessageSetEncoder.encode(magic: 1, messages: messages, compression: .gzip)
        for n in 0..<b.count {
            let d = try RecordSet.decode(Array(b[..<n]))
            #expect(d.isEmpty)
        }
        var rng = SplitMix(seed: 7)
        for _ in 0..<1000 {
            var c = b
            c[12 + Int(rng.next() % UInt64(c.count - 12))] = UInt8(truncatingIfNeeded: rng.next())
            _ = try? RecordSet.decode(c, options: RecordDecodeOptions(verifyChecksums: false))
        }
    }
}

@Suite struct ZstdWithoutContentSizeTests {
    @Test func frameWithoutContentSizeDecodes() throws {
        let records = sampleRecords(count: 6)
        let plain = try RecordBatchEncoder().encode(baseOffset: 0, records: records)
        let body = Array(plain[61...])
        let cctx = try #require(ZSTD_createCCtx())
        defer { ZSTD_freeCCtx(cctx) }
        _ = ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(body.count))
        let n = out.withUnsafeMutableBytes { o in body.withUnsafeBytes { i in ZSTD_compress2(cctx, o.baseAddress, o.count, i.baseAddress, i.count) } }
        #expect(ZSTD_isError(n) == 0)
        let frame = Array(out[..<n])
        #expect(frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) } == ZSTD_CONTENTSIZE_UNKNOWN)
        var b = Array(plain[..<61]) + frame
        b[22] = RecordCompression.zstd.rawValue
        setInt32(&b, at: 8, Int32(b.count - 12))
        fixCRC(&b)
        let d = try RecordSet.decode(b)
        #expect(d.map(\.value) == records.map(\.value))
        #expect(throws: RecordDecodeError.decompressedSizeExceeded(batchOffset: 0, codec: .zstd, limit: 100)) {
            try RecordSet.decode(b, options: RecordDecodeOptions(maxDecompressedBatchBytes: 100))
        }
    }
}

@Suite struct TransactionTests {
    /// pid 1 writes 0-2 then aborts (marker 5); pid 2 writes 3-4 and commits (marker 6);
    /// pid 1 writes 7-8 in a new transaction that commits (marker 10); 9 is non-transactional.
    func scenario() throws -> [UInt8] {
        func txn(_ pid: Int64, _ base: Int64, _ n: Int, codec: RecordCompression = .none) throws -> [UInt8] {
            try RecordBatchEncoder(compression: codec, isTransactional: true, producerId: pid, producerEpoch: 0)
                .encode(baseOffset: base, records: sampleRecords(count: n))
        }
        var s = try txn(1, 0, 3, codec: .gzip)
        s += try txn(2, 3, 2)
        s += RecordBatchEncoder.controlBatch(baseOffset: 5, type: .abort, producerId: 1, producerEpoch: 0)
        s += RecordBatchEncoder.controlBatch(baseOffset: 6, type: .commit, producerId: 2, producerEpoch: 0)
        s += try txn(1, 7, 2, codec: .zstd)
        s += try RecordBatchEncoder().encode(baseOffset: 9, records: sampleRecords(count: 1))
        s += RecordBatchEncoder.controlBatch(baseOffset: 10, type: .commit, producerId: 1, producerEpoch: 0)
        return s
    }

    @Test func readCommittedDropsAbortedAndHidesMarkers() throws {
        let opts = RecordDecodeOptions(readCommitted: true, abortedTransactions: [AbortedTransaction(producerId: 1, firstOffset: 0)])
        let d = try RecordSet.decode(try scenario(), options: opts)
        #expect(d.map(\.offset) == [3, 4, 7, 8, 9])
        #expect(d.skippedControlRecords == 3)
        #expect(d.skippedAbortedRecords == 3)
        #expect(d.nextFetchOffset == 11)
        #expect(d.batches.filter(\.aborted).map(\.baseOffset) == [0])
        #expect(d.batches.compactMap(\.controlType) == [.abort, .commit, .commit])
    }

    @Test func readCommittedCanShowMarkers() throws {
        var opts = RecordDecodeOptions(readCommitted: true, abortedTransactions: [AbortedTransaction(producerId: 1, firstOffset: 0)])
        opts.includeControlRecords = true
        let d = try RecordSet.decode(try scenario(), options: opts)
        #expect(d.map(\.offset) == [3, 4, 5, 6, 7, 8, 9, 10])
        #expect(d.compactMap(\.controlType) == [.abort, .commit, .commit])
        #expect(d.skippedControlRecords == 0)
    }

    @Test func readUncommittedShowsEverythingButMarkers() throws {
        let d = try RecordSet.decode(try scenario())
        #expect(d.map(\.offset) == [0, 1, 2, 3, 4, 7, 8, 9])
        #expect(d.skippedControlRecords == 3 && d.skippedAbortedRecords == 0)
        #expect(d[0].batch.isTransactional && d[0].batch.producerId == 1)
    }

    @Test func abortedEntryOnlyAppliesFromItsFirstOffset() throws {
        // Pid 1's aborted transaction starts at 7: its batch at 0-2 is kept (entry not reached yet),
        // the batch at 7-8 is dropped, and so is the pid-1 marker at 10 (isBatchAborted applies to it too).
        let opts = RecordDecodeOptions(readCommitted: true, abortedTransactions: [AbortedTransaction(producerId: 1, firstOffset: 7)])
        let d = try RecordSet.decode(try scenario(), options: opts)
        #expect(d.map(\.offset) == [0, 1, 2, 3, 4, 9])
        #expect(d.skippedAbortedRecords == 2)
        #expect(d.skippedControlRecords == 2)
        #expect(d.batches.filter(\.aborted).map(\.baseOffset) == [7, 10])
    }

    @Test func heapOrdersByFirstOffset() {
        var h = AbortedHeap([5, 1, 9, 3, 3, 0, 7].map { AbortedTransaction(producerId: $0, firstOffset: $0 * 10) })
        var out: [Int64] = []
        while let x = h.pop() { out.append(x.firstOffset) }
        #expect(out == [0, 10, 30, 30, 50, 70, 90])
    }
}

@Suite struct StreamingTests {
    func fetchBody() throws -> [UInt8] {
        var s: [UInt8] = []
        var off: Int64 = 0
        for (i, v) in codecVariants.enumerated() {
            s += try RecordBatchEncoder(compression: v.0, snappyFraming: v.1).encode(baseOffset: off, records: sampleRecords(count: 2 + i))
            off += Int64(2 + i)
        }
        return s
    }

    @Test func byteByByteMatchesAllAtOnce() throws {
        let body = try fetchBody()
        let all = try RecordSet.decode(body)
        #expect(!all.endedWithPartialBatch && all.bytesConsumed == body.count)
        // Feed a growing buffer one byte at a time, consuming whole batches as they complete.
        var pending: [UInt8] = []
        var got: [(Int64, [UInt8]?, [UInt8]?, [RecordHeaderValue])] = []
        var fetchOffset: Int64 = 0
        for byte in body {
            pending.append(byte)
            let d = try RecordSet.decode(pending, fetchOffset: fetchOffset)
            got += d.map { ($0.offset, $0.key, $0.value, $0.headers) }
            if d.bytesConsumed > 0 {
                pending.removeFirst(d.bytesConsumed)
                fetchOffset = d.nextFetchOffset
            } else {
                #expect(d.isEmpty && d.endedWithPartialBatch)
            }
        }
        #expect(pending.isEmpty)
        #expect(got.map(\.0) == all.map(\.offset))
        #expect(got.map(\.1) == all.map(\.key))
        #expect(got.map(\.2) == all.map(\.value))
        #expect(got.map(\.3) == all.map(\.headers))
        #expect(fetchOffset == all.nextFetchOffset)
    }

    @Test func everyPrefixConsumesOnlyWholeBatches() throws {
        let body = try fetchBody()
        var ends: [Int] = [0]
        var pos = 0
        while pos < body.count {
            let size = Int(UInt32(body[pos + 8]) << 24 | UInt32(body[pos + 9]) << 16 | UInt32(body[pos + 10]) << 8 | UInt32(body[pos + 11]))
            pos += 12 + size
            ends.append(pos)
        }
        for n in 0...body.count {
            let d = try RecordSet.decode(body[..<n])
            #expect(d.bytesConsumed == ends.last { $0 <= n })
            #expect(d.endedWithPartialBatch == !ends.contains(n))
        }
    }
}
