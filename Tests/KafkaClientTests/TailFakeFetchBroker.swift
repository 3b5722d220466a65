import Foundation
import KafkaProtocol
import KafkaRecords
import KafkaWire
import Synchronization

/// A Fetch handler for `FakeCluster` that keeps KIP-227 fetch sessions as a Kafka broker does
/// (create on epoch 0, close on epoch -1, FETCH_SESSION_ID_NOT_FOUND / INVALID_FETCH_SESSION_EPOCH,
/// incremental responses with only the partitions that have data) over a per-partition record log.
/// Every request is recorded with what the broker's session held, so tests can assert on it.
final class FakeFetchBroker: Sendable {
    struct Entry: Sendable, Hashable {
        var broker: Int32
        var version: Int16
        var sessionId: Int32
        var epoch: Int32
        var isolation: Int8
        /// (partition, fetch offset) as listed in the request.
        var sent: [Int32: Int64]
        var sentOrder: [Int32]
        var forgotten: [Int32]
        /// Sent partitions whose state the session already held (an incremental request should omit them).
        var redundant: [Int32]
        var errorCode: Int16
        var responseSessionId: Int32
        /// Partitions in the response, and those with records.
        var answered: [Int32]
        var withRecords: [Int32]
        var full: Bool { epoch <= 0 }
    }

    struct Session: Sendable {
        var nextEpoch: Int32
        var partitions: [Int32: FetchRequest.FetchPartition]
    }

    struct RawLog: Sendable {
        var batches: [(base: Int64, last: Int64, bytes: [UInt8])]
        var end: Int64
        var aborted: [FetchResponse.AbortedTransaction]
    }

    struct State: Sendable {
        /// topic → partition → values (offset = log start + index).
        var logs: [String: [Int32: [[UInt8]]]] = [:]
        var logStart: [String: [Int32: Int64]] = [:]
        var sessions: [Int32: Session] = [:]
        var nextSessionId: Int32 = 1000
        var sessionsEnabled = true
        /// Records per partition per response (small, so a tail needs many fetches).
        var perFetch = 7
        var entries: [Entry] = []
        /// Partitions served from prepared record batches instead of `logs` (transactions, control batches):
        /// topic → partition → batches (base offset, bytes), log end, aborted transactions for read_committed.
        var raw: [String: [Int32: RawLog]] = [:]
        /// When a session sends this (topic, partition, offset), the log start moves to `to` first.
        var truncate: (topic: String, partition: Int32, at: Int64, to: Int64)?
    }

    let state = Mutex(State())
    let cluster: FakeCluster

    init(cluster: FakeCluster, topics: [String: Int]) {
        self.cluster = cluster
        state.withLock { s in
            for (t, n) in topics {
                s.logs[t] = Dictionary(uniqueKeysWithValues: (0..<Int32(n)).map { ($0, []) })
                s.logStart[t] = Dictionary(uniqueKeysWithValues: (0..<Int32(n)).map { ($0, 0) })
            }
        }
        cluster.setHandler(.fetch) { [weak self] c, r in
            guard let self else { throw FakeClusterError("fetch broker gone") }
            return try self.handle(c, r)
        }
    }

    var entries: [Entry] { state.withLock { $0.entries } }

    /// Appends values to a partition and moves the high watermark ListOffsets reports.
    func append(_ topic: String, partition p: Int32, _ values: [String]) {
        let end = state.withLock { s -> Int64 in
            s.logs[topic]![p]!.append(contentsOf: values.map { Array($0.utf8) })
            return s.logStart[topic]![p]! + Int64(s.logs[topic]![p]!.count)
        }
        cluster.update { $0.topics[topic]!.partitions[Int(p)].latest = end }
    }

    /// Adds a partition to the topic (as CreatePartitions would), led by `leader`, holding `values`.
    func addPartition(_ topic: String, leader: Int32, _ values: [String]) {
        state.withLock { s in
            let p = Int32(s.logs[topic]!.count)
            s.logs[topic]![p] = values.map { Array($0.utf8) }
            s.logStart[topic]![p] = 0
        }
        cluster.update {
            $0.topics[topic]!.partitions.append(FakePartition(leader: leader, replicas: [leader], isr: [leader],
                                                              earliest: 0, latest: Int64(values.count)))
        }
    }

    /// Forgets every session, as a restarted broker or cache eviction would: the next incremental
    /// request gets FETCH_SESSION_ID_NOT_FOUND.
    func evictSessions() { state.withLock { $0.sessions = [:] } }

    /// Moves every session's expected epoch on, as if a request had been lost: the next incremental
    /// request gets INVALID_FETCH_SESSION_EPOCH.
    func skewEpochs() { state.withLock { s in for k in s.sessions.keys { s.sessions[k]!.nextEpoch &+= 5 } } }

    /// Serves a partition from prepared batches; ListOffsets reports `end`.
    func setRaw(_ topic: String, partition p: Int32, _ log: RawLog) {
        state.withLock { $0.raw[topic, default: [:]][p] = log }
        cluster.update { $0.topics[topic]!.partitions[Int(p)].latest = log.end }
    }

    func setSessionsEnabled(_ on: Bool) { state.withLock { $0.sessionsEnabled = on } }

    func truncate(_ topic: String, partition: Int32, whenFetchedAt at: Int64, to: Int64) {
        state.withLock { $0.truncate = (topic, partition, at, to) }
    }

    private func handle(_ c: FakeCluster, _ r: FakeRequest) throws -> [UInt8] {
        let v = r.frame.apiVersion
        let req = try FetchRequest(bytes: r.frame.body, version: v)
        let (topicsState, idToName) = try c.read { s in
            (s.topics, Dictionary(s.topics.map { ($0.value.topicId, $0.key) }, uniquingKeysWith: { a, _ in a }))
        }
        func name(_ topic: String, _ id: KafkaUUID) -> String { v >= 13 ? (idToName[id] ?? "?") : topic }

        var resp = FetchResponse()
        var truncatedTo: (String, Int32, Int64)?
        let (entry, hasData): (Entry, Bool) = state.withLock { s in
            var e = Entry(broker: r.broker, version: v, sessionId: req.sessionId, epoch: req.sessionEpoch,
                          isolation: req.isolationLevel, sent: [:], sentOrder: [], forgotten: [], redundant: [],
                          errorCode: 0, responseSessionId: 0, answered: [], withRecords: [])
            var requested: [(String, FetchRequest.FetchPartition)] = []
            for t in req.topics {
                for p in t.partitions {
                    requested.append((name(t.topic, t.topicId), p))
                    e.sent[p.partition] = p.fetchOffset
                    e.sentOrder.append(p.partition)
                }
            }
            for f in req.forgottenTopicsData { e.forgotten += f.partitions }
            // Which partitions this response covers, at what offsets.
            var covered: [(String, FetchRequest.FetchPartition)] = requested
            var incremental = false
            if v >= 7 {
                let sid = req.sessionId, epoch = req.sessionEpoch
                if epoch == -1 {
                    if sid != 0 { s.sessions[sid] = nil }
                } else if epoch == 0 {
                    if sid != 0 { s.sessions[sid] = nil }
                    if s.sessionsEnabled {
                        let id = s.nextSessionId
                        s.nextSessionId += 1
                        s.sessions[id] = Session(nextEpoch: 1, partitions: Dictionary(requested.map { ($0.1.partition, $0.1) },
                                                                                      uniquingKeysWith: { _, b in b }))
                        resp.sessionId = id
                    }
                } else if var sess = s.sessions[sid] {
                    if sess.nextEpoch != epoch {
                        resp.errorCode = 71
                    } else {
                        for (_, p) in requested {
                            if let old = sess.partitions[p.partition], old == p { e.redundant.append(p.partition) }
                            sess.partitions[p.partition] = p
                        }
                        for f in e.forgotten { sess.partitions[f] = nil }
                        sess.nextEpoch = epoch == Int32.max ? 1 : epoch + 1
                        s.sessions[sid] = sess
                        resp.sessionId = sid
                        incremental = true
                        // One topic per session in these tests.
                        let topic = requested.first?.0 ?? topicsState.keys.sorted().first ?? ""
                        covered = sess.partitions.keys.sorted().map { (topic, sess.partitions[$0]!) }
                    }
                } else {
                    resp.errorCode = 70
                }
            }
            e.errorCode = resp.errorCode
            e.responseSessionId = resp.sessionId
            var any = false
            if resp.errorCode == 0 {
                var byTopic: [String: [FetchResponse.PartitionData]] = [:]
                for (t, fp) in covered {
                    var pd = FetchResponse.PartitionData()
                    pd.partitionIndex = fp.partition
                    guard let topic = topicsState[t], Int(fp.partition) < topic.partitions.count,
                          var log = s.logs[t]?[fp.partition], var start = s.logStart[t]?[fp.partition] else {
                        pd.errorCode = 3
                        byTopic[t, default: []].append(pd)
                        continue
                    }
                    if topic.partitions[Int(fp.partition)].leader != r.broker {
                        pd.errorCode = 6
                        byTopic[t, default: []].append(pd)
                        continue
                    }
                    if let raw = s.raw[t]?[fp.partition] {
                        pd.highWatermark = raw.end
                        pd.lastStableOffset = raw.end
                        pd.logStartOffset = 0
                        // Kafka lists aborted transactions only for read_committed (null otherwise).
                        pd.abortedTransactions = req.isolationLevel == 1 ? raw.aborted : nil
                        let from = raw.batches.filter { $0.last >= fp.fetchOffset }
                        if fp.fetchOffset > raw.end {
                            pd.errorCode = 1
                        } else if !from.isEmpty {
                            pd.records = from.flatMap(\.bytes)
                            any = true
                        } else if incremental {
                            continue
                        }
                        byTopic[t, default: []].append(pd)
                        continue
                    }
                    if let tr = s.truncate, tr.topic == t, tr.partition == fp.partition, tr.at == fp.fetchOffset {
                        // Retention removes the head of the log.
                        let drop = Int(min(Int64(log.count), tr.to - start))
                        log.removeFirst(drop)
                        start += Int64(drop)
                        s.logs[t]![fp.partition] = log
                        s.logStart[t]![fp.partition] = start
                        s.truncate = nil
                        truncatedTo = (t, fp.partition, start)
                    }
                    let end = start + Int64(log.count)
                    pd.highWatermark = end
                    pd.lastStableOffset = end
                    pd.logStartOffset = start
                    if fp.fetchOffset < start || fp.fetchOffset > end {
                        pd.errorCode = 1
                    } else if fp.fetchOffset < end {
                        let from = Int(fp.fetchOffset - start)
                        let to = min(log.count, from + s.perFetch)
                        let values = log[from..<to].map { OutgoingRecord(key: nil, value: $0, timestamp: 1_700_000_000_000) }
                        pd.records = try? RecordBatchEncoder().encode(baseOffset: fp.fetchOffset, records: Array(values))
                        any = true
                    } else if incremental {
                        continue  // nothing new: an incremental response leaves the partition out
                    }
                    byTopic[t, default: []].append(pd)
                }
                resp.responses = byTopic.keys.sorted().map { t in
                    var tr = FetchResponse.FetchableTopicResponse()
                    tr.topic = t
                    tr.topicId = topicsState[t]?.topicId ?? .zero
                    tr.partitions = byTopic[t]!
                    return tr
                }
                e.answered = resp.responses.flatMap { $0.partitions.map(\.partitionIndex) }
                e.withRecords = resp.responses.flatMap { $0.partitions.filter { $0.records != nil }.map(\.partitionIndex) }
            }
            s.entries.append(e)
            return (e, any)
        }
        if let (t, p, start) = truncatedTo {
            c.update { $0.topics[t]!.partitions[Int(p)].earliest = start }
        }
        // A long poll with nothing to return: answer a little later so the tail does not spin, on the
        // event loop's timer (a usleep here blocked threads the client under test shares).
        if !hasData && entry.errorCode == 0 {
            c.delayAnswer(broker: r.broker, correlationId: r.frame.correlationId, by: .milliseconds(20))
        }
        return try KafkaFraming.encodeResponse(resp, for: FetchRequest.self, version: v, correlationId: r.frame.correlationId)
    }
}

