import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaProtocol
import KafkaTestSupport
import Logging
import Synchronization
import Testing

/// Keeps the messages a logger was given (to observe the tail's fetch-session decisions).
struct CapturingLogHandler: LogHandler {
    final class Box: Sendable { let lines = Mutex<[String]>([]) }
    let box: Box
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { box.lines.withLock { $0.append("\(event.message)") } }
}

/// The tail against the librdkafka mock cluster and tansu: fetch sessions, broker restarts.
@Suite(.serialized) struct TailPeerTests {
    /// A raw Fetch of partition 0 from offset 0, to see what the peer itself answers.
    static func fetchPartition0(_ topic: String, _ meta: ClusterMetadata) -> FetchRequest {
        var req = FetchRequest()
        req.maxWaitMs = 100
        req.minBytes = 1
        req.maxBytes = 1 << 20
        var ft = FetchRequest.FetchTopic()
        ft.topic = topic
        ft.topicId = meta.topics[topic]?.topicId ?? .zero
        var fp = FetchRequest.FetchPartition()
        fp.partition = 0
        fp.partitionMaxBytes = 1 << 20
        ft.partitions = [fp]
        req.topics = [ft]
        return req
    }

    static func records(_ n: Int, tag: String, partition: Int32, timestamp: Int64? = nil) -> [MockCluster.Record] {
        (0..<n).map { i in
            MockCluster.Record(key: "\(tag)-k\(i)", value: "\(tag)-\(i)", partition: partition,
                               timestamp: timestamp.map { $0 + Int64(i) * 1000 })
        }
    }

    static func values(_ probe: TailProbe, _ p: Int32) -> [String] { probe.values(p) }

    /// The mock echoes the request's session id (rdkafka_mock_handlers.c), so a session-creating
    /// fetch (id 0, epoch 0) gets id 0: the tail must fall back to sessionless full fetches.
    @Test func mockClusterKeepsNoFetchSessionsAndTheTailFallsBack() async throws {
        try await withMockCluster { mock in
            let topic = "tail-nosession"
            try await mock.createTopic(topic, partitions: 2)
            try await mock.produce(topic: topic, records: Self.records(4, tag: "a", partition: 0) + Self.records(4, tag: "b", partition: 1))
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let logs = CapturingLogHandler.Box()
                let logger = Logger(label: "tail-test") { _ in CapturingLogHandler(box: logs) }
                let tail = KafkaTailService(client: client, logger: logger)
                let probe = TailProbe(tail.tail(TailOptions(topic: topic, start: .beginning)))
                defer { probe.stop() }
                try await probe.wait("caught up") { $0.caughtUp == 1 && $0.records.count == 8 }
                try await mock.produce(topic: topic, records: Self.records(3, tag: "c", partition: 1))
                try await probe.wait("live records") { $0.records.count == 11 }
                probe.stop()
                let lines = logs.lines.withLock { $0 }
                #expect(lines.contains { $0.contains("answered session id 0") }, "\(lines)")
                #expect(!lines.contains { $0.contains("fetch session") && $0.contains("created") }, "\(lines)")
                #expect(probe.offsets(0) == [0, 1, 2, 3] && probe.offsets(1) == Array(0..<7))
                #expect(probe.values(1) == ["b-0", "b-1", "b-2", "b-3", "c-0", "c-1", "c-2"])
            }
        }
    }

    /// The leader of one partition goes down and comes back while tailing; the other broker's
    /// partition keeps flowing meanwhile; every record arrives once, in order.
    @Test func brokerRestartWhileTailing() async throws {
        try await withMockCluster { mock in
            let topic = "tail-restart"
            try await mock.createTopic(topic, partitions: 2, replicationFactor: 1)
            try await mock.setLeader(topic: topic, partition: 0, broker: 1)
            try await mock.setLeader(topic: topic, partition: 1, broker: 2)
            try await mock.produce(topic: topic, records: Self.records(3, tag: "a", partition: 0) + Self.records(3, tag: "b", partition: 1))
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                var settings = TailSettings()
                settings.metadataRecheck = .seconds(3)
                let tail = KafkaTailService(client: client, settings: settings)
                let probe = TailProbe(tail.tail(TailOptions(topic: topic, start: .beginning)))
                defer { probe.stop() }
                try await probe.wait("records before the restart") { $0.records.count == 6 }

                try await mock.setBrokerDown(1)
                try await probe.wait(timeout: .seconds(90), "a notice that broker 1 is gone") {
                    $0.notices.contains { $0.contains("broker 1") }
                }
                // Broker 2 still serves partition 1 while broker 1 is down.
                try await mock.produce(topic: topic, records: Self.records(3, tag: "b2", partition: 1))
                try await probe.wait(timeout: .seconds(90), "partition 1 during the outage") { $0.records.count == 9 }

                try await mock.setBrokerUp(1)
                try await mock.produce(topic: topic, records: Self.records(4, tag: "a2", partition: 0))
                try await probe.wait(timeout: .seconds(90), "partition 0 after the restart") { $0.records.count == 13 }
                try await probe.wait(timeout: .seconds(90), "the reconnect notice") {
                    $0.notices.contains { $0.contains("broker 1 is reachable again") }
                }
                // Nothing more arrives (no duplicate from a refetch).
                try await Task.sleep(for: .seconds(1))
                probe.stop()
                let s = probe.snapshot
                #expect(s.records.count == 13)
                #expect(probe.offsets(0) == Array(0..<7))
                #expect(probe.values(0) == ["a-0", "a-1", "a-2", "a2-0", "a2-1", "a2-2", "a2-3"])
                #expect(probe.offsets(1) == Array(0..<6))
                #expect(s.notices.filter { $0.contains("lost broker 1") }.count == 1, "one notice per outage: \(s.notices)")
                #expect(s.error == nil)
            }
        }
    }

    /// A partition whose leader is down when the tail starts does not stop the tail: the others are
    /// read, a notice names it, and it joins (from the asked start) once its broker is back; caught-up
    /// waits for it.
    @Test func unreachableLeaderAtStartJoinsWhenBack() async throws {
        try await withMockCluster { mock in
            let topic = "tail-late-start"
            try await mock.createTopic(topic, partitions: 2, replicationFactor: 1)
            try await mock.setLeader(topic: topic, partition: 0, broker: 1)
            try await mock.setLeader(topic: topic, partition: 1, broker: 2)
            try await mock.produce(topic: topic, records: Self.records(3, tag: "a", partition: 0) + Self.records(2, tag: "b", partition: 1))
            // Bootstrap through broker 1 only, so metadata still works while broker 2 is down.
            let boot = try #require(mock.bootstrap.split(separator: ",").first.map(String.init))
            try await withClient(try TestClients.config(bootstrap: boot)) { client in
                try await mock.setBrokerDown(2)
                let tail = KafkaTailService(client: client)
                let probe = TailProbe(tail.tail(TailOptions(topic: topic, start: .beginning)))
                defer { probe.stop() }
                try await probe.wait("partition 0 while broker 2 is down") { $0.records.count == 3 }
                try await probe.wait("a notice naming partition 1") {
                    $0.notices.contains { $0.contains("partition 1:") && $0.contains("tailing the other partitions") }
                }
                #expect(probe.snapshot.caughtUp == 0, "caught up without partition 1")
                try await mock.setBrokerUp(2)
                try await probe.wait(timeout: .seconds(90), "partition 1 from the beginning") { $0.records.count == 5 }
                try await probe.wait(timeout: .seconds(90), "caught up once partition 1 is read") { $0.caughtUp == 1 }
                #expect(probe.values(1) == ["b-0", "b-1"])
                #expect(probe.snapshot.notices.contains { $0.contains("partition 1 of \(topic) is reachable again") })
                #expect(probe.snapshot.error == nil)
            }
        }
    }

    /// An absolute start offset past the end or below the log start is clamped, and the tail says so.
    @Test func clampedStartOffsetIsAnnounced() async throws {
        try await withMockCluster { mock in
            let topic = "tail-clamp"
            try await mock.createTopic(topic, partitions: 1, replicationFactor: 1)
            try await mock.produce(topic: topic, records: Self.records(3, tag: "a", partition: 0))
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let tail = KafkaTailService(client: client)
                let probe = TailProbe(tail.tail(TailOptions(topic: topic, start: .offset(999))))
                defer { probe.stop() }
                try await probe.wait("caught up at the end") { $0.caughtUp == 1 }
                #expect(probe.snapshot.notices.contains { $0.contains("ends at offset 3; starting there instead of 999") },
                        "\(probe.snapshot.notices)")
                try await mock.produce(topic: topic, records: Self.records(1, tag: "live", partition: 0))
                try await probe.wait("the next record") { $0.records.count == 1 }
                #expect(probe.offsets(0) == [3])
            }
        }
    }

    // MARK: tansu

    /// tansu 0.6 answers session id 0 to a session-creating fetch (and ignores session ids: a made-up
    /// id with epoch 1 gets no error), so the tail uses sessionless full fetches there too.
    @Test func tansuKeepsNoFetchSessionsAndTheTailFallsBack() async throws {
        try await TansuBroker.with { tansu in
            let topic = "tail-tansu-session"
            try await tansu.createTopic(topic, partitions: 2)
            try await tansu.produce(topic: topic, records: Self.records(3, tag: "a", partition: 0) + Self.records(3, tag: "b", partition: 1))
            try await withClient(try TestClients.config(bootstrap: tansu.bootstrap)) { client in
                let logs = CapturingLogHandler.Box()
                let tail = KafkaTailService(client: client, logger: Logger(label: "tail-test") { _ in CapturingLogHandler(box: logs) })
                let probe = TailProbe(tail.tail(TailOptions(topic: topic, start: .beginning)))
                defer { probe.stop() }
                try await probe.wait("caught up") { $0.caughtUp == 1 && $0.records.count == 6 }
                try await tansu.produce(topic: topic, records: Self.records(2, tag: "c", partition: 0))
                try await probe.wait("live records") { $0.records.count == 8 }
                probe.stop()
                let lines = logs.lines.withLock { $0 }
                #expect(lines.contains { $0.contains("answered session id 0") }, "\(lines)")
                #expect(probe.values(0) == ["a-0", "a-1", "a-2", "c-0", "c-1"] && probe.offsets(0) == Array(0..<5))
                #expect(probe.values(1) == ["b-0", "b-1", "b-2"])

                // The raw exchange behind it (Fetch v\(version) as negotiated).
                let meta = try await client.metadata(refresh: true)
                let conn = try await client.connection(for: meta.topics[topic]!.partitions[0].leader, purpose: .fetch)
                let version = try #require(conn.negotiatedVersion(FetchRequest.self))
                #expect(version >= 7)
                var req = Self.fetchPartition0(topic, meta)
                req.sessionId = 0
                req.sessionEpoch = 0
                let created = try await conn.send(req, version: version)
                #expect(created.errorCode == 0 && created.sessionId == 0)
                req.sessionId = 424_242
                req.sessionEpoch = 1
                req.topics = []
                let bogus = try await conn.send(req, version: version)
                #expect(bogus.errorCode == 0 && bogus.sessionId == 0, "no FETCH_SESSION_ID_NOT_FOUND: sessions are ignored")
            }
        }
    }

    /// `--from` a timestamp: the first record delivered per partition is the first with timestamp >= T.
    /// tansu's ListOffsets answers the earliest offset for any timestamp, so the tail skips the older
    /// records itself (with a notice); the librdkafka mock answers -1 (no lookup), see TailServiceTests.
    @Test func timestampStartOnTansu() async throws {
        try await TansuBroker.with { tansu in
            let topic = "tail-tansu-time"
            try await tansu.createTopic(topic, partitions: 2)
            let base: Int64 = 1_700_000_000_000
            // p0: base, +1 s, ... +4 s; p1: base + 0.5 s, +1.5 s, ... +4.5 s.
            try await tansu.produce(topic: topic, records: Self.records(5, tag: "a", partition: 0, timestamp: base)
                                    + Self.records(5, tag: "b", partition: 1, timestamp: base + 500))
            let t = base + 2_500
            try await withClient(try TestClients.config(bootstrap: tansu.bootstrap)) { client in
                let lookup = await KafkaAdminService(client: client).offsets(
                    for: [TopicPartitionKey(topic, 0), TopicPartitionKey(topic, 1)], spec: .timestamp(t))
                let raw0 = try #require(lookup.offsets[TopicPartitionKey(topic, 0)])
                let raw1 = try #require(lookup.offsets[TopicPartitionKey(topic, 1)])
                // Kafka would answer 3 and 2; the broker's answer is never past the right offset.
                #expect(raw0 <= 3 && raw1 <= 2, "tansu answered \(raw0), \(raw1)")

                let tail = KafkaTailService(client: client)
                let probe = TailProbe(tail.tail(TailOptions(topic: topic, start: .timestamp(t))))
                defer { probe.stop() }
                try await probe.wait("caught up") { $0.caughtUp == 1 }
                probe.stop()
                let s = probe.snapshot
                #expect(probe.offsets(0) == [3, 4] && probe.values(0) == ["a-3", "a-4"], "\(s.notices)")
                #expect(probe.offsets(1) == [2, 3, 4] && probe.values(1) == ["b-2", "b-3", "b-4"])
                #expect(s.records.allSatisfy { $0.timestamp >= t && $0.timestampType == .createTime })
                #expect(s.records.first { $0.partition == 0 }?.timestamp == base + 3_000)
                if raw0 < 3 {
                    #expect(s.notices.contains { $0.contains("partition 0: skipped \(3 - raw0) records older than the start time") },
                            "\(s.notices)")
                }
            }
        }
    }

    /// A transactional producer against tansu: an aborted then a committed transaction. tansu writes
    /// both transaction markers but its Fetch answers read_committed with LSO = high watermark and an
    /// empty AbortedTransactions list, so no client can hide the aborted records there; the markers are
    /// hidden in both modes. The hiding itself is tested against a broker that lists aborted
    /// transactions in TailReadCommittedTests.
    @Test func tansuTransactionsCarryNoAbortedTransactionList() async throws {
        try await TansuBroker.with { tansu in
            let topic = "tail-tansu-txn"
            try await tansu.createTopic(topic, partitions: 1)
            let aborted = try await tansu.produce(topic: topic, records: Self.records(3, tag: "aborted", partition: 0),
                                                  transactional: true, abort: true)
            let committed = try await tansu.produce(topic: topic, records: Self.records(2, tag: "committed", partition: 0),
                                                    transactional: true)
            #expect(aborted.map(\.offset) == [0, 1, 2] && committed.map(\.offset) == [4, 5], "markers at 3 and 6")
            try await withClient(try TestClients.config(bootstrap: tansu.bootstrap)) { client in
                let meta = try await client.metadata(refresh: true)
                let conn = try await client.connection(for: meta.topics[topic]!.partitions[0].leader, purpose: .fetch)
                var req = Self.fetchPartition0(topic, meta)
                req.isolationLevel = 1
                let resp = try await conn.send(req)
                let pd = try #require(resp.responses.first?.partitions.first)
                #expect(pd.highWatermark == 7 && pd.lastStableOffset == 7)
                #expect((pd.abortedTransactions ?? []).isEmpty, "tansu lists no aborted transaction: \(pd.abortedTransactions as Any)")

                let tail = KafkaTailService(client: client)
                for rc in [false, true] {
                    let probe = TailProbe(tail.tail(TailOptions(topic: topic, start: .beginning, readCommitted: rc)))
                    try await probe.wait("caught up (read_committed \(rc))") { $0.caughtUp == 1 }
                    probe.stop()
                    // Markers (3, 6) never show; without the list the aborted records cannot be told apart.
                    #expect(probe.offsets(0) == [0, 1, 2, 4, 5], "read_committed \(rc)")
                    #expect(probe.values(0) == ["aborted-0", "aborted-1", "aborted-2", "committed-0", "committed-1"])
                }
            }
        }
    }
}
