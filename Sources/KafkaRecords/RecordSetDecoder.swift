// Decodes the Records field of a Fetch response partition: v2 record batches and legacy magic 0/1
// message sets, possibly mixed, possibly ending with a partial batch.

public enum RecordSet {
    /// Decodes whole batches from `bytes`, dropping records below `fetchOffset`.
    /// A partial trailing batch is not an error: see `endedWithPartialBatch` and `bytesConsumed`.
    public static func decode(_ bytes: [UInt8], fetchOffset: Int64 = 0,
                              options: RecordDecodeOptions = RecordDecodeOptions()) throws(RecordDecodeError) -> DecodedRecordSet {
        try decode(bytes[...], fetchOffset: fetchOffset, options: options)
    }

    public static func decode(_ bytes: ArraySlice<UInt8>, fetchOffset: Int64 = 0,
                              options: RecordDecodeOptions = RecordDecodeOptions()) throws(RecordDecodeError) -> DecodedRecordSet {
        guard bytes.count <= Int(Int32.max) else { throw .inputTooLarge(bytes.count) }
        var d = SetDecoder(input: bytes, fetchOffset: fetchOffset, options: options)
        let result = bytes.withUnsafeBufferPointer { (b) -> Result<Void, RecordDecodeError> in
            // An empty buffer has no base address; use a dummy one (no byte is ever read).
            let dummy: UInt8 = 0
            return withUnsafePointer(to: dummy) { dp in
                do throws(RecordDecodeError) { try d.run(base: b.baseAddress ?? dp, count: b.count) } catch { return .failure(error) }
                return .success(())
            }
        }
        if case .failure(let e) = result { throw e }
        return d.finish()
    }
}

/// Min-heap of aborted transactions by FirstOffset (CompletedFetch semantics).
struct AbortedHeap {
    private var items: [AbortedTransaction]
    init(_ list: [AbortedTransaction]) {
        items = []
        for x in list { push(x) }
    }
    var peek: AbortedTransaction? { items.first }
    mutating func push(_ x: AbortedTransaction) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if items[p].firstOffset <= items[i].firstOffset { break }
            items.swapAt(p, i)
            i = p
        }
    }
    mutating func pop() -> AbortedTransaction? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l].firstOffset < items[m].firstOffset { m = l }
            if r < items.count && items[r].firstOffset < items[m].firstOffset { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}

struct SetDecoder {
    let input: ArraySlice<UInt8>
    let fetchOffset: Int64
    let options: RecordDecodeOptions
    let batchCap: Int

    var buffers: [ArraySlice<UInt8>]
    var entries: [RecordEntry] = []
    var headers: [HeaderEntry] = []
    var batches: [RecordBatchInfo] = []
    var batchBuffer: [Int32] = []

    var consumed = 0
    var partial = false
    var budgetStop = false
    var decompressedTotal = 0
    var nextOffset: Int64?
    var skippedControl = 0
    var skippedAborted = 0
    var skippedBelow = 0

    let contexts = CodecContexts()
    var abortedHeap: AbortedHeap
    var abortedPids: Set<Int64> = []

    init(input: ArraySlice<UInt8>, fetchOffset: Int64, options: RecordDecodeOptions) {
        self.input = input
        self.fetchOffset = fetchOffset
        self.options = options
        batchCap = max(0, min(options.maxDecompressedBatchBytes, Int(Int32.max)))
        buffers = [input]
        abortedHeap = AbortedHeap(options.readCommitted ? options.abortedTransactions : [])
        // Rough sizing: ~70 bytes per record is typical; avoids most regrowth without trusting the peer.
        entries.reserveCapacity(min(input.count / 64 + 4, 1 << 20))
    }

    func finish() -> DecodedRecordSet {
        let storage = RecordStorage(buffers: buffers, entries: entries, headers: headers,
                                    batches: batches, batchBuffer: batchBuffer)
        return DecodedRecordSet(storage: storage,
                                nextFetchOffset: max(fetchOffset, nextOffset ?? fetchOffset),
                                bytesConsumed: consumed, endedWithPartialBatch: partial,
                                stoppedAtDecompressionBudget: budgetStop,
                                skippedControlRecords: skippedControl, skippedAbortedRecords: skippedAborted,
                                skippedBelowFetchOffset: skippedBelow)
    }

    mutating func run(base: UnsafePointer<UInt8>, count: Int) throws(RecordDecodeError) {
        var pos = 0
        while true {
            let remaining = count - pos
            if remaining < 12 {
                partial = remaining > 0
                break
            }
            let baseOffset = loadInt64(base + pos)
            let size = Int(loadInt32(base + pos + 8))
            // 14 = smallest legacy v0 message (crc, magic, attributes, two null lengths).
            guard size >= 14 else {
                throw .invalidBatch(batchOffset: baseOffset, reason: "batch length \(size) is smaller than any valid batch")
            }
            if remaining - 12 < size {
                partial = true
                break
            }
            let magic = Int8(bitPattern: base[pos + 16])
            switch magic {
            case 2:
                if try !decodeV2(base: base, start: pos, end: pos + 12 + size, baseOffset: baseOffset) { return }
            case 0, 1:
                if try !decodeLegacy(base: base, start: pos, end: pos + 12 + size, magic: magic) { return }
            default:
                throw .unsupportedMagic(batchOffset: baseOffset, magic: magic)
            }
            pos += 12 + size
            consumed = pos
        }
    }

    // MARK: v2

    /// Returns false when decoding must stop before this batch (decompression budget).
    mutating func decodeV2(base: UnsafePointer<UInt8>, start: Int, end: Int, baseOffset: Int64) throws(RecordDecodeError) -> Bool {
        guard end - start >= 61 else {
            throw .invalidBatch(batchOffset: baseOffset, reason: "batch length \(end - start - 12) is below the v2 header size 49")
        }
        let p = base + start
        let storedCRC = UInt32(bitPattern: loadInt32(p + 17))
        if options.verifyChecksums {
            let actual = Checksums.crc32c(p + 21, end - start - 21)
            guard actual == storedCRC else {
                throw .checksumMismatch(batchOffset: baseOffset, magic: 2, expected: storedCRC, actual: actual)
            }
        }
        let attributes = loadInt16(p + 21)
        let lastOffsetDelta = loadInt32(p + 23)
        let baseTimestamp = loadInt64(p + 27)
        let maxTimestamp = loadInt64(p + 35)
        let producerId = loadInt64(p + 43)
        let producerEpoch = loadInt16(p + 51)
        let baseSequence = loadInt32(p + 53)
        let recordsCount = loadInt32(p + 57)
        let codecBits = Int(attributes & 7)
        guard let codec = RecordCompression(rawValue: UInt8(codecBits)) else {
            throw .unknownCompression(batchOffset: baseOffset, codec: codecBits)
        }
        guard lastOffsetDelta >= 0 else {
            throw .invalidBatch(batchOffset: baseOffset, reason: "negative lastOffsetDelta \(lastOffsetDelta)")
        }
        guard recordsCount >= 0 else {
            throw .invalidBatch(batchOffset: baseOffset, reason: "negative record count \(recordsCount)")
        }
        let lastOffset = baseOffset &+ Int64(lastOffsetDelta)
        let isControl = attributes & 0x20 != 0
        let isTransactional = attributes & 0x10 != 0
        let tsType: RecordTimestampType = attributes & 0x08 != 0 ? .logAppendTime : .createTime
        var info = RecordBatchInfo(
            baseOffset: baseOffset, lastOffset: lastOffset, magic: 2, attributes: attributes, compression: codec,
            timestampType: tsType, isTransactional: isTransactional, isControl: isControl,
            producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence,
            partitionLeaderEpoch: loadInt32(p + 12), baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
            recordCount: Int(recordsCount), sizeInBytes: end - start, controlType: nil, aborted: false)

        // read_committed: decide before paying for decompression when we can.
        let filtering = options.readCommitted && producerId >= 0
        if filtering {
            while let top = abortedHeap.peek, top.firstOffset <= lastOffset {
                abortedPids.insert(abortedHeap.pop()!.producerId)
            }
            if !isControl && isTransactional && abortedPids.contains(producerId) {
                info.aborted = true
                skippedAborted += Int(recordsCount)
                batches.append(info)
                batchBuffer.append(0)
                nextOffset = info.nextOffset
                return true
            }
        }

        // Records region, decompressed if needed.
        var bufferIndex: Int32 = 0
        var regionBase = base
        var regionStart = start + 61
        var regionEnd = end
        var decompressed: [UInt8] = []
        if codec != .none {
            let budgetLeft = options.maxDecompressedTotalBytes - decompressedTotal
            let cap = min(batchCap, max(0, budgetLeft))
            let src = UnsafeBufferPointer(start: base + start + 61, count: end - start - 61)
            do throws(CodecError) {
                decompressed = try Decompressor.decompress(codec, src, cap: cap, contexts: contexts)
            } catch {
                switch error {
                case .capExceeded:
                    if cap < batchCap && consumed > 0 {
                        budgetStop = true
                        return false
                    }
                    throw .decompressedSizeExceeded(batchOffset: baseOffset, codec: codec, limit: cap)
                case .failed(let why):
                    throw .decompressionFailed(batchOffset: baseOffset, codec: codec, reason: why)
                }
            }
            decompressedTotal += decompressed.count
            bufferIndex = Int32(buffers.count)
            regionStart = 0
            regionEnd = decompressed.count
        }

        let batchIndex = Int32(batches.count)
        let entriesBefore = entries.count
        let headersBefore = headers.count
        let keepBelow = fetchOffset
        let outcome: (Int, Int, ControlRecordType?)
        if codec == .none {
            outcome = try parseRecords(base: regionBase, start: regionStart, end: regionEnd, count: Int(recordsCount),
                                       baseOffset: baseOffset, baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
                                       logAppend: tsType == .logAppendTime, batchIndex: batchIndex,
                                       minOffset: keepBelow, isControl: isControl)
        } else {
            outcome = try decompressed.withUnsafeBufferPointer { (b) throws(RecordDecodeError) -> (Int, Int, ControlRecordType?) in
                let dummy: UInt8 = 0
                return try withUnsafePointer(to: dummy) { (dp) throws(RecordDecodeError) -> (Int, Int, ControlRecordType?) in
                    regionBase = b.baseAddress ?? dp
                    return try parseRecords(base: regionBase, start: 0, end: regionEnd, count: Int(recordsCount),
                                            baseOffset: baseOffset, baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
                                            logAppend: tsType == .logAppendTime, batchIndex: batchIndex,
                                            minOffset: keepBelow, isControl: isControl)
                }
            }
            buffers.append(decompressed[...])
        }
        skippedBelow += outcome.1
        info.controlType = outcome.2

        if isControl {
            if filtering && outcome.2 == .abort {
                abortedPids.remove(producerId)
            } else if filtering && isTransactional && abortedPids.contains(producerId) {
                // Same rule as data batches (CompletedFetch.isBatchAborted).
                entries.removeSubrange(entriesBefore...)
                headers.removeSubrange(headersBefore...)
                info.aborted = true
            }
            if !options.includeControlRecords {
                skippedControl += entries.count - entriesBefore
                entries.removeSubrange(entriesBefore...)
                headers.removeSubrange(headersBefore...)
            }
        }
        batches.append(info)
        batchBuffer.append(bufferIndex)
        nextOffset = info.nextOffset
        return true
    }

    /// Parses `count` v2 records filling exactly [start, end). Returns (kept, droppedBelowFetchOffset, controlType).
    mutating func parseRecords(base: UnsafePointer<UInt8>, start: Int, end: Int, count: Int,
                               baseOffset: Int64, baseTimestamp: Int64, maxTimestamp: Int64, logAppend: Bool,
                               batchIndex: Int32, minOffset: Int64, isControl: Bool)
        throws(RecordDecodeError) -> (Int, Int, ControlRecordType?) {
        // Each record needs at least 7 bytes, so a larger count is a lie from the peer.
        guard count <= (end - start) / 7 else {
            throw .invalidBatch(batchOffset: baseOffset, reason: "record count \(count) cannot fit in \(end - start) bytes")
        }
        var c = ByteCursor(base: base, pos: start, end: end)
        var kept = 0
        var dropped = 0
        var control: ControlRecordType?
        var i = 0
        do throws(CursorError) {
            while i < count {
                let length = Int(try c.varint())
                guard length >= 0, length <= c.remaining else {
                    throw CursorError(reason: "record length runs past the end of the batch")
                }
                var r = ByteCursor(base: base, pos: c.pos, end: c.pos + length)
                c.pos += length
                _ = try r.u8() // record attributes: unused
                let tsDelta = try r.varlong()
                let offsetDelta = try r.varint()
                let keyLen = try r.varint()
                let keyPos = r.pos
                if keyLen >= 0 { try r.skip(Int(keyLen)) } else if keyLen != -1 {
                    throw CursorError(reason: "negative key length")
                }
                let valueLen = try r.varint()
                let valuePos = r.pos
                if valueLen >= 0 { try r.skip(Int(valueLen)) } else if valueLen != -1 {
                    throw CursorError(reason: "negative value length")
                }
                let headerCount = try r.varint()
                // A header takes at least 2 bytes.
                guard headerCount >= 0, Int(headerCount) <= r.remaining / 2 else {
                    throw CursorError(reason: "invalid header count")
                }
                let offset = baseOffset &+ Int64(offsetDelta)
                let keep = offset >= minOffset
                let headerStart = headers.count
                var h = 0
                while h < headerCount {
                    let hk = try r.varint()
                    guard hk >= 0 else { throw CursorError(reason: "negative header key length") }
                    let hkPos = r.pos
                    try r.skip(Int(hk))
                    let hv = try r.varint()
                    let hvPos = r.pos
                    if hv >= 0 { try r.skip(Int(hv)) } else if hv != -1 {
                        throw CursorError(reason: "negative header value length")
                    }
                    if keep {
                        headers.append(HeaderEntry(keyPos: Int32(hkPos), keyLen: hk,
                                                   valuePos: Int32(hvPos), valueLen: hv))
                    }
                    h += 1
                }
                guard r.pos == r.end else { throw CursorError(reason: "record length does not match its contents") }
                if isControl && i == 0 {
                    guard keyLen >= 4 else { throw CursorError(reason: "control record key shorter than 4 bytes") }
                    control = ControlRecordType(rawType: loadInt16(base + keyPos + 2))
                }
                if keep {
                    let ts = logAppend ? maxTimestamp : baseTimestamp &+ tsDelta
                    entries.append(RecordEntry(offset: offset, timestamp: ts, keyPos: Int32(keyPos), keyLen: keyLen,
                                               valuePos: Int32(valuePos), valueLen: valueLen,
                                               headerStart: Int32(headerStart), headerCount: headerCount,
                                               batchIndex: batchIndex))
                    kept += 1
                } else {
                    dropped += 1
                }
                i += 1
            }
        } catch {
            throw .invalidRecord(batchOffset: baseOffset, recordIndex: i, reason: "\(error.reason)")
        }
        guard c.pos == end else {
            throw .invalidBatch(batchOffset: baseOffset, reason: "\(end - c.pos) bytes left after the declared \(count) records")
        }
        return (kept, dropped, control)
    }

    // MARK: legacy magic 0/1

    struct LegacyMessage {
        var offset: Int64
        var magic: Int8
        var attributes: Int8
        var timestamp: Int64
        var keyPos: Int
        var keyLen: Int32
        var valuePos: Int
        var valueLen: Int32
    }

    /// Parses one legacy message occupying [start, end) (offset and size included) and checks its CRC-32.
    func parseLegacyMessage(base: UnsafePointer<UInt8>, start: Int, end: Int) throws(RecordDecodeError) -> LegacyMessage {
        let offset = loadInt64(base + start)
        var c = ByteCursor(base: base, pos: start + 12, end: end)
        do {
            let stored = UInt32(bitPattern: try c.int32())
            if options.verifyChecksums {
                let actual = Checksums.crc32(base + start + 16, end - start - 16)
                guard actual == stored else {
                    throw RecordDecodeError.checksumMismatch(batchOffset: offset, magic: Int8(bitPattern: base[start + 16]),
                                                             expected: stored, actual: actual)
                }
            }
            let magic = Int8(bitPattern: try c.u8())
            guard magic == 0 || magic == 1 else { throw RecordDecodeError.unsupportedMagic(batchOffset: offset, magic: magic) }
            let attributes = Int8(bitPattern: try c.u8())
            let timestamp = magic == 1 ? try c.int64() : -1
            let keyLen = try c.int32()
            let keyPos = c.pos
            if keyLen >= 0 { try c.skip(Int(keyLen)) } else if keyLen != -1 { throw CursorError(reason: "negative key length") }
            let valueLen = try c.int32()
            let valuePos = c.pos
            if valueLen >= 0 { try c.skip(Int(valueLen)) } else if valueLen != -1 { throw CursorError(reason: "negative value length") }
            guard c.pos == end else { throw CursorError(reason: "message size does not match its contents") }
            return LegacyMessage(offset: offset, magic: magic, attributes: attributes, timestamp: timestamp,
                                 keyPos: keyPos, keyLen: keyLen, valuePos: valuePos, valueLen: valueLen)
        } catch let e as RecordDecodeError {
            throw e
        } catch let e as CursorError {
            throw .invalidBatch(batchOffset: offset, reason: "legacy message: \(e.reason)")
        } catch {
            throw .invalidBatch(batchOffset: offset, reason: "legacy message: \(error)")
        }
    }

    mutating func decodeLegacy(base: UnsafePointer<UInt8>, start: Int, end: Int, magic: Int8) throws(RecordDecodeError) -> Bool {
        let minSize = magic == 0 ? 14 : 22
        let wrapperOffset = loadInt64(base + start)
        guard end - start - 12 >= minSize else {
            throw .invalidBatch(batchOffset: wrapperOffset, reason: "legacy message size \(end - start - 12) is below \(minSize)")
        }
        let m = try parseLegacyMessage(base: base, start: start, end: end)
        let codecBits = Int(m.attributes & 7)
        guard let codec = RecordCompression(rawValue: UInt8(codecBits)), codec != .zstd else {
            throw .unknownCompression(batchOffset: m.offset, codec: codecBits)
        }
        let tsType: RecordTimestampType = magic == 0 ? .none : (m.attributes & 0x08 != 0 ? .logAppendTime : .createTime)
        var info = RecordBatchInfo(
            baseOffset: m.offset, lastOffset: m.offset, magic: magic, attributes: Int16(m.attributes), compression: codec,
            timestampType: tsType, isTransactional: false, isControl: false, producerId: -1, producerEpoch: -1,
            baseSequence: -1, partitionLeaderEpoch: -1, baseTimestamp: m.timestamp, maxTimestamp: m.timestamp,
            recordCount: 1, sizeInBytes: end - start, controlType: nil, aborted: false)
        let batchIndex = Int32(batches.count)

        if codec == .none {
            if m.offset >= fetchOffset {
                entries.append(RecordEntry(offset: m.offset, timestamp: m.timestamp, keyPos: Int32(m.keyPos), keyLen: m.keyLen,
                                           valuePos: Int32(m.valuePos), valueLen: m.valueLen, headerStart: Int32(headers.count),
                                           headerCount: 0, batchIndex: batchIndex))
            } else {
                skippedBelow += 1
            }
            batches.append(info)
            batchBuffer.append(0)
            nextOffset = info.nextOffset
            return true
        }

        // Compressed wrapper: the value is a nested message set.
        guard m.valueLen >= 0 else {
            throw .invalidBatch(batchOffset: m.offset, reason: "compressed legacy wrapper has a null value")
        }
        let budgetLeft = options.maxDecompressedTotalBytes - decompressedTotal
        let cap = min(batchCap, max(0, budgetLeft))
        let inner: [UInt8]
        do throws(CodecError) {
            inner = try Decompressor.decompress(codec, UnsafeBufferPointer(start: base + m.valuePos, count: Int(m.valueLen)),
                                                cap: cap, repairLegacyLZ4: true, contexts: contexts)
        } catch {
            switch error {
            case .capExceeded:
                if cap < batchCap && consumed > 0 {
                    budgetStop = true
                    return false
                }
                throw .decompressedSizeExceeded(batchOffset: m.offset, codec: codec, limit: cap)
            case .failed(let why):
                throw .decompressionFailed(batchOffset: m.offset, codec: codec, reason: why)
            }
        }
        decompressedTotal += inner.count

        var messages: [LegacyMessage] = []
        try inner.withUnsafeBufferPointer { (b) throws(RecordDecodeError) in
            guard let ib = b.baseAddress else { return }
            var pos = 0
            while pos < b.count {
                guard b.count - pos >= 12 else {
                    throw .invalidBatch(batchOffset: m.offset, reason: "compressed legacy message set ends inside a message header")
                }
                let size = Int(loadInt32(ib + pos + 8))
                guard size >= 14, size <= b.count - pos - 12 else {
                    throw .invalidBatch(batchOffset: m.offset, reason: "inner message size \(size) is invalid")
                }
                let im = try parseLegacyMessage(base: ib, start: pos, end: pos + 12 + size)
                guard im.magic == magic else {
                    throw .invalidBatch(batchOffset: m.offset, reason: "inner message magic \(im.magic) differs from wrapper magic \(magic)")
                }
                guard im.attributes & 7 == 0 else {
                    throw .invalidBatch(batchOffset: m.offset, reason: "nested compression inside a compressed message")
                }
                messages.append(im)
                pos += 12 + size
            }
        }
        guard let lastInner = messages.last else {
            throw .invalidBatch(batchOffset: m.offset, reason: "compressed legacy wrapper holds no messages")
        }
        // Magic 1: inner offsets are relative; the wrapper carries the absolute offset of the last one.
        let absoluteBase: Int64 = magic == 1 ? m.offset &- lastInner.offset : 0
        guard absoluteBase >= 0 else {
            throw .invalidBatch(batchOffset: m.offset, reason: "inner relative offsets exceed the wrapper offset")
        }
        let bufferIndex = Int32(buffers.count)
        buffers.append(inner[...])
        for im in messages {
            let offset = absoluteBase &+ im.offset
            let ts = tsType == .logAppendTime ? m.timestamp : im.timestamp
            if offset >= fetchOffset {
                entries.append(RecordEntry(offset: offset, timestamp: ts, keyPos: Int32(im.keyPos), keyLen: im.keyLen,
                                           valuePos: Int32(im.valuePos), valueLen: im.valueLen, headerStart: Int32(headers.count),
                                           headerCount: 0, batchIndex: batchIndex))
            } else {
                skippedBelow += 1
            }
        }
        info.baseOffset = absoluteBase &+ messages[0].offset
        info.recordCount = messages.count
        info.baseTimestamp = messages[0].timestamp
        batches.append(info)
        batchBuffer.append(bufferIndex)
        nextOffset = info.nextOffset
        return true
    }
}

@inline(__always) func loadInt16(_ p: UnsafePointer<UInt8>) -> Int16 {
    Int16(bitPattern: UInt16(bigEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt16.self)))
}
@inline(__always) func loadInt32(_ p: UnsafePointer<UInt8>) -> Int32 {
    Int32(bitPattern: UInt32(bigEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self)))
}
@inline(__always) func loadInt64(_ p: UnsafePointer<UInt8>) -> Int64 {
    Int64(bitPattern: UInt64(bigEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)))
}
