import ClusterModel
import Foundation
import SchemaRegistry

/// A tail whose records are decoded through the registry (and local .proto schemas) before they
/// reach the browser, on the tail's tasks, never on the UI thread. Each partition is a lane of its
/// own: a partition waiting for a slow schema holds only its own records (in order), the others
/// go on. A failure is the record's own: its raw bytes and the reason.
public struct DecodingTailService: TailService {
    let inner: any TailService
    let decoder: RecordDecoder
    /// Batches a lane may hold while its schema is fetched before the tail stops reading more
    /// (memory stays bounded when a registry hangs; the other lanes then wait too).
    static let laneLimit = 64

    public init(inner: any TailService, decoder: RecordDecoder) {
        self.inner = inner
        self.decoder = decoder
    }

    public func tail(_ options: TailOptions) -> AsyncThrowingStream<TailEvent, Error> {
        let source = inner.tail(options)
        let decoder = self.decoder
        return AsyncThrowingStream { continuation in
            let lanes = PartitionLanes()
            let task = Task {
                do {
                    for try await event in source {
                        guard case .records(let records) = event else {
                            continuation.yield(event)
                            continue
                        }
                        var order: [Int32] = []
                        var byPartition: [Int32: [TailRecord]] = [:]
                        for r in records {
                            if byPartition[r.partition] == nil { order.append(r.partition) }
                            byPartition[r.partition, default: []].append(r)
                        }
                        for p in order {
                            let batch = byPartition[p]!
                            await lanes.submit(p, limit: Self.laneLimit) {
                                continuation.yield(.records(await Self.decode(batch, decoder)))
                            }
                        }
                    }
                    await lanes.drain()
                    continuation.finish()
                } catch {
                    await lanes.drain()
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                Task { await lanes.cancelAll() }
            }
        }
    }

    static func decode(_ records: [TailRecord], _ decoder: RecordDecoder) async -> [TailRecord] {
        let schemas = await decoder.resolve(records.map(\.key) + records.map(\.value))
        var out = records
        for i in out.indices {
            let r = out[i]
            out[i].decodedKey = decoder.decode(key: r.key, topic: r.topic, schemas: schemas).flatMap(Self.shown)
            out[i].decodedValue = decoder.decode(value: r.value, topic: r.topic, schemas: schemas).flatMap(Self.shown)
        }
        return out
    }

    /// Schema decodings only: the plain formats (text, hex...) are the browser's own `m`/`M` modes.
    static func shown(_ d: DecodedPayload) -> SchemaDecoded? {
        guard d.schemaID != nil || d.format == "protobuf" || d.format == "avro" || d.format == "json-schema" else { return nil }
        return SchemaDecoded(format: d.format, schemaID: d.schemaID, subject: d.subject, version: d.version, json: d.json, error: d.error)
    }
}

/// One chain of work per partition: a partition's batches run in the order submitted, partitions
/// run independently of each other.
actor PartitionLanes {
    var last: [Int32: Task<Void, Never>] = [:]
    var pending: [Int32: Int] = [:]

    func submit(_ partition: Int32, limit: Int, _ work: @escaping @Sendable () async -> Void) async {
        if pending[partition, default: 0] >= limit, let tail = last[partition] {
            await tail.value  // backpressure: this lane is far behind
        }
        let previous = last[partition]
        pending[partition, default: 0] += 1
        last[partition] = Task {
            await previous?.value
            if !Task.isCancelled { await work() }
            self.finished(partition)
        }
    }

    func finished(_ partition: Int32) {
        pending[partition, default: 1] -= 1
    }

    func drain() async {
        for task in last.values { await task.value }
    }

    func cancelAll() {
        for task in last.values { task.cancel() }
    }
}
