import ClusterModel
import Foundation
@testable import KafkaAdmin
import KafkaClient
import KafkaProtocol
import KafkaRecords
import Synchronization
import Testing

/// Consumes a tail in the background so a test can act while it runs and poll what arrived.
final class TailProbe: Sendable {
    struct Seen: Sendable {
        var records: [TailRecord] = []
        var notices: [String] = []
        var caughtUp = 0
        var error: String?
    }

    final class Box: Sendable { let m = Mutex(Seen()) }
    private let box = Box()
    private let task: Task<Void, Never>

    init(_ stream: AsyncThrowingStream<TailEvent, Error>) {
        let box = self.box
        task = Task {
            do {
                for try await e in stream {
                    box.m.withLock { s in
                        switch e {
                        case .records(let rs): s.records += rs
                        case .notice(let n): s.notices.append(n)
                        case .caughtUp: s.caughtUp += 1
                        case .recovered: break
                        }
                    }
                }
            } catch {
                box.m.withLock { $0.error = "\(error)" }
            }
        }
    }

    var snapshot: Seen { box.m.withLock { $0 } }

    /// Waits until `check` holds; throws with what arrived when `timeout` passes.
    func wait(timeout: Duration = .seconds(90), _ what: String, _ check: (Seen) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let s = snapshot
            if check(s) { return }
            if let e = s.error { throw FakeClusterError("tail failed while waiting for \(what): \(e)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let s = snapshot
        throw FakeClusterError("timed out waiting for \(what): \(s.records.count) records, notices \(s.notices)")
    }

    func stop() { task.cancel() }

    /// Offsets per partition, in arrival order.
    func offsets(_ p: Int32) -> [Int64] { snapshot.records.filter { $0.partition == p }.map(\.offset) }
    func values(_ p: Int32) -> [String] {
        snapshot.records.filter { $0.partition == p }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
    }
}

/// KIP-227 incremental fetch sessions, asserted on the requests a fake broker (TailFakeFetchBroker.swift) saw.
@Suite struct TailFetchSessionTests {
    /// A fake cluster whose brokers advertise Fetch up to `fetchMax`, one topic with `partitions` led by `leaders`.
    static func withFetchCluster(brokers: [Int32] = [1], fetchMax: Int16 = 17, topic: String, leaders: [Int32],
                                 metadataRecheck: Duration = .seconds(60),
                                 _ body: (FakeCluster, FakeFetchBroker, KafkaTailService) async throws -> Void) async throws {
        var apis = FakeApiProfile.kraft
        apis[.fetch] = 4...fetchMax
        var state = FakeClusterState(brokers: brokers.map { FakeBrokerSpec(id: $0, apiVersions: apis) })
        state.topics[topic] = FakeTopic(partitions: leaders.map { FakePartition(leader: $0, replicas: [$0], isr: [$0]) })
        let cluster = try await FakeCluster.start(state)
        // Lives until the cluster stops: the tail's closing fetch arrives during client shutdown.
        let fetch = FakeFetchBroker(cluster: cluster, topics: [topic: leaders.count])
        let client = TestClients.client(try TestClients.config(bootstrap: cluster.bootstrap))
        var settings = TailSettings()
        settings.metadataRecheck = metadataRecheck
        let tail = KafkaTailService(client: client, settings: settings)
        do {
            try await body(cluster, fetch, tail)
        } catch {
            await client.shutdown()
            await cluster.stop()
            throw error
        }
        await client.shutdown()
        await cluster.stop()
        #expect(cluster.failures.isEmpty, "fake broker failures: \(cluster.failures)")
    }

    static func values(_ tag: String, _ range: Range<Int>) -> [String] { range.map { "\(tag)-\($0)" } }

    @Test(arguments: [Int16(12), 17])
    func secondFetchIsIncrementalWithOnlyChangedPartitions(fetchMax: Int16) async throws {
        try await Self.withFetchCluster(fetchMax: fetchMax, topic: "s", leaders: [1, 1, 1]) { _, fetch, tail in
            fetch.append("s", partition: 0, Self.values("a", 0..<20))
            fetch.append("s", partition: 1, Self.values("b", 0..<3))
            let probe = TailProbe(tail.tail(TailOptions(topic: "s", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("caught up") { $0.caughtUp == 1 && $0.records.count == 23 }
            // Idle polls list no partition at all; the fake answers them with none.
            try await probe.wait("an idle incremental poll") { _ in
                fetch.entries.dropFirst().contains { $0.sent.isEmpty && $0.answered.isEmpty }
            }
            fetch.append("s", partition: 2, Self.values("c", 0..<4))
            try await probe.wait("live records of partition 2") { $0.records.count == 27 }
            try await probe.wait("the next poll") { _ in fetch.entries.contains { $0.sent[2] == 4 } }
            probe.stop()
            // The ended tail closes its session (epoch -1), so the broker frees the cache slot.
            try await probe.wait("the session closed") { _ in fetch.entries.contains { $0.epoch == -1 } }

            let all = fetch.entries
            let closing = all.filter { $0.epoch == -1 }
            let log = all.filter { $0.epoch != -1 }
            let first = try #require(log.first)
            #expect(first.version == fetchMax)
            #expect(first.sessionId == 0 && first.epoch == 0, "the first fetch creates a session")
            #expect(first.sentOrder == [0, 1, 2] && first.sent == [0: 0, 1: 0, 2: 0])
            let sid = first.responseSessionId
            #expect(sid != 0)
            #expect(closing.count == 1 && closing.first?.sessionId == sid && closing.first?.sent.isEmpty == true)
            #expect(all.last?.epoch == -1, "nothing after the close")
            let second = try #require(log.dropFirst().first)
            // p0 got 7 records (the fake's per-fetch cap), p1 all 3; p2 had nothing and is not re-sent.
            #expect(second.sessionId == sid && second.epoch == 1)
            #expect(second.sent == [0: 7, 1: 3], "\(second)")
            for (i, e) in log.enumerated().dropFirst() {
                #expect(e.sessionId == sid && e.epoch == Int32(i), "request \(i): \(e)")
                #expect(e.redundant.isEmpty && e.forgotten.isEmpty && e.errorCode == 0, "request \(i): \(e)")
            }
            // Partition 2 is listed again only after its records arrived (offset 4).
            #expect(log.dropFirst().filter { $0.sent[2] != nil }.map { $0.sent[2]! } == [4])
            #expect(probe.offsets(0) == Array(0..<20) && probe.values(0) == Self.values("a", 0..<20))
            #expect(probe.offsets(1) == Array(0..<3) && probe.offsets(2) == Array(0..<4))
            #expect(probe.values(2) == Self.values("c", 0..<4))
            #expect(probe.snapshot.notices.isEmpty, "\(probe.snapshot.notices)")
        }
    }

    @Test func sessionErrorsLeadToAFullFetchAndANewSession() async throws {
        try await Self.withFetchCluster(topic: "e", leaders: [1, 1, 1]) { _, fetch, tail in
            fetch.append("e", partition: 0, Self.values("a", 0..<10))
            let probe = TailProbe(tail.tail(TailOptions(topic: "e", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("first records") { $0.records.count == 10 }
            let s1 = try #require(fetch.entries.first?.responseSessionId)

            // The broker lost the session (restart, eviction): FETCH_SESSION_ID_NOT_FOUND.
            fetch.evictSessions()
            try await probe.wait("error 70 seen") { _ in fetch.entries.contains { $0.errorCode == 70 } }
            fetch.append("e", partition: 1, Self.values("b", 0..<3))
            try await probe.wait("records after error 70") { $0.records.count == 13 }

            // A request got lost: INVALID_FETCH_SESSION_EPOCH.
            fetch.skewEpochs()
            try await probe.wait("error 71 seen") { _ in fetch.entries.contains { $0.errorCode == 71 } }
            fetch.append("e", partition: 0, Self.values("a", 10..<12))
            try await probe.wait("records after error 71") { $0.records.count == 15 }
            probe.stop()

            let log = fetch.entries
            let i70 = try #require(log.firstIndex { $0.errorCode == 70 })
            #expect(log[i70].sessionId == s1 && log[i70].epoch > 0)
            let after70 = log[i70 + 1]
            #expect(after70.sessionId == 0 && after70.epoch == 0, "a full fetch creating a session: \(after70)")
            #expect(after70.sent == [0: 10, 1: 0, 2: 0], "every partition at the tail's position: \(after70)")
            let s2 = after70.responseSessionId
            #expect(s2 != 0 && s2 != s1)
            let i71 = try #require(log.firstIndex { $0.errorCode == 71 })
            #expect(log[i71].sessionId == s2)
            let after71 = log[i71 + 1]
            // Full fetch that closes the old session and creates a new one (Kafka's consumer does the same).
            #expect(after71.sessionId == s2 && after71.epoch == 0, "\(after71)")
            #expect(after71.sentOrder == [0, 1, 2] && after71.sent[1] == 3)
            let s3 = after71.responseSessionId
            #expect(s3 != 0 && s3 != s2)
            #expect(log[(i71 + 2)...].allSatisfy { $0.sessionId == s3 && $0.errorCode == 0 })
            // Records keep flowing: in order, no gap, no duplicate.
            #expect(probe.offsets(0) == Array(0..<12) && probe.values(0) == Self.values("a", 0..<12))
            #expect(probe.offsets(1) == Array(0..<3) && probe.offsets(2).isEmpty)
        }
    }

    /// A broker that answers session id 0 to a session-creating fetch, and one without sessions (Fetch v6).
    @Test(arguments: [(Int16(17), false), (Int16(6), true)])
    func withoutSessionsEveryFetchIsFull(fetchMax: Int16, sessionsEnabled: Bool) async throws {
        try await Self.withFetchCluster(fetchMax: fetchMax, topic: "f", leaders: [1, 1]) { _, fetch, tail in
            fetch.setSessionsEnabled(sessionsEnabled)
            fetch.append("f", partition: 0, Self.values("a", 0..<15))
            let probe = TailProbe(tail.tail(TailOptions(topic: "f", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("caught up") { $0.caughtUp == 1 && $0.records.count == 15 }
            fetch.append("f", partition: 1, Self.values("b", 0..<2))
            try await probe.wait("live records") { $0.records.count == 17 }
            probe.stop()
            let log = fetch.entries
            #expect(log.count >= 4)
            if fetchMax >= 7 {
                #expect(log[0].sessionId == 0 && log[0].epoch == 0 && log[0].responseSessionId == 0)
                #expect(log.dropFirst().allSatisfy { $0.sessionId == 0 && $0.epoch == -1 }, "sessionless full fetches")
            } else {
                #expect(log.allSatisfy { $0.version == 6 && $0.sessionId == 0 })
            }
            #expect(log.allSatisfy { $0.sentOrder == [0, 1] && $0.forgotten.isEmpty })
            #expect(probe.offsets(0) == Array(0..<15) && probe.offsets(1) == [0, 1])
        }
    }

    @Test func leaderMoveForgetsThePartitionInTheOldSession() async throws {
        try await Self.withFetchCluster(brokers: [1, 2], topic: "m", leaders: [1, 1]) { cluster, fetch, tail in
            fetch.append("m", partition: 0, Self.values("a", 0..<5))
            fetch.append("m", partition: 1, Self.values("b", 0..<5))
            let probe = TailProbe(tail.tail(TailOptions(topic: "m", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("first records") { $0.records.count == 10 }
            let s1 = try #require(fetch.entries.first?.responseSessionId)
            cluster.update { $0.topics["m"]!.partitions[1].leader = 2 }
            fetch.append("m", partition: 1, Self.values("b", 5..<8))
            try await probe.wait("records from the new leader") { $0.records.count == 13 }
            fetch.append("m", partition: 0, Self.values("a", 5..<6))
            try await probe.wait("more records from the old leader") { $0.records.count == 14 }
            probe.stop()

            let one = fetch.entries.filter { $0.broker == 1 }
            let two = fetch.entries.filter { $0.broker == 2 }
            // Broker 1 answered NOT_LEADER_OR_FOLLOWER; its session goes on without partition 1.
            let forget = try #require(one.firstIndex { !$0.forgotten.isEmpty })
            #expect(one[forget].forgotten == [1] && one[forget].sessionId == s1 && one[forget].epoch > 0, "\(one[forget])")
            #expect(one[(forget + 1)...].allSatisfy { $0.sessionId == s1 && $0.sent[1] == nil })
            let first2 = try #require(two.first)
            #expect(first2.sessionId == 0 && first2.epoch == 0 && first2.sent == [1: 5])
            #expect(two.dropFirst().allSatisfy { $0.sessionId == first2.responseSessionId && $0.sent[0] == nil })
            #expect(probe.offsets(0) == Array(0..<6))
            #expect(probe.offsets(1) == Array(0..<8) && probe.values(1) == Self.values("b", 0..<8))
        }
    }

    @Test func offsetResetIsSentAgainInTheSession() async throws {
        try await Self.withFetchCluster(topic: "r", leaders: [1, 1]) { _, fetch, tail in
            fetch.append("r", partition: 0, Self.values("a", 0..<20))
            // When the tail asks for offset 7, retention has removed offsets 0-14.
            fetch.truncate("r", partition: 0, whenFetchedAt: 7, to: 15)
            let probe = TailProbe(tail.tail(TailOptions(topic: "r", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("records after the reset") { $0.records.last?.offset == 19 }
            probe.stop()

            #expect(probe.offsets(0) == Array(0..<7) + Array(15..<20))
            #expect(probe.snapshot.notices.contains { $0.contains("offset 7 out of range") && $0.contains("resuming at 15") },
                    "\(probe.snapshot.notices)")
            let log = fetch.entries
            let sid = try #require(log.first?.responseSessionId)
            let oor = try #require(log.firstIndex { $0.sent[0] == 7 })
            let resent = try #require(log.firstIndex { $0.sent[0] == 15 })
            #expect(resent > oor)
            // Still the same session: the changed position is listed in an incremental request.
            #expect(log[resent].sessionId == sid && log[resent].epoch > 0 && log[resent].sent == [0: 15])
            #expect(log.allSatisfy { $0.redundant.isEmpty })
        }
    }

    // MARK: FetchSession alone

    /// A partition created while tailing is found at the next metadata recheck and read from its
    /// start, with a notice; the session then includes it.
    @Test func partitionAddedWhileTailingIsReadFromItsStart() async throws {
        try await Self.withFetchCluster(brokers: [1, 2], topic: "grow", leaders: [1], metadataRecheck: .milliseconds(300)) { _, fetch, tail in
            fetch.append("grow", partition: 0, Self.values("old", 0..<3))
            let probe = TailProbe(tail.tail(TailOptions(topic: "grow", start: .end)))
            defer { probe.stop() }
            try await probe.wait("caught up at the end") { $0.caughtUp == 1 }
            fetch.addPartition("grow", leader: 2, Self.values("new", 0..<5))
            try await probe.wait("the added partition's records") { $0.records.count == 5 }
            fetch.append("grow", partition: 0, Self.values("live", 0..<2))
            try await probe.wait("live records on partition 0") { $0.records.count == 7 }
            #expect(probe.offsets(1) == Array(0..<5) && probe.values(1) == Self.values("new", 0..<5))
            #expect(probe.offsets(0) == [3, 4] && probe.values(0) == Self.values("live", 0..<2))
            #expect(probe.snapshot.notices.contains { $0.contains("partition 1 of grow was added; reading it from offset 0") },
                    "\(probe.snapshot.notices)")
            // Broker 2 leads only the new partition: its fetches list partition 1.
            #expect(fetch.entries.contains { $0.broker == 2 && $0.sent[1] == 0 })
        }
    }

    @Test func epochWrapsToOneAfterInt32Max() {
        var s = FetchSession()
        let want = [(partition: Int32(0), state: FetchSession.Partition(offset: 0, maxBytes: 100, leaderEpoch: 1))]
        let r0 = s.nextRequest(want, version: 12, topicId: .zero)
        #expect(r0.sessionId == 0 && r0.epoch == 0 && r0.full)
        #expect(s.handleResponse(errorCode: 0, sessionId: 9, partitionCount: 1, throttleMs: 0) == .ok)
        #expect(s.mode == .incremental(id: 9, epoch: 1))
        s.mode = .incremental(id: 9, epoch: Int32.max)
        let r1 = s.nextRequest(want, version: 12, topicId: .zero)
        #expect(r1.epoch == Int32.max && r1.send.isEmpty && !r1.full)
        _ = s.handleResponse(errorCode: 0, sessionId: 9, partitionCount: 0, throttleMs: 0)
        #expect(s.mode == .incremental(id: 9, epoch: 1))
        // A broker that closes the session (id 0 in an incremental answer): create a new one.
        _ = s.nextRequest(want, version: 12, topicId: .zero)
        _ = s.handleResponse(errorCode: 0, sessionId: 0, partitionCount: 0, throttleMs: 0)
        #expect(s.mode == .create(closing: 0))
        // A throttled, empty full answer did not create a session.
        _ = s.nextRequest(want, version: 12, topicId: .zero)
        _ = s.handleResponse(errorCode: 0, sessionId: 0, partitionCount: 0, throttleMs: 100)
        #expect(s.mode == .create(closing: 0))
        // Three session errors in a row: give up on sessions with this broker.
        for i in 0..<3 {
            _ = s.nextRequest(want, version: 12, topicId: .zero)
            let o = s.handleResponse(errorCode: 70, sessionId: 0, partitionCount: 0, throttleMs: 0)
            #expect(o == (i < 2 ? .retry : .gaveUp))
        }
        #expect(s.mode == .sessionless)
        let r2 = s.nextRequest(want, version: 12, topicId: .zero)
        #expect(r2.sessionId == 0 && r2.epoch == -1 && r2.send.count == 1)
    }
}

/// read_committed against a broker that lists aborted transactions (neither peer does: see TailPeerTests).
@Suite struct TailReadCommittedTests {
    static func transactionLog() throws -> FakeFetchBroker.RawLog {
        func recs(_ tag: String, _ n: Int) -> [OutgoingRecord] {
            (0..<n).map { OutgoingRecord(key: nil, value: Array("\(tag)-\($0)".utf8), timestamp: 1_700_000_000_000) }
        }
        let plain = try RecordBatchEncoder().encode(baseOffset: 0, records: recs("plain", 2))
        let aborted = try RecordBatchEncoder(isTransactional: true, producerId: 7, producerEpoch: 0)
            .encode(baseOffset: 2, records: recs("aborted", 3))
        let abortMarker = RecordBatchEncoder.controlBatch(baseOffset: 5, type: .abort, producerId: 7, producerEpoch: 0)
        let committed = try RecordBatchEncoder(isTransactional: true, producerId: 8, producerEpoch: 0)
            .encode(baseOffset: 6, records: recs("committed", 2))
        let commitMarker = RecordBatchEncoder.controlBatch(baseOffset: 8, type: .commit, producerId: 8, producerEpoch: 0)
        return FakeFetchBroker.RawLog(
            batches: [(0, 1, plain), (2, 4, aborted), (5, 5, abortMarker), (6, 7, committed), (8, 8, commitMarker)],
            end: 9, aborted: [FetchResponse.AbortedTransaction(producerId: 7, firstOffset: 2)])
    }

    @Test(arguments: [false, true])
    func abortedRecordsAndMarkersAreHiddenUnderReadCommitted(readCommitted: Bool) async throws {
        try await TailFetchSessionTests.withFetchCluster(topic: "rc", leaders: [1]) { _, fetch, tail in
            fetch.setRaw("rc", partition: 0, try Self.transactionLog())
            let probe = TailProbe(tail.tail(TailOptions(topic: "rc", start: .beginning, readCommitted: readCommitted)))
            defer { probe.stop() }
            try await probe.wait("caught up") { $0.caughtUp == 1 }
            probe.stop()
            #expect(fetch.entries.allSatisfy { $0.isolation == (readCommitted ? 1 : 0) })
            if readCommitted {
                #expect(probe.values(0) == ["plain-0", "plain-1", "committed-0", "committed-1"])
                #expect(probe.offsets(0) == [0, 1, 6, 7])
            } else {
                #expect(probe.values(0) == ["plain-0", "plain-1", "aborted-0", "aborted-1", "aborted-2", "committed-0", "committed-1"])
                #expect(probe.offsets(0) == [0, 1, 2, 3, 4, 6, 7])
            }
        }
    }
}
