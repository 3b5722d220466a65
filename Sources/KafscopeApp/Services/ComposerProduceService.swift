import ClusterModel
import Foundation
import KafkaClient
import KafkaProducer
import KafkaRecords
import Logging

/// The terminal UI's produce composer sends through this: one idempotent `KafkaProducer` (acks=all)
/// per codec on one client, each record flushed at once and answered with its own delivery report.
/// Only the write flow calls it, after the confirmation.
public actor ComposerProduceService: ProduceService {
    let client: KafkaClient
    let logger: Logger
    private var producers: [ProduceCompression: KafkaProducer] = [:]
    private let reports = DeliveryReports()

    public init(client: KafkaClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func produce(_ draft: ProduceDraft) async throws -> ProducedRecord {
        let producer = self.producer(draft.compression)
        let record = ProducerRecord(topic: draft.topic, partition: draft.partition, key: draft.key, value: draft.value,
                                    headers: draft.headers.map { RecordHeaderValue(key: $0.key, value: $0.value) },
                                    timestamp: draft.timestamp)
        let id = await producer.send(record)
        await producer.flush()
        guard let report = reports.take(draft.compression, id) else {
            throw UserFacingError("no delivery report for the record sent to \(draft.topic)")
        }
        switch report.result {
        case .success(let d):
            guard let p = report.partition else { throw UserFacingError("the broker answered no partition") }
            return ProducedRecord(topic: draft.topic, partition: p, offset: d.offset, logAppendTime: d.logAppendTime)
        case .failure(let f):
            throw UserFacingError(f.description)
        }
    }

    public func close() async {
        for p in producers.values { await p.close() }
        producers = [:]
    }

    private func producer(_ c: ProduceCompression) -> KafkaProducer {
        if let p = producers[c] { return p }
        let codec = RecordCompression.allCases.first { $0.description == c.rawValue } ?? .none
        let reports = self.reports
        let p = KafkaProducer(client: client, config: ProducerConfig(compression: codec, linger: .zero), logger: logger) {
            reports.add(c, $0)
        }
        producers[c] = p
        return p
    }
}

/// Delivery reports by producer and record id, until the sender takes its own.
final class DeliveryReports: @unchecked Sendable {
    // @unchecked: `items` is only touched while holding `lock`.
    private let lock = NSLock()
    private var items: [ProduceCompression: [UInt64: DeliveryReport]] = [:]

    func add(_ c: ProduceCompression, _ rs: [DeliveryReport]) {
        lock.lock()
        for r in rs { items[c, default: [:]][r.id] = r }
        lock.unlock()
    }

    func take(_ c: ProduceCompression, _ id: UInt64) -> DeliveryReport? {
        lock.lock()
        defer { lock.unlock() }
        return items[c]?.removeValue(forKey: id)
    }
}
