import Testing
@testable import KafkaRecords

@Suite struct RobustnessTests {
    @Test func crcMismatchNamesOffsetExpectedAndActual() throws {
        var b = try RecordBatchEncoder().encode(baseOffset: 77, records: sampleRecords())
        b[b.count - 3] ^= 0x40
        #expect {
            try RecordSet.decode(b)
        } throws: { error in
            guard case let .checksumMismatch(off, magic, expected, actual) = error as? RecordDecodeError else { return false }
            let text = "\(error)"
            return off == 77 && magic == 2 && expected != actual
                && text.contains("offset 77") && text.contains(hex(expected)) && text.contains(hex(actual))
        }
        // The same bytes decode when verification is off (the edit was inside a value).
        let d = try RecordSet.decode(b, options: RecordDecodeOptions(verifyChecksums: false))
        #expect(d.count == 5)
    }

    /// Every prefix of a batch is a partial batch: decode stops cleanly with nothing consumed.
    @Test(arguments: codecVariants.indices)
    func everyPrefixStopsCleanly(_ variant: Int) throws {
        let (codec, framing) = codecVariants[variant]
        let b = try RecordBatchEncoder(compression: codec, snappyFraming: framing).encode(baseOffset: 0, records: sampleRecords())
        for n in 0..<b.count {
            let d = try RecordSet.decode(Array(b[..<n]))
            #expect(d.isEmpty && d.bytesConsumed == 0 && d.endedWithPartialBatch == (n > 0) && d.nextFetchOffset == 0)
        }
    }

    /// The batch header claims the cut length (CRC re-stamped), so the cut reaches the record parser
    /// and the decompressors: each must throw or decode, never trap.
    @Test(arguments: codecVariants.indices)
    func truncatedContentAtEveryPositionThrowsOrDecodes(_ variant: Int) throws {
        let (codec, framing) = codecVariants[variant]
        let b = try RecordBatchEncoder(compression: codec, snappyFraming: framing).encode(baseOffset: 0, records: sampleRecords())
        var threw = 0
        for n in 26..<b.count {
            var cut = Array(b[..<n])
            setInt32(&cut, at: 8, Int32(n - 12))
            if n >= 21 { fixCRC(&cut) }
            do {
                let d = try RecordSet.decode(cut)
                #expect(d.count <= 5)
            } catch {
                threw += 1
                // The CRC was fixed up, so the batch's structure is what is wrong, and the error says
                // which batch (offset 0).
                switch error {
                case .invalidBatch(0, _), .invalidRecord(0, _, _), .decompressionFailed(0, _, _): break
                default: Issue.record("cut at \(n): unexpected error \(error)")
                }
                #expect(error.description.contains("offset 0"), "\(error)")
            }
        }
        #expect(threw == b.count - 26, "every shortened batch is malformed")
    }

    @Test(arguments: codecVariants.indices)
    func corruptedBytesNeverTrap(_ variant: Int) throws {
        let (codec, framing) = codecVariants[variant]
        let b = try RecordBatchEncoder(compression: codec, snappyFraming: framing).encode(baseOffset: 0, records: sampleRecords())
        var rng = SplitMix(seed: 0xC0FFEE + UInt64(variant))
        for _ in 0..<1500 {
            var c = b
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let i = 21 + Int(rng.next() % UInt64(c.count - 21))
                c[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            fixCRC(&c)
            _ = try? RecordSet.decode(c)
        }
    }

    @Test func hostileLengthsThrow() throws {
        let good = try RecordBatchEncoder().encode(baseOffset: 5, records: [OutgoingRecord(key: bytes("k"), value: bytes("v"))])
        func expectInvalid(_ edit: (inout [UInt8]) -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
            var b = good
            edit(&b)
            fixCRC(&b)
            #expect(throws: RecordDecodeError.self, sourceLocation: sourceLocation) { try RecordSet.decode(b) }
        }
        expectInvalid { setInt32(&$0, at: 57, Int32.max) }      // record count
        expectInvalid { setInt32(&$0, at: 57, -1) }             // negative record count
        expectInvalid { setInt32(&$0, at: 57, 2) }              // more records than present
        expectInvalid { setInt32(&$0, at: 23, -1) }             // negative lastOffsetDelta
        expectInvalid { $0[22] = 7 }                            // unknown codec
        // Record: [len][attr][tsDelta][offDelta][keyLen][key][valueLen][value][headerCount]
        expectInvalid { $0[61] = 0x7E }                         // record length 63, past the end
        expectInvalid { $0[65] = 0x7E }                         // key length 63
        expectInvalid { $0[65] = 0x03 }                         // key length -2
        expectInvalid { $0[69] = 0x7F }                         // header count hostile (zigzag -64)
        expectInvalid { $0[69] = 0x7E }                         // header count 63
        expectInvalid { $0.append(contentsOf: [0, 0]); setInt32(&$0, at: 8, Int32($0.count - 12)) } // trailing bytes
        // Batch length below any valid batch.
        var small = good
        setInt32(&small, at: 8, 3)
        #expect(throws: RecordDecodeError.self) { try RecordSet.decode(small) }
        var negative = good
        setInt32(&negative, at: 8, -100)
        #expect(throws: RecordDecodeError.self) { try RecordSet.decode(negative) }
        // A huge batch length is just a partial batch.
        var huge = good
        setInt32(&huge, at: 8, Int32.max)
        let d = try RecordSet.decode(huge)
        #expect(d.isEmpty && d.endedWithPartialBatch)
        // Unknown magic.
        var m = good
        m[16] = 3
        #expect(throws: RecordDecodeError.unsupportedMagic(batchOffset: 5, magic: 3)) { try RecordSet.decode(m) }
        // Over-long varint.
        var v = good
        v.replaceSubrange(61...61, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        setInt32(&v, at: 8, Int32(v.count - 12))
        fixCRC(&v)
        #expect(throws: RecordDecodeError.self) { try RecordSet.decode(v) }
    }

    @Test(arguments: [RecordCompression.gzip, .snappy, .lz4, .zstd])
    func decompressionOverTheCapThrows(_ codec: RecordCompression) throws {
        let rec = [OutgoingRecord(key: nil, value: [UInt8](repeating: 0, count: 2 << 20))]
        let b = try RecordBatchEncoder(compression: codec).encode(baseOffset: 9, records: rec)
        #expect(b.count < 200_000)
        let opts = RecordDecodeOptions(maxDecompressedBatchBytes: 1 << 20)
        #expect(throws: RecordDecodeError.decompressedSizeExceeded(batchOffset: 9, codec: codec, limit: 1 << 20)) {
            try RecordSet.decode(b, options: opts)
        }
        // Just above the real size it decodes.
        let ok = try RecordSet.decode(b, options: RecordDecodeOptions(maxDecompressedBatchBytes: (2 << 20) + 64))
        #expect(ok.first?.valueLength == 2 << 20)
    }

    @Test func defaultCapStopsABomb() throws {
        // 65 MiB of zeros compresses to a few KB; the default 64 MiB cap must refuse it.
        let rec = [OutgoingRecord(key: nil, value: [UInt8](repeating: 0, count: 65 << 20))]
        let b = try RecordBatchEncoder(compression: .zstd).encode(baseOffset: 0, records: rec)
        #expect(b.count < 100_000)
        #expect(throws: RecordDecodeError.decompressedSizeExceeded(batchOffset: 0, codec: .zstd, limit: 64 << 20)) {
            try RecordSet.decode(b)
        }
    }

    @Test func snappyLengthHeaderIsCheckedBeforeAllocating() throws {
        // Raw snappy block whose preamble claims 2^32-1 bytes.
        let block: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]
        #expect(throws: CodecError.self) {
            try block.withUnsafeBufferPointer { (p) throws(CodecError) in _ = try Decompressor.unsnappy(p, cap: 64 << 20) }
        }
    }

    @Test func totalBudgetStopsBetweenBatches() throws {
        let rec = [OutgoingRecord(key: nil, value: [UInt8](repeating: 1, count: 600_000))]
        var set = try RecordBatchEncoder(compression: .lz4).encode(baseOffset: 0, records: rec)
        set += try RecordBatchEncoder(compression: .lz4).encode(baseOffset: 1, records: rec)
        let first = set.count / 2
        let d = try RecordSet.decode(set, options: RecordDecodeOptions(maxDecompressedTotalBytes: 1_000_000))
        #expect(d.count == 1 && d.stoppedAtDecompressionBudget && d.nextFetchOffset == 1 && d.bytesConsumed == first)
    }

    @Test func malformedCompressedPayloadsThrow() throws {
        for codec in RecordCompression.allCases where codec != .none {
            for junk in [[UInt8](), [0], [UInt8](repeating: 0xAB, count: 40), [0x1F, 0x8B, 8, 0, 0, 0]] {
                var b = try RecordBatchEncoder().encode(baseOffset: 3, records: [])
                b[22] = codec.rawValue
                b += junk
                setInt32(&b, at: 57, junk.isEmpty ? 0 : 1)
                setInt32(&b, at: 8, Int32(b.count - 12))
                fixCRC(&b)
                #expect(throws: RecordDecodeError.self, "\(codec) \(junk)") { try RecordSet.decode(b) }
            }
        }
    }
}

/// Deterministic PRNG for fuzz-style tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
