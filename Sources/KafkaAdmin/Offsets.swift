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
    public var offsets = PartitionMap<Int64>()
    /// Partition → reason (no leader, broker unreachable, error code).
    public var failures = PartitionMap<String>()
    public var errors: [SourceError] = []
}

extension KafkaAdminService {
    /// ListOffsets batched per partition leader (one request per leader). Partitions answered with a
    /// retriable error (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, ...) are asked again after a
    /// metadata refresh, with the short capped backoff of `RetryPolicy.reads`.
    public func offsets(for partitions: [TopicPartitionKey], spec: OffsetSpec) async -> OffsetLookup {
        var byTopic: [String: Set<Int32>] = [:]
        var i = partitions.startIndex
        while i < partitions.endIndex {
            // Callers list a topic's partitions together: hash the name once per run.
            let topic = partitions[i].topic
            var run: [Int32] = []
            while i < partitions.endIndex && partitions[i].topic == topic {
                run.append(partitions[i].partition)
                i += 1
            }
            byTopic[topic, default: []].formUnion(run)
        }
        return await offsets(forTopics: byTopic.mapValues { $0.sorted() }, spec: spec)
    }

    /// The same, with partitions given per topic (each listed once).
    public func offsets(forTopics topics: [String: [Int32]], spec: OffsetSpec) async -> OffsetLookup {
        var result = OffsetLookup()
        var pending = topics.filter { !$0.value.isEmpty }
        guard !pending.isEmpty else { return result }
        var lastErrors = PartitionMap<String>()
        let policy = RetryPolicy.reads
        let attempts = (policy.maxFailures ?? 3) + 1
        for attempt in 0..<attempts {
            var meta: ClusterMetadata
            do {
                meta = try await client.metadata(refresh: attempt > 0)
                // A topic created since the cached metadata: look again before giving up on it.
                if attempt == 0, pending.keys.contains(where: { meta.topics[$0] == nil }) {
                    meta = try await client.metadata(refresh: true)
                }
            } catch {
                result.errors.append(sourceError(error, source: "metadata"))
                for (t, parts) in pending { for p in parts { result.failures[t, p] = "metadata unavailable" } }
                return result
            }
            // Per leader, the (topic, partitions) it answers for. Few leaders: small linear lists.
            var byLeader: [Int32: [(String, [Int32])]] = [:]
            for (topic, parts) in pending {
                guard let t = meta.topics[topic] else {
                    for p in parts { result.failures[topic, p] = "unknown topic" }
                    continue
                }
                var mine: [(leader: Int32, parts: [Int32])] = []
                for p in parts {
                    guard let l = t.leader(of: p) else { result.failures[topic, p] = "no leader"; continue }
                    if let j = mine.firstIndex(where: { $0.leader == l }) { mine[j].parts.append(p) } else { mine.append((l, [p])) }
                }
                for m in mine { byLeader[m.leader, default: []].append((topic, m.parts)) }
            }
            let client = self.client
            let batches = await concurrentMap(byLeader.sorted { $0.key < $1.key }) { (leader, tps) in
                await Self.listOffsets(client: client, leader: leader, partitions: tps, spec: spec)
            }
            var retry: [String: [Int32]] = [:]
            for b in batches {
                result.offsets.merge(b.offsets)
                result.failures.merge(b.failures)
                if let e = b.error { result.errors.append(e) }
                for (t, ps) in b.stale { retry[t, default: []] += ps }
                lastErrors.merge(b.lastError)
            }
            if retry.isEmpty || attempt == attempts - 1 {
                for (t, ps) in retry {
                    for p in ps where result.failures[t, p] == nil { result.failures[t, p] = lastErrors[t, p] ?? "leader moved" }
                }
                break
            }
            try? await Task.sleep(for: policy.delay(afterFailures: attempt + 1))
            await client.invalidateMetadata()
            for (t, ps) in retry { for p in ps { result.failures[t, p] = nil } }
            pending = retry
        }
        if !result.failures.isEmpty {
            for (t, values) in result.offsets.byTopic { for p in values.keys { result.failures[t, p] = nil } }
        }
        return result
    }

    struct LeaderBatch: Sendable {
        var offsets = PartitionMap<Int64>()
        var failures = PartitionMap<String>()
        var stale: [String: [Int32]] = [:]
        /// Why the stale partitions failed, for when the last attempt still fails.
        var lastError = PartitionMap<String>()
        var error: SourceError?
    }

    static func listOffsets(client: KafkaClient, leader: Int32, partitions: [(String, [Int32])],
                            spec: OffsetSpec) async -> LeaderBatch {
        var out = LeaderBatch()
        var req = ListOffsetsRequest()
        req.replicaId = -1
        req.isolationLevel = spec.isolationLevel
        req.topics = partitions.map { topic, parts in
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
                var got: [Int32: Int64] = [:]
                got.reserveCapacity(t.partitions.count)
                for p in t.partitions {
                    if p.errorCode == 0 {
                        got[p.partitionIndex] = p.offset
                    } else if KafkaErrorCode.lookup(p.errorCode).isRetriable {
                        out.stale[t.name, default: []].append(p.partitionIndex)
                        out.lastError[t.name, p.partitionIndex] = describeKafkaError(p.errorCode)
                    } else {
                        out.failures[t.name, p.partitionIndex] = describeKafkaError(p.errorCode)
                    }
                }
                out.offsets.merge(topic: t.name, got)
            }
            // Partitions the broker silently left out.
            for (topic, parts) in partitions {
                let got = out.offsets.byTopic[topic]
                for p in parts where got?[p] == nil && out.failures[topic, p] == nil
                    && out.stale[topic]?.contains(p) != true {
                    out.failures[topic, p] = "missing from the ListOffsets response"
                }
            }
        } catch {
            let e = sourceError(error, source: "broker \(leader)")
            out.error = e
            for (topic, parts) in partitions { for p in parts { out.failures[topic, p] = e.message } }
        }
        return out
    }
}
