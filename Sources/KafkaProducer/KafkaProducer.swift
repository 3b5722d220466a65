import Foundation
import KafkaClient
import KafkaProtocol
import KafkaRecords
import Logging
import NIOCore

/// Sends records to Kafka: batches per partition, compresses, retries, and reports every record's
/// fate through `onDelivery` (never silently dropped). The logic lives in `ProducerStateMachine`;
/// this actor only performs the I/O it asks for (metadata, InitProducerId, Produce) and the waits.
public actor KafkaProducer {
    public typealias DeliveryHandler = @Sendable ([DeliveryReport]) -> Void

    private let client: KafkaClient
    private let logger: Logger
    private let onDelivery: DeliveryHandler
    private var machine: ProducerStateMachine
    private var nextId: UInt64 = 0
    private var loop: Task<Void, Never>?
    private var loopWaiter: CheckedContinuation<Void, Never>?
    private var wakePending = false
    private var timer: Task<Void, Never>?
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var flushWaiters: [CheckedContinuation<Void, Never>] = []
    private var flushing = 0
    private var inFlightRequests = 0
    private var lastMetadataNanos: UInt64 = 0
    private var closed = false
    private var notices: [String] = []

    public init(client: KafkaClient, config: ProducerConfig = ProducerConfig(),
                logger: Logger = Logger(label: "kafscope.producer"), onDelivery: @escaping DeliveryHandler) {
        self.client = client
        self.logger = logger
        self.onDelivery = onDelivery
        self.machine = ProducerStateMachine(config: config, seed: UInt32.random(in: 0...UInt32.max))
    }

    /// Whether produce requests carry a producer id and sequence numbers (known once the first batch went out).
    public var isIdempotent: Bool { machine.isIdempotent }

    /// Things a person should know (idempotence unavailable ...), oldest first.
    public func takeNotices() -> [String] { defer { notices = [] }; return notices }

    /// Hands records over; returns their ids (consecutive). Waits while the buffer is full.
    @discardableResult
    public func send(_ records: [ProducerRecord]) async -> Range<UInt64> {
        // By index: the record is passed borrowed, not copied (retained and released) per record.
        await handOver(records.count) { machine, id, i, now, wall in
            machine.append(id: id, records[i], nowNanos: now, wallClockMs: wall)
        }
    }

    /// Hands a chunk's records over (keys and values stay in the chunk's buffer until encoded).
    @discardableResult
    public func send(_ chunk: ProducerRecordChunk) async -> Range<UInt64> {
        await handOver(chunk.count) { machine, id, i, now, wall in
            machine.append(id: id, chunk, at: i, nowNanos: now, wallClockMs: wall)
        }
    }

    /// Appends `count` records in order, waiting whenever the buffer is full.
    private func handOver(_ count: Int, _ append: (inout ProducerStateMachine, UInt64, Int, UInt64, Int64) -> [DeliveryReport])
        async -> Range<UInt64> {
        let first = nextId
        // One clock reading per call (records handed over together are stamped together), taken
        // again after a wait for buffer space.
        var now = Self.now(), wall = Self.wallClockMs()
        for i in 0..<count {
            if machine.bufferedBytes >= machine.config.bufferBytes && !closed {
                while machine.bufferedBytes >= machine.config.bufferBytes && !closed {
                    wake()
                    await withCheckedContinuation { spaceWaiters.append($0) }
                }
                now = Self.now()
                wall = Self.wallClockMs()
            }
            let id = nextId
            nextId += 1
            let reports = append(&machine, id, i, now, wall)
            if !reports.isEmpty { deliver(reports) }
        }
        startLoopIfNeeded()
        wake()
        return first..<nextId
    }

    @discardableResult
    public func send(_ record: ProducerRecord) async -> UInt64 { await send([record]).lowerBound }

    /// Sends everything buffered now and returns once every record handed over so far is reported.
    public func flush() async {
        guard !machine.isIdle else { return }
        flushing += 1
        startLoopIfNeeded()
        wake()
        await withCheckedContinuation { flushWaiters.append($0) }
        flushing -= 1
    }

    /// Flushes, then stops the send loop. The client stays open (it belongs to the caller).
    public func close() async {
        await flush()
        closed = true
        wake()
        await loop?.value
        loop = nil
    }

    // MARK: The send loop

    private func startLoopIfNeeded() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
    }

    private func wake() {
        if let w = loopWaiter {
            loopWaiter = nil
            w.resume()
        } else {
            wakePending = true
        }
    }

    private func run() async {
        while !(closed && machine.isIdle && inFlightRequests == 0) {
            // Only while records wait for it: an idle producer does not poll a broker that refuses.
            if machine.needsProducerId && !machine.isIdle { await initProducerId() }
            let now = Self.now()
            if (machine.needsMetadata || machine.hasLeaderlessWork)
                && now &- lastMetadataNanos >= ProducerStateMachine.nanos(machine.config.retryBackoff) {
                await refreshMetadata()
            }
            deliver(machine.expire(nowNanos: Self.now()))
            let plans = machine.nextRequests(nowNanos: Self.now(), flushing: flushing > 0 || closed)
            for plan in plans { launch(plan) }
            resumeWaiters()
            if wakePending { wakePending = false; continue }
            scheduleTimer()
            await withCheckedContinuation { loopWaiter = $0 }
            timer?.cancel()
            timer = nil
        }
        resumeWaiters()
    }

    /// Wakes the loop when the next linger or retry backoff ends (or to poll metadata for a leader).
    private func scheduleTimer() {
        var at = machine.nextWakeupNanos()
        if machine.needsMetadata || machine.hasLeaderlessWork || (machine.needsProducerId && !machine.isIdle) {
            let t = lastMetadataNanos &+ ProducerStateMachine.nanos(machine.config.retryBackoff)
            at = min(at ?? t, t)
        }
        guard let at else { return }
        let now = Self.now()
        let delay = at > now ? at - now : 0
        timer = Task { [weak self] in
            if delay > 0 { try? await Task.sleep(nanoseconds: delay) }
            if Task.isCancelled { return }
            await self?.wake()
        }
    }

    private func resumeWaiters() {
        if machine.bufferedBytes < machine.config.bufferBytes || closed {
            let w = spaceWaiters
            spaceWaiters = []
            for c in w { c.resume() }
        }
        if machine.isIdle {
            let w = flushWaiters
            flushWaiters = []
            for c in w { c.resume() }
        }
    }

    private func deliver(_ reports: [DeliveryReport]) {
        guard !reports.isEmpty else { return }
        onDelivery(reports)
    }

    private func launch(_ plan: ProduceRequestPlan) {
        inFlightRequests += 1
        let client = self.client
        let config = machine.config
        Task {
            let outcomes = await ProduceExchange.perform(plan, client: client, config: config)
            await self.completed(plan, outcomes)
        }
    }

    private func completed(_ plan: ProduceRequestPlan, _ outcomes: [TopicPartition: PartitionOutcome]) {
        inFlightRequests -= 1
        deliver(machine.requestCompleted(plan, outcomes: outcomes, nowNanos: Self.now()))
        resumeWaiters()
        wake()
    }

    // MARK: Metadata and producer id

    private func refreshMetadata() async {
        lastMetadataNanos = Self.now()
        let wanted = machine.topicsOfInterest
        guard !wanted.isEmpty else { _ = machine.metadataUpdated([:]); return }
        do {
            let meta = try await client.metadata(refresh: true)
            var update: [String: ProducerTopicInfo?] = [:]
            for topic in wanted {
                guard let t = meta.topics[topic], t.errorCode == 0 || !t.partitions.isEmpty else {
                    update[topic] = .some(nil)
                    continue
                }
                var leaders = [Int32](repeating: -1, count: Int(t.partitions.map(\.partition).max() ?? -1) + 1)
                for p in t.partitions where p.partition >= 0 { leaders[Int(p.partition)] = p.leader }
                update[topic] = ProducerTopicInfo(leaders: leaders)
            }
            deliver(machine.metadataUpdated(update))
        } catch {
            logger.debug("producer metadata refresh failed", metadata: ["error": "\(error)"])
        }
    }

    private func initProducerId() async {
        do {
            let response: InitProducerIdResponse = try await client.withConnection(to: nil) { conn in
                guard conn.supports(InitProducerIdRequest.self),
                      let produce = conn.negotiatedVersion(ProduceRequest.self), produce >= 3 else {
                    throw KafkaClientError.unsupported(conn.endpoint, api: "InitProducerId")
                }
                var req = InitProducerIdRequest()
                req.transactionalId = nil
                req.transactionTimeoutMs = -1
                return try await conn.send(req)
            }
            if response.errorCode == 0 {
                machine.producerIdAssigned(id: response.producerId, epoch: response.producerEpoch)
                logger.debug("idempotent producer", metadata: ["producer_id": "\(response.producerId)", "epoch": "\(response.producerEpoch)"])
                return
            }
            let code = KafkaErrorCode.lookup(response.errorCode)
            if code.isRetriable {
                // Retried while records wait; they fail at their delivery timeout naming this (expire).
                machine.producerIdFailed(code.name)
                try? await Task.sleep(for: machine.config.retryBackoff)
                return
            }
            disableIdempotence("InitProducerId failed with \(code.name)")
        } catch let e as KafkaClientError {
            if case .unsupported = e { disableIdempotence("the broker does not support idempotent produce") ; return }
            logger.debug("InitProducerId failed", metadata: ["error": "\(e)"])
            machine.producerIdFailed("\(e)")
            try? await Task.sleep(for: machine.config.retryBackoff)
        } catch {
            machine.producerIdFailed("\(error)")
            try? await Task.sleep(for: machine.config.retryBackoff)
        }
    }

    private func disableIdempotence(_ why: String) {
        machine.idempotenceUnavailable()
        notices.append("\(why): retries may write a record twice")
        logger.notice("idempotence unavailable", metadata: ["reason": "\(why)"])
    }

    static func now() -> UInt64 { UInt64(NIODeadline.now().uptimeNanoseconds) }
    static func wallClockMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
