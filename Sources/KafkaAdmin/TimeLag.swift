import ClusterModel
import KafkaClient
import KafkaProtocol
import KafkaRecords

/// A partition and an offset in it.
struct PartitionOffset: Sendable, Hashable {
    var tp: TopicPartitionKey
    var offset: Int64
}

/// Timestamps of records at offsets groups committed, cached per (partition, offset): a group that
/// has not moved costs no request, one that moved costs a read of its new offset only.
actor RecordTimestampCache {
    private var cache: [PartitionOffset: Int64] = [:]
    private let limit: Int
    init(limit: Int = 200_000) { self.limit = limit }

    func lookup(_ wanted: Set<PartitionOffset>) -> (found: [PartitionOffset: Int64], missing: Set<PartitionOffset>) {
        var found: [PartitionOffset: Int64] = [:], missing = Set<PartitionOffset>()
        for w in wanted {
            if let ts = cache[w] { found[w] = ts } else { missing.insert(w) }
        }
        return (found, missing)
    }

    func store(_ read: [PartitionOffset: Int64]) {
        if cache.count + read.count > limit { cache.removeAll(keepingCapacity: true) }
        cache.merge(read) { $1 }
    }
}

extension KafkaAdminService {
    /// Bytes asked per partition: enough for a small batch whole, and always for a batch header
    /// (whose first timestamp stands in when the batch is bigger).
    static let timeLagPartitionBytes: Int32 = 1_024

    /// Timestamps (ms) of the records at `wanted` offsets: cached ones, and the rest with one Fetch per
    /// partition leader (a partition is named once per Fetch, so when several groups sit at different
    /// offsets of one partition a second and third round read the others: at most 3 per leader).
    /// Partitions that cannot be read are left out (their time lag is unknown).
    func recordTimestamps(_ wanted: Set<PartitionOffset>) async -> [PartitionOffset: Int64] {
        guard !wanted.isEmpty else { return [:] }
        var (found, missing) = await recordTimestamps.lookup(wanted)
        guard !missing.isEmpty, let meta = try? await client.metadata() else { return found }
        for _ in 0..<3 where !missing.isEmpty {
            // The smallest missing offset per partition this round.
            var round: [TopicPartitionKey: Int64] = [:]
            for m in missing where round[m.tp].map({ m.offset < $0 }) ?? true { round[m.tp] = m.offset }
            var byLeader: [Int32: [String: [(Int32, Int64)]]] = [:]
            for (tp, offset) in round {
                guard let leader = meta.topics[tp.topic]?.leader(of: tp.partition) else { missing.remove(PartitionOffset(tp: tp, offset: offset)); continue }
                byLeader[leader, default: [:]][tp.topic, default: []].append((tp.partition, offset))
            }
            let client = self.client
            let reads = await concurrentMap(byLeader.sorted { $0.key < $1.key }) { leader, topics in
                await Self.fetchTimestamps(client: client, leader: leader, topics: topics)
            }
            var read: [PartitionOffset: Int64] = [:]
            for r in reads { read.merge(r) { $1 } }
            await recordTimestamps.store(read)
            found.merge(read) { $1 }
            // Asked this round: answered or not, not asked again in this refresh.
            for (tp, offset) in round { missing.remove(PartitionOffset(tp: tp, offset: offset)) }
            missing = missing.filter { found[$0] == nil }
        }
        return found.filter { wanted.contains($0.key) }
    }

    /// One Fetch (a few bytes per partition, answered at once) to `leader` for every partition it leads.
    static func fetchTimestamps(client: KafkaClient, leader: Int32,
                                topics: [String: [(Int32, Int64)]]) async -> [PartitionOffset: Int64] {
        var req = FetchRequest()
        req.replicaId = -1
        // Every partition asked has records at its offset (it lags), so a broker answers at once; tansu
        // answers a Fetch with no wait with no records at all, hence a short wait and one byte minimum.
        req.maxWaitMs = 100
        req.minBytes = 1
        req.maxBytes = Int32(min(Int(Int32.max), max(65_536, topics.values.reduce(0) { $0 + $1.count } * Int(timeLagPartitionBytes))))
        req.isolationLevel = 0
        req.sessionId = 0
        req.sessionEpoch = -1
        req.topics = topics.sorted { $0.key < $1.key }.map { topic, parts in
            var ft = FetchRequest.FetchTopic()
            ft.topic = topic
            ft.partitions = parts.sorted { $0.0 < $1.0 }.map { p, offset in
                var fp = FetchRequest.FetchPartition()
                fp.partition = p
                fp.fetchOffset = offset
                fp.logStartOffset = -1
                fp.partitionMaxBytes = timeLagPartitionBytes
                return fp
            }
            return ft
        }
        let wanted = Dictionary(topics.flatMap { t, ps in ps.map { (TopicPartitionKey(t, $0.0), $0.1) } }, uniquingKeysWith: { a, _ in a })
        guard let resp = try? await client.withConnection(to: leader, { conn -> FetchResponse in
            guard let v = conn.negotiatedVersion(FetchRequest.self), v >= 4 else {
                throw KafkaClientError.unsupported(conn.endpoint, api: "Fetch v4+")
            }
            // v13+ names topics by id only; names are what we have here.
            return try await conn.send(req, version: min(v, 12))
        }) else { return [:] }
        var out: [PartitionOffset: Int64] = [:]
        for t in resp.responses {
            for p in t.partitions where p.errorCode == 0 {
                let tp = TopicPartitionKey(t.topic, p.partitionIndex)
                guard let offset = wanted[tp], let bytes = p.records, !bytes.isEmpty else { continue }
                // Every record the bytes hold is cached: other groups may sit on those offsets.
                if let set = try? RecordSet.decode(bytes, fetchOffset: offset) {
                    for r in set { out[PartitionOffset(tp: tp, offset: r.offset)] = r.timestamp }
                }
                if out[PartitionOffset(tp: tp, offset: offset)] == nil, let ts = timestamp(in: bytes, at: offset) {
                    out[PartitionOffset(tp: tp, offset: offset)] = ts
                }
            }
        }
        return out
    }

    /// The timestamp of the first record at or after `offset` in a fetched record set; from the
    /// batch header (its first timestamp) when the batch was cut by the byte limit.
    static func timestamp(in bytes: [UInt8], at offset: Int64) -> Int64? {
        if let set = try? RecordSet.decode(bytes, fetchOffset: offset), let first = set.first(where: { $0.offset >= offset }) {
            return first.timestamp
        }
        // v2 batch header: baseOffset(8) batchLength(4) leaderEpoch(4) magic(1) crc(4) attributes(2)
        // lastOffsetDelta(4) baseTimestamp(8) maxTimestamp(8).
        guard bytes.count >= 43, bytes[16] == 2 else { return nil }
        func int64(_ at: Int) -> Int64 { bytes[at..<at + 8].reduce(Int64(0)) { $0 << 8 | Int64($1) } }
        let ts = int64(27)
        return ts >= 0 ? ts : nil
    }
}
