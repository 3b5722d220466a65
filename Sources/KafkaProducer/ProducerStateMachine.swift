import KafkaRecords

/// The producer's logic without I/O (postgres-nio style): records go in, Produce plans come out,
/// broker answers go in, delivery reports come out. `KafkaProducer` performs the I/O it asks for.
///
/// Ordering: at most one batch per partition is in flight, so a retried batch is always the next
/// one the broker expects and, with idempotence, carries the same producer id, epoch and sequence
/// as its first attempt: a retry of a batch the broker already wrote is answered as a duplicate,
/// never written twice.
struct ProducerStateMachine {
    enum ProducerIdState: Equatable {
        /// acks other than all, idempotence off, or the broker cannot do it.
        case disabled
        case needed
        case ready(id: Int64, epoch: Int16)
    }

    private struct PartitionState {
        /// The batch records are being encoded into.
        var open: ProducerBatch?
        /// Batches that filled up, oldest first, waiting for their turn.
        var sealed: [ProducerBatch] = []
        var retry: ProducerBatch?
        var retryAtNanos: UInt64 = 0
        var inFlight = false
        var nextSequence: Int32 = 0
        var sequenceOwner: Int64 = -1

        var hasWork: Bool { open != nil || !sealed.isEmpty || retry != nil }

        /// Every record held and not in flight, oldest first.
        var heldBatches: [ProducerBatch] { [retry].compactMap { $0 } + sealed + [open].compactMap { $0 } }

        /// Encodes a record into the open batch, sealing it first when the record would overflow it.
        /// Returns whether a batch was sealed.
        mutating func add(id: UInt64, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?, headers: [RecordHeaderValue], timestamp: Int64,
                          size: Int, nowNanos: UInt64, tp: TopicPartition, batchBytes: Int) throws(RecordEncodeError) -> Bool {
            var sealedOne = false
            if let current = open, !current.records.isEmpty, current.builder.uncompressedSize + size > batchBytes {
                sealed.append(current)
                open = nil
                sealedOne = true
            }
            if open == nil {
                // A partition that just filled a batch is busy: its next one gets the whole size at once
                // (no regrowing); others start small (one record from the composer).
                open = ProducerBatch(partition: tp, oldestNanos: nowNanos, capacity: sealedOne ? batchBytes : min(batchBytes, 1 << 16))
            }
            try open!.builder.append(key: key, value: value, headers: headers, timestamp: timestamp)
            open!.records.append(RecordMeta(id: id, size: size, key: key, value: value))
            return sealedOne
        }
    }

    let config: ProducerConfig
    private(set) var producerId: ProducerIdState
    private var topics: [String: ProducerTopicInfo] = [:] {
        didSet { lastTopic = nil }
    }
    /// The previous record's topic and its metadata (records come in runs of one topic).
    private var lastTopic: (name: String, info: ProducerTopicInfo)?
    /// Records for topics whose metadata has not arrived, in arrival order.
    private var waiting: [String: [(PendingRecord, Int32?)]] = [:]
    private var partitions = PartitionTable<PartitionState>()
    private var sticky: StickyPartitioner
    private var nextPlanId: UInt64 = 1
    private(set) var needsMetadata = false
    /// Records handed over and not yet reported, and their bytes (for back-pressure).
    private(set) var pendingCount = 0
    private(set) var bufferedBytes = 0

    init(config: ProducerConfig, seed: UInt32 = 0) {
        self.config = config
        self.producerId = config.idempotence && config.acks == .all ? .needed : .disabled
        self.sticky = StickyPartitioner(seed: seed)
    }

    var isIdle: Bool { pendingCount == 0 }
    var isIdempotent: Bool { producerId != .disabled }

    // MARK: Records in

    /// Takes a record; returns reports for records that fail at once (bad partition, unknown topic).
    mutating func append(id: UInt64, _ record: ProducerRecord, nowNanos: UInt64, wallClockMs: Int64) -> [DeliveryReport] {
        append(id: id, topic: record.topic, partition: record.partition, key: record.key?[...], value: record.value?[...],
               headers: record.headers, timestamp: record.timestamp ?? wallClockMs, nowNanos: nowNanos,
               size: record.estimatedSize)
    }

    /// Takes record `index` of a chunk (its key and value are ranges of the chunk's buffer: no copy).
    mutating func append(id: UInt64, _ chunk: ProducerRecordChunk, at index: Int, nowNanos: UInt64,
                         wallClockMs: Int64) -> [DeliveryReport] {
        let key = chunk.key(at: index), value = chunk.value(at: index)
        return append(id: id, topic: chunk.topic, partition: chunk.partition, key: key, value: value, headers: chunk.headers,
                      timestamp: wallClockMs, nowNanos: nowNanos,
                      size: ProducerRecord.estimatedSize(keyBytes: key?.count ?? 0, valueBytes: value.count,
                                                         headersSize: chunk.headersSize))
    }

    private mutating func append(id: UInt64, topic: String, partition: Int32?, key: ArraySlice<UInt8>?,
                                 value: ArraySlice<UInt8>?, headers: [RecordHeaderValue], timestamp: Int64, nowNanos: UInt64,
                                 size: Int) -> [DeliveryReport] {
        pendingCount += 1
        bufferedBytes += size
        let info: ProducerTopicInfo
        if let last = lastTopic, last.name == topic {
            info = last.info
        } else if let known = topics[topic] {
            info = known
            lastTopic = (topic, known)
        } else {
            let out = OutgoingRecord(key: key.map(Array.init), value: value.map(Array.init), headers: headers, timestamp: timestamp)
            waiting[topic, default: []].append((PendingRecord(id: id, record: out, size: size, enqueuedAtNanos: nowNanos), partition))
            needsMetadata = true
            return []
        }
        return route(id: id, key: key, value: value, headers: headers, timestamp: timestamp, size: size, nowNanos: nowNanos,
                     topic: topic, info: info, explicit: partition)
    }

    private mutating func route(id: UInt64, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?, headers: [RecordHeaderValue], timestamp: Int64,
                                size: Int, nowNanos: UInt64, topic: String, info: ProducerTopicInfo,
                                explicit: Int32?) -> [DeliveryReport] {
        let count = info.leaders.count
        let partition: Int32
        if let explicit {
            guard explicit >= 0 && Int(explicit) < count else {
                return [fail(id: id, size: size, key: key, value: value, topic: topic, partition: explicit, ProduceFailure(
                    errorName: "UNKNOWN_TOPIC_OR_PARTITION",
                    message: "topic \(topic) has \(count) partition\(count == 1 ? "" : "s"); there is no partition \(explicit)"))]
            }
            partition = explicit
        } else if let key {
            partition = Murmur2Partitioner.partition(forKey: key, partitionCount: count)
        } else {
            partition = sticky.partition(topic: topic, leaders: info.leaders)
        }
        let tp = TopicPartition(topic: topic, partition: partition)
        do {
            // In place; PartitionTable skips the hashing when the partition is the previous record's.
            let batchBytes = config.batchBytes
            let sealed = try partitions.update(tp, creating: { PartitionState() }) { (state) throws(RecordEncodeError) in
                try state.add(id: id, key: key, value: value, headers: headers, timestamp: timestamp, size: size,
                              nowNanos: nowNanos, tp: tp, batchBytes: batchBytes)
            }
            if sealed { sticky.batchSent(topic: topic, partition: partition) }
        } catch {
            return [fail(id: id, size: size, key: key, value: value, topic: topic, partition: partition,
                         ProduceFailure(errorName: "RECORD_TOO_LARGE", message: error.message))]
        }
        return []
    }

    private mutating func route(_ r: PendingRecord, topic: String, info: ProducerTopicInfo, explicit: Int32?) -> [DeliveryReport] {
        route(id: r.id, key: r.record.key?[...], value: r.record.value?[...], headers: r.record.headers, timestamp: r.record.timestamp,
              size: r.size, nowNanos: r.enqueuedAtNanos, topic: topic, info: info, explicit: explicit)
    }

    // MARK: Metadata and producer id in

    /// New metadata for the topics asked about; `nil` info = the topic does not exist.
    mutating func metadataUpdated(_ update: [String: ProducerTopicInfo?]) -> [DeliveryReport] {
        needsMetadata = false
        var reports: [DeliveryReport] = []
        for (topic, info) in update {
            if let info, !info.leaders.isEmpty {
                topics[topic] = info
                if info.leaders.contains(where: { $0 < 0 }) { needsMetadata = true }
                for (r, explicit) in waiting.removeValue(forKey: topic) ?? [] {
                    reports += route(r, topic: topic, info: info, explicit: explicit)
                }
            } else if let list = waiting.removeValue(forKey: topic) {
                let f = ProduceFailure(errorName: "UNKNOWN_TOPIC_OR_PARTITION", message: "topic \(topic) does not exist")
                reports += list.map { finish($0.0, topic: topic, partition: $0.1, .failure(f)) }
            }
        }
        return reports
    }

    /// Topics metadata should be fetched for.
    var topicsOfInterest: [String] { Array(Set(topics.keys).union(waiting.keys)).sorted() }

    mutating func producerIdAssigned(id: Int64, epoch: Int16) {
        producerId = .ready(id: id, epoch: epoch)
        producerIdProblem = nil
    }

    /// Why the last InitProducerId failed while it is retried (a retriable error, an unreachable
    /// broker): records that time out waiting for the id say it.
    private(set) var producerIdProblem: String?

    mutating func producerIdFailed(_ why: String) { producerIdProblem = why }

    /// The broker cannot give a producer id (too old, not authorised): continue without idempotence.
    mutating func idempotenceUnavailable() { producerId = .disabled }

    var needsProducerId: Bool { producerId == .needed }

    // MARK: Plans out

    /// Batches ready to go, grouped by leader. `flushing` sends partially filled batches at once.
    mutating func nextRequests(nowNanos: UInt64, flushing: Bool) -> [ProduceRequestPlan] {
        if producerId == .needed { return [] }
        let lingerNanos = Self.nanos(config.linger)
        var byBroker: [Int32: [ProducerBatch]] = [:]
        for tp in partitions.keys {
            var state = partitions[tp]!
            guard !state.inFlight, state.hasWork, let leader = leader(of: tp) else { continue }
            var batch: ProducerBatch
            if let retry = state.retry {
                guard nowNanos >= state.retryAtNanos else { continue }
                batch = retry
                state.retry = nil
            } else if !state.sealed.isEmpty {
                batch = state.sealed.removeFirst()
            } else if let open = state.open {
                let full = open.builder.uncompressedSize >= config.batchBytes
                guard full || flushing || nowNanos &- open.oldestNanos >= lingerNanos else { continue }
                batch = open
                state.open = nil
                sticky.batchSent(topic: tp.topic, partition: tp.partition)
            } else {
                continue
            }
            if case .ready(let id, let epoch) = producerId {
                if batch.baseSequence == nil || batch.producerId != id || batch.producerEpoch != epoch {
                    if state.sequenceOwner != id { state.nextSequence = 0; state.sequenceOwner = id }
                    batch.baseSequence = state.nextSequence
                    batch.producerId = id
                    batch.producerEpoch = epoch
                    state.nextSequence = Self.advance(state.nextSequence, by: batch.records.count)
                }
            }
            batch.attempts += 1
            state.inFlight = true
            partitions[tp] = state
            if config.compression == .none {
                // Stamped here, where the batch is held once, so its header is written without copying it.
                batch.wire = nil
                batch.wire = try? batch.builder.finish(producerId: batch.producerId, producerEpoch: batch.producerEpoch,
                                                       baseSequence: batch.baseSequence ?? -1)
            }
            byBroker[leader, default: []].append(batch)
        }
        return byBroker.sorted { $0.key < $1.key }.map { broker, batches in
            defer { nextPlanId += 1 }
            return ProduceRequestPlan(id: nextPlanId, broker: broker, batches: batches)
        }
    }

    private func leader(of tp: TopicPartition) -> Int32? {
        guard let info = topics[tp.topic], Int(tp.partition) < info.leaders.count else { return nil }
        let l = info.leaders[Int(tp.partition)]
        return l >= 0 ? l : nil
    }

    /// When the machine next has something to do without new input (a linger or a retry backoff ending).
    func nextWakeupNanos() -> UInt64? {
        let lingerNanos = Self.nanos(config.linger)
        var best: UInt64?
        // Leaderless partitions wait for metadata, which has its own timer: counting them here
        // would wake the loop at once, again and again.
        for (tp, state) in partitions.all where !state.inFlight && state.hasWork && leader(of: tp) != nil {
            var t: UInt64?
            if state.retry != nil {
                t = state.retryAtNanos
            } else if let first = state.sealed.first {
                t = first.oldestNanos
            } else if let open = state.open {
                t = open.oldestNanos &+ lingerNanos
            }
            if let t { best = min(best ?? t, t) }
        }
        return best
    }

    /// Whether anything waits for a leader that metadata does not know.
    var hasLeaderlessWork: Bool {
        partitions.all.contains { tp, s in s.hasWork && !s.inFlight && leader(of: tp) == nil }
    }

    // MARK: Answers in

    /// The outcome of a plan, per partition. Returns the reports of records now finished.
    mutating func requestCompleted(_ plan: ProduceRequestPlan, outcomes: [TopicPartition: PartitionOutcome],
                                   nowNanos: UInt64) -> [DeliveryReport] {
        var reports: [DeliveryReport] = []
        for var batch in plan.batches {
            let tp = batch.partition
            partitions[tp]?.inFlight = false
            let outcome = outcomes[tp] ?? .transport(ProduceFailure(message: "the broker's answer left out \(tp)"), retriable: true)
            switch outcome {
            case .written(let base, let appendTime):
                for (i, r) in batch.records.enumerated() {
                    let offset = base.map { $0 + Int64(i) }
                    reports.append(finish(r, topic: tp.topic, partition: tp.partition,
                                          .success(.init(offset: offset, logAppendTime: appendTime))))
                }
            case .error(let code, let name, let retriable, let message):
                let failure = ProduceFailure(errorName: name, message: message ?? "the broker refused the batch")
                batch.lastError = failure
                switch code {
                case 46: // DUPLICATE_SEQUENCE_NUMBER: an earlier attempt was written; its offsets are no longer known.
                    for r in batch.records {
                        reports.append(finish(r, topic: tp.topic, partition: tp.partition, .success(.init(offset: nil, logAppendTime: nil))))
                    }
                case 45, 59, 47, 90: // sequence or producer-id state lost: new producer id, sequences restart.
                    if isIdempotent { producerId = .needed }
                    reports += requeue(batch, nowNanos: nowNanos)
                case 10 where batch.records.count > 1: // MESSAGE_TOO_LARGE: split, as Java does.
                    rewindSequence(batch)
                    let half = batch.records.count / 2
                    let encoded = batch.builder.records()
                    guard encoded.count == batch.records.count else {
                        reports += batch.records.map { finish($0, topic: tp.topic, partition: tp.partition, .failure(failure)) }
                        continue
                    }
                    var first = ProducerBatch(partition: tp, oldestNanos: batch.oldestNanos,
                                              records: batch.records[..<half], encoded: encoded[..<half])
                    first.attempts = batch.attempts
                    first.lastError = failure
                    let second = ProducerBatch(partition: tp, oldestNanos: batch.oldestNanos,
                                               records: batch.records[half...], encoded: encoded[half...])
                    partitions[tp]!.sealed.insert(second, at: 0)
                    reports += requeue(first, nowNanos: nowNanos, backoff: false)
                default:
                    if retriable {
                        needsMetadata = true
                        reports += requeue(batch, nowNanos: nowNanos)
                    } else {
                        rewindSequence(batch)
                        reports += batch.records.map { finish($0, topic: tp.topic, partition: tp.partition, .failure(failure)) }
                    }
                }
            case .transport(let failure, let retriable):
                batch.lastError = failure
                if retriable {
                    needsMetadata = true
                    reports += requeue(batch, nowNanos: nowNanos)
                } else {
                    rewindSequence(batch)
                    reports += batch.records.map { finish($0, topic: tp.topic, partition: tp.partition, .failure(failure)) }
                }
            }
        }
        return reports
    }

    /// Puts a batch back for another attempt, or fails it once the delivery timeout has passed.
    private mutating func requeue(_ batch: ProducerBatch, nowNanos: UInt64, backoff: Bool = true) -> [DeliveryReport] {
        let tp = batch.partition
        if nowNanos &- batch.oldestNanos >= Self.nanos(config.deliveryTimeout) {
            var f = batch.lastError ?? ProduceFailure(message: "not written")
            f.message += " (gave up after \(batch.attempts) attempt\(batch.attempts == 1 ? "" : "s") and \(config.deliveryTimeout))"
            // The broker may have written it (a timeout): a new producer id keeps later sequences valid.
            if isIdempotent { producerId = .needed }
            return batch.records.map { finish($0, topic: tp.topic, partition: tp.partition, .failure(f)) }
        }
        partitions[tp]!.retry = batch
        partitions[tp]!.retryAtNanos = backoff ? nowNanos &+ Self.nanos(config.retryBackoff) : nowNanos
        return []
    }

    /// A batch the broker did not write: the next batch takes its sequence numbers.
    private mutating func rewindSequence(_ batch: ProducerBatch) {
        guard let seq = batch.baseSequence, partitions[batch.partition]?.sequenceOwner == batch.producerId else { return }
        partitions[batch.partition]!.nextSequence = seq
    }

    /// Records whose delivery timeout passed while they could not be sent: waiting for a leader or
    /// metadata, or for a producer id, whether new or waiting for a retry (a batch that failed with a
    /// retriable error while its partition then lost its leader). Oldest batches first, so that a
    /// partition's order holds; a batch younger than the timeout keeps waiting.
    mutating func expire(nowNanos: UInt64) -> [DeliveryReport] {
        let limit = Self.nanos(config.deliveryTimeout)
        let waitingForId = producerId == .needed
        var reports: [DeliveryReport] = []
        for (tp, state) in partitions.all where state.hasWork && !state.inFlight {
            let leaderless = leader(of: tp) == nil
            guard leaderless || waitingForId else { continue }
            var kept = state
            var expired: [ProducerBatch] = []
            func due(_ b: ProducerBatch) -> Bool { nowNanos &- b.oldestNanos >= limit }
            if let r = kept.retry, due(r) { expired.append(r); kept.retry = nil }
            if kept.retry == nil {
                while let s = kept.sealed.first, due(s) { expired.append(kept.sealed.removeFirst()) }
                if kept.sealed.isEmpty, let o = kept.open, due(o) { expired.append(o); kept.open = nil }
            }
            guard !expired.isEmpty else { continue }
            partitions[tp] = kept
            let why = leaderless ? "\(tp) had no leader"
                : "no producer id" + (producerIdProblem.map { " (InitProducerId: \($0))" } ?? "")
            for batch in expired {
                var f: ProduceFailure
                if let last = batch.lastError {
                    f = last
                    f.message += " (gave up after \(batch.attempts) attempt\(batch.attempts == 1 ? "" : "s") and \(config.deliveryTimeout): \(why))"
                    // It may have been written (the broker's answer was lost): a new producer id keeps
                    // the sequences of later batches valid.
                    if isIdempotent { producerId = .needed }
                } else {
                    f = ProduceFailure(errorName: leaderless ? "LEADER_NOT_AVAILABLE" : nil,
                                       message: "\(why) for \(config.deliveryTimeout)")
                }
                reports += batch.records.map { finish($0, topic: tp.topic, partition: tp.partition, .failure(f)) }
            }
        }
        for topic in waiting.keys {
            guard let first = waiting[topic]!.first, nowNanos &- first.0.enqueuedAtNanos >= limit else { continue }
            let f = ProduceFailure(errorName: nil, message: "no metadata for topic \(topic) within \(config.deliveryTimeout)")
            reports += waiting.removeValue(forKey: topic)!.map { finish($0.0, topic: topic, partition: $0.1, .failure(f)) }
        }
        return reports
    }

    /// Fails everything still held (the producer is closing without waiting).
    mutating func abandonAll(reason: String) -> [DeliveryReport] {
        let f = ProduceFailure(message: reason)
        var reports: [DeliveryReport] = []
        for (tp, s) in partitions.all {
            for batch in s.heldBatches {
                reports += batch.records.map { finish($0, topic: tp.topic, partition: tp.partition, .failure(f)) }
            }
            partitions[tp]!.retry = nil
            partitions[tp]!.sealed = []
            partitions[tp]!.open = nil
        }
        for (topic, list) in waiting { reports += list.map { finish($0.0, topic: topic, partition: $0.1, .failure(f)) } }
        waiting = [:]
        return reports
    }

    private mutating func finish(_ r: RecordMeta, topic: String, partition: Int32?,
                                 _ result: Result<DeliveryReport.Delivered, ProduceFailure>) -> DeliveryReport {
        pendingCount -= 1
        bufferedBytes -= Int(r.size)
        return DeliveryReport(id: r.id, topic: topic, partition: partition, result: result,
                              valueBytes: Int(r.valueBytes), keyBytes: Int(r.keyBytes))
    }

    private mutating func finish(_ r: PendingRecord, topic: String, partition: Int32?,
                                 _ result: Result<DeliveryReport.Delivered, ProduceFailure>) -> DeliveryReport {
        finish(RecordMeta(id: r.id, size: r.size, key: r.record.key?[...], value: r.record.value?[...]),
               topic: topic, partition: partition, result)
    }

    /// A record failed before it reached a batch.
    private mutating func fail(id: UInt64, size: Int, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?, topic: String, partition: Int32?,
                               _ failure: ProduceFailure) -> DeliveryReport {
        finish(RecordMeta(id: id, size: size, key: key, value: value), topic: topic, partition: partition, .failure(failure))
    }

    static func advance(_ seq: Int32, by n: Int) -> Int32 {
        let next = Int64(seq) + Int64(n)
        return Int32(next > Int64(Int32.max) ? next - Int64(Int32.max) - 1 : next)
    }

    static func nanos(_ d: Duration) -> UInt64 {
        let c = d.components
        return UInt64(max(0, c.seconds)) * 1_000_000_000 + UInt64(max(0, c.attoseconds / 1_000_000_000))
    }
}
