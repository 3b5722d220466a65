import ClusterModel
import KafkaClient
import KafkaProtocol
import KafkaRecords

/// From fetched bytes to the records a reader sees: decoding with the tail's limits, and the
/// conversion of decoded records to `TailRecord`s (skipping those before a `--from` time floor).
enum TailRecordConversion {
    static func decodeOptions(_ settings: TailSettings, readCommitted: Bool,
                              aborted: [FetchResponse.AbortedTransaction]?) -> RecordDecodeOptions {
        var opts = RecordDecodeOptions()
        opts.maxDecompressedBatchBytes = settings.decompressedBatchCap
        opts.verifyChecksums = settings.verifyChecksums
        opts.readCommitted = readCommitted
        opts.abortedTransactions = (aborted ?? []).map {
            KafkaRecords.AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
        }
        return opts
    }

    /// The records of `set` as `TailRecord`s, without those older than `floor` (until the first one
    /// at or after it); answers how many were skipped and whether the floor was reached.
    static func convert(_ set: DecodedRecordSet, topic: String, partition p: Int32,
                        floor: Int64?) -> (records: [TailRecord], skipped: Int, reachedFloor: Bool) {
        var out: [TailRecord] = []
        out.reserveCapacity(set.count)
        var floor = floor
        var skipped = 0
        var reached = false
        for r in set {
            if let f = floor {
                if r.timestamp < f { skipped += 1; continue }
                floor = nil
                reached = true
            }
            out.append(TailRecord(topic: topic, partition: p, offset: r.offset, timestamp: r.timestamp,
                                  timestampType: timestampType(r.timestampType), key: r.key, value: r.value,
                                  headers: r.headers.map { RecordHeader(key: $0.key, value: $0.value) },
                                  size: r.payloadSize))
        }
        return (out, skipped, reached)
    }

    static func timestampType(_ t: RecordTimestampType) -> ClusterModel.TimestampType {
        switch t {
        case .createTime: return .createTime
        case .logAppendTime: return .logAppendTime
        case .none: return .none
        }
    }
}

extension TailRun {
    /// Decodes one partition's records and emits them; false when the reader has gone or decoding failed.
    func handleRecords(_ pd: FetchResponse.PartitionData, partition p: Int32, position pos: Int64, generation: Int) async -> Bool {
        guard let bytes = pd.records, !bytes.isEmpty else { return true }
        let opts = TailRecordConversion.decodeOptions(service.settings, readCommitted: options.readCommitted,
                                                      aborted: pd.abortedTransactions)
        let set: DecodedRecordSet
        do {
            set = try RecordSet.decode(bytes, fetchOffset: pos, options: opts)
        } catch {
            continuation.finish(throwing: UserFacingError("\(topic) partition \(p): \(error)"))
            return false
        }
        if set.bytesConsumed == 0 && set.endedWithPartialBatch {
            // One batch is larger than the per-partition limit: ask for more next time.
            let d = service.settings.partitionMaxBytes
            let n = await state.with({ $0.growMaxBytes(p, default: d) })
            await emit(.notice("\(topic) partition \(p): a record batch exceeds the fetch size; raising it to \(n) bytes"))
            return true
        }
        guard set.nextFetchOffset > pos || !set.isEmpty else { return true }
        let next = set.nextFetchOffset
        guard await state.with({ $0.advance(p, from: pos, to: next, generation: generation) }) else { return true }
        var floor: Int64?
        if case .timestamp = options.start { floor = await state.with({ $0.floor(p) }) }
        if !set.isEmpty {
            var (out, skipped, reached) = TailRecordConversion.convert(set, topic: topic, partition: p, floor: floor)
            if options.until != nil {
                var untilTime: Int64?
                if case .timestamp(let t) = options.until { untilTime = t }
                let converted = out
                out = await state.with({ $0.clip(p, converted, untilTime: untilTime) })
            }
            if floor != nil, let n = await state.with({ $0.passFloor(p, skipped: skipped, reached: reached) }), n > 0 {
                await emit(.notice("\(topic) partition \(p): skipped \(n) records older than the start time that the broker's timestamp lookup returned"))
            }
            if !out.isEmpty {
                guard await emit(.records(out)) else { return false }
            }
        }
        await state.with({ $0.markDelivered(p, next) })
        if await state.with({ $0.takeCaughtUp() }) { return await reachedEnd() }
        return true
    }
}
