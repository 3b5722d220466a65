import ClusterModel
import KafkaClient
import KafkaProtocol

/// Which offset ListOffsets should return.
public enum OffsetSpec: Sendable, Hashable {
    case earliest
    /// High watermark (read_uncommitted), as kafka-consumer-groups.sh uses.
    case latest
    /// Last stable offset (read_committed).
    case latestStable
    /// First offset with timestamp ≥ ms, or the end when none.
    case timestamp(Int64)

    var timestamp: Int64 {
        switch self {
        case .earliest: return -2
        case .latest, .latestStable: return -1
        case .timestamp(let t): return t
        }
    }

    var isolationLevel: Int8 { self == .latestStable ? 1 : 0 }
}

/// Offsets for many partitions, plus what could not be read and why.
public struct OffsetLookup: Sendable {
    public var offsets: [TopicPartitionKey: Int64] = [:]
    /// Partition → reason (no leader, broker unreachable, error code).
    public var failures: [TopicPartitionKey: String] = [:]
    public var errors: [SourceError] = []
}

extension KafkaAdminService {
    /// ListOffsets batched per partition leader (one request per leader), retried once after a
    /// metadata refresh for partitions whose leader moved.
    public func offsets(for partitions: [TopicPartitionKey], spec: OffsetSpec) async -> OffsetLookup {
        var result = OffsetLookup()
        guard !partitions.isEmpty else { return result }
        var pending = Array(Set(partitions))
        for attempt in 0..<2 {
            var meta: ClusterMetadata
            do {
                meta = try await client.metadata(refresh: attempt > 0)
                // A topic created since the cached metadata: look again before giving up on it.
                if attempt == 0, pending.contains(where: { meta.topics[$0.topic] == nil }) {
                    meta = try await client.metadata(refresh: true)
                }
            } catch {
                result.errors.append(sourceError(error, source: "metadata"))
                for tp in pending { result.failures[tp] = "metadata unavailable" }
                return result
            }
            var byLeader: [Int32: [TopicPartitionKey]] = [:]
            for tp in pending {
                if let l = meta.leader(topic: tp.topic, partition: tp.partition) {
                    byLeader[l, default: []].append(tp)
                } else if meta.topics[tp.topic] == nil {
                    result.failures[tp] = "unknown topic"
                } else {
                    result.failures[tp] = "no leader"
                }
            }
            let client = self.client
            let batches = await concurrentMap(byLeader.sorted { $0.key < $1.key }) { (leader, tps) in
                await Self.listOffsets(client: client, leader: leader, partitions: tps, spec: spec)
            }
            var retry: [TopicPartitionKey] = []
            for b in batches {
                result.offsets.merge(b.offsets) { $1 }
                if let e = b.error { result.errors.append(e) }
                for (tp, reason) in b.failures {
                    result.failures[tp] = reason
                }
                retry += b.stale
            }
            if retry.isEmpty || attempt == 1 {
                for tp in retry where result.failures[tp] == nil { result.failures[tp] = "leader moved" }
                break
            }
            await client.invalidateMetadata()
            for tp in retry { result.failures[tp] = nil }
            pending = retry
        }
        for tp in result.offsets.keys { result.failures[tp] = nil }
        return result
    }

    struct LeaderBatch: Sendable {
        var offsets: [TopicPartitionKey: Int64] = [:]
        var failures: [TopicPartitionKey: String] = [:]
        var stale: [TopicPartitionKey] = []
        var error: SourceError?
    }

    static func listOffsets(client: KafkaClient, leader: Int32, partitions: [TopicPartitionKey],
                            spec: OffsetSpec) async -> LeaderBatch {
        var out = LeaderBatch()
        var byTopic: [String: [Int32]] = [:]
        for tp in partitions { byTopic[tp.topic, default: []].append(tp.partition) }
        var req = ListOffsetsRequest()
        req.replicaId = -1
        req.isolationLevel = spec.isolationLevel
        req.topics = byTopic.sorted { $0.key < $1.key }.map { topic, parts in
            var t = ListOffsetsRequest.ListOffsetsTopic()
            t.name = topic
            t.partitions = parts.sorted().map { p in
                var rp = ListOffsetsRequest.ListOffsetsPartition()
                rp.partitionIndex = p
                rp.timestamp = spec.timestamp
                return rp
            }
            return t
        }
        req.timeoutMs = 30_000
        do {
            let resp = try await client.withConnection(to: leader) { conn in
                guard let v = conn.negotiatedVersion(ListOffsetsRequest.self) else {
                    throw KafkaClientError.unsupported(conn.endpoint, api: "ListOffsets")
                }
                if spec.isolationLevel == 1 && v < 2 {
                    throw KafkaClientError.unsupported(conn.endpoint, api: "ListOffsets read_committed")
                }
                return try await conn.send(req, version: v)
            }
            for t in resp.topics {
                for p in t.partitions {
                    let tp = TopicPartitionKey(t.name, p.partitionIndex)
                    if p.errorCode == 0 {
                        out.offsets[tp] = p.offset
                    } else if ErrorCodes.needsMetadataRefresh(p.errorCode) {
                        out.stale.append(tp)
                    } else {
                        out.failures[tp] = describeKafkaError(p.errorCode)
                    }
                }
            }
            // Partitions the broker silently left out.
            for tp in partitions where out.offsets[tp] == nil && out.failures[tp] == nil && !out.stale.contains(tp) {
                out.failures[tp] = "missing from the ListOffsets response"
            }
        } catch {
            let e = sourceError(error, source: "broker \(leader)")
            out.error = e
            for tp in partitions { out.failures[tp] = e.message }
        }
        return out
    }
}
