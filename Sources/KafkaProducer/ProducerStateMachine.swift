import KafkaRecords

/// A topic and one of its partitions.
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public var description: String { "\(topic)/\(partition)" }
}

/// A record waiting in the producer, with the caller's id and when it was handed over.
struct PendingRecord: Sendable {
    var id: UInt64
    var record: OutgoingRecord
    var size: Int
    var enqueuedAtNanos: UInt64
}

/// Records of one partition sent together as one record batch.
struct ProducerBatch: Sendable {
    var partition: TopicPartition
    var records: [PendingRecord]
    /// The sequence of the first record, assigned when first sent under idempotence; kept for retries
    /// so the broker recognises a batch it already wrote. nil = not assigned (or reassigned after a reset).
    var baseSequence: Int32?
    var producerId: Int64 = -1
    var producerEpoch: Int16 = -1
    var attempts = 0
    var lastError: ProduceFailure?

    var oldestNanos: UInt64 { records.first?.enqueuedAtNanos ?? 0 }
}

/// One Produce request to one broker, as the state machine planned it.
struct ProduceRequestPlan: Sendable {
    var id: UInt64
    var broker: Int32
    var batches: [ProducerBatch]
}

/// What the broker said about one partition of a Produce request.
enum PartitionOutcome: Sendable {
    case written(baseOffset: Int64?, logAppendTime: Int64?)
    case error(code: Int16, name: String, isRetriable: Bool, message: String?)
    /// The request as a whole failed (connection, timeout, encoding).
    case transport(ProduceFailure, retriable: Bool)
}

/// Partition counts and leaders of one topic, from metadata.
struct ProducerTopicInfo: Sendable {
    /// Leader per partition index (-1 = none right now).
    var leaders: [Int32]
}

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
        var open: [PendingRecord] = []
        var openBytes = 0
        var retry: ProducerBatch?
        var retryAtNanos: UInt64 = 0
        var inFlight = false
        var nextSequence: Int32 = 0
        var sequenceOwner: Int64 = -1

        mutating func add(_ r: PendingRecord) {
            open.append(r)
            openBytes += r.size
        }
    }

    let config: ProducerConfig
    private(set) var producerId: ProducerIdState
    private var topics: [String: ProducerTopicInfo] = [:]
    /// Records for topics whose metadata has not arrived, in arrival order.
    private var waiting: [String: [(PendingRecord, Int32?)]] = [:]
    private var partitions: [TopicPartition: PartitionState] = [:]
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
        let out = OutgoingRecord(key: record.key, value: record.value, headers: record.headers,
                                 timestamp: record.timestamp ?? wallClockMs)
        let pending = PendingRecord(id: id, record: out, size: record.estimatedSize, enqueuedAtNanos: nowNanos)
        pendingCount += 1
        bufferedBytes += pending.size
        guard let info = topics[record.topic] else {
            waiting[record.topic, default: []].append((pending, record.partition))
            needsMetadata = true
            return []
        }
        return route(pending, topic: record.topic, info: info, explicit: record.partition)
    }

    private mutating func route(_ r: PendingRecord, topic: String, info: ProducerTopicInfo, explicit: Int32?) -> [DeliveryReport] {
        let count = info.leaders.count
        let partition: Int32
        if let explicit {
            guard explicit >= 0 && Int(explicit) < count else {
                return [finish(r, topic: topic, partition: explicit, .failure(ProduceFailure(
                    errorName: "UNKNOWN_TOPIC_OR_PARTITION",
                    message: "topic \(topic) has \(count) partition\(count == 1 ? "" : "s"); there is no partition \(explicit)")))]
            }
            partition = explicit
        } else if let key = r.record.key {
            partition = Murmur2Partitioner.partition(forKey: key, partitionCount: count)
        } else {
            let available = info.leaders.indices.filter { info.leaders[$0] >= 0 }.map { Int32($0) }
            partition = sticky.partition(topic: topic, partitionCount: count, available: available)
        }
        // One dictionary access per record (hashing the topic name is most of its cost).
        partitions[TopicPartition(topic: topic, partition: partition), default: PartitionState()].add(r)
        return []
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
    }

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
            guard !state.inFlight, let leader = leader(of: tp) else { continue }
            var batch: ProducerBatch
            if let retry = state.retry {
                guard nowNanos >= state.retryAtNanos else { continue }
                batch = retry
                state.retry = nil
            } else if let first = state.open.first {
                let full = state.openBytes >= config.batchBytes
                guard full || flushing || nowNanos &- first.enqueuedAtNanos >= lingerNanos else { continue }
                var take = 0, bytes = 0
                while take < state.open.count && (take == 0 || bytes + state.open[take].size <= config.batchBytes) {
                    bytes += state.open[take].size
                    take += 1
                }
                batch = ProducerBatch(partition: tp, records: Array(state.open[0..<take]))
                state.open.removeFirst(take)
                state.openBytes -= bytes
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
        for state in partitions.values where !state.inFlight {
            var t: UInt64?
            if state.retry != nil { t = state.retryAtNanos } else if let first = state.open.first { t = first.enqueuedAtNanos &+ lingerNanos }
            if let t { best = min(best ?? t, t) }
        }
        return best
    }

    /// Whether anything waits for a leader that metadata does not know.
    var hasLeaderlessWork: Bool {
        partitions.contains { tp, s in (!s.open.isEmpty || s.retry != nil) && !s.inFlight && leader(of: tp) == nil }
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
                    var second = batch
                    second.records = Array(batch.records[half...])
                    second.baseSequence = nil
                    var first = batch
                    first.records = Array(batch.records[..<half])
                    first.baseSequence = nil
                    partitions[tp]!.open.insert(contentsOf: second.records, at: 0)
                    partitions[tp]!.openBytes += second.records.reduce(0) { $0 + $1.size }
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

    /// Records whose delivery timeout passed while they waited for a leader or metadata.
    mutating func expire(nowNanos: UInt64) -> [DeliveryReport] {
        let limit = Self.nanos(config.deliveryTimeout)
        var reports: [DeliveryReport] = []
        for tp in partitions.keys {
            guard let first = partitions[tp]!.open.first, nowNanos &- first.enqueuedAtNanos >= limit,
                  leader(of: tp) == nil else { continue }
            let f = ProduceFailure(errorName: "LEADER_NOT_AVAILABLE",
                                   message: "\(tp) had no leader for \(config.deliveryTimeout)")
            reports += partitions[tp]!.open.map { finish($0, topic: tp.topic, partition: tp.partition, .failure(f)) }
            partitions[tp]!.open = []
            partitions[tp]!.openBytes = 0
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
        for (tp, s) in partitions {
            reports += (s.retry?.records ?? []).map { finish($0, topic: tp.topic, partition: tp.partition, .failure(f)) }
            reports += s.open.map { finish($0, topic: tp.topic, partition: tp.partition, .failure(f)) }
            partitions[tp]!.retry = nil
            partitions[tp]!.open = []
            partitions[tp]!.openBytes = 0
        }
        for (topic, list) in waiting { reports += list.map { finish($0.0, topic: topic, partition: $0.1, .failure(f)) } }
        waiting = [:]
        return reports
    }

    private mutating func finish(_ r: PendingRecord, topic: String, partition: Int32?,
                                 _ result: Result<DeliveryReport.Delivered, ProduceFailure>) -> DeliveryReport {
        pendingCount -= 1
        bufferedBytes -= r.size
        return DeliveryReport(id: r.id, topic: topic, partition: partition, result: result,
                              valueBytes: r.record.value?.count ?? 0, keyBytes: r.record.key?.count ?? 0)
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
