import ClusterModel
import Foundation
@testable import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Testing

/// kafscope's decoding of every API that only the Swift fake spoke before, against bytes written by
/// another implementation: kafka-python's protocol classes in Tests/Peers/fake_broker.py (the Swift fake
/// encodes with kafscope's own codecs, so a generator bug would cancel out there).
@Suite struct IndependentBrokerTests {
    static let ordersId = "5b0c3d3e-8f4a-4c61-9d2e-0a1b2c3d4e5f"

    /// Three brokers; "orders" (3 partitions) and "payments" (one offline partition); a classic group with
    /// member assignments and a KIP-848 consumer group; a KRaft quorum; log dirs; configs with sources.
    static var cluster: [String: Any] {
        [
            "cluster_id": "py-fake-0001",
            "controller_id": 2,
            "brokers": [["id": 1, "rack": "rack-a"], ["id": 2, "rack": "rack-b"], ["id": 3, "rack": "rack-c"]],
            "topics": [
                "orders": [
                    "id": ordersId,
                    "configs": [
                        "retention.ms": ["value": "86400000", "source": 1],
                        "min.insync.replicas": ["value": "2", "source": 4],
                        "cleanup.policy": ["value": "delete", "source": 5],
                        "sasl.jaas.config": ["value": "secret", "source": 1, "sensitive": true],
                    ],
                    "partitions": [
                        ["leader": 1, "replicas": [1, 2, 3], "isr": [1, 2, 3], "leader_epoch": 4, "log_start": 0, "end": 100],
                        ["leader": 2, "replicas": [2, 3, 1], "isr": [2], "leader_epoch": 9, "log_start": 10, "end": 60],
                        ["leader": 3, "replicas": [3, 1, 2], "isr": [3, 1], "leader_epoch": 2, "log_start": 5, "end": 5],
                    ],
                ],
                "payments": [
                    "configs": ["min.insync.replicas": ["value": "3", "source": 1]],
                    "partitions": [
                        ["leader": 1, "replicas": [1, 2], "isr": [1, 2], "end": 40],
                        ["leader": -1, "replicas": [2, 3], "isr": [], "offline": [2, 3]],
                    ],
                ],
            ],
            "log_dirs": [
                "1": [["path": "/data/k1", "partitions": [["orders", 0, 1000, 0, false], ["orders", 1, 2000, 0, false],
                                                          ["orders", 2, 0, 0, false], ["payments", 0, 500, 0, false]]]],
                "2": [["path": "/data/k2", "partitions": [["orders", 0, 1000, 0, false], ["orders", 1, 2000, 0, false],
                                                          ["orders", 2, 0, 0, false], ["payments", 0, 500, 0, false],
                                                          // A replica being moved between dirs: not counted twice.
                                                          ["orders", 0, 999, 0, true]]]],
                "3": [["path": "/data/k3", "partitions": [["orders", 0, 1000, 0, false], ["orders", 1, 2000, 0, false],
                                                          ["orders", 2, 0, 0, false]]]],
            ],
            "quorum": [
                "leader": 1, "epoch": 7, "high_watermark": 5000,
                "voters": [["id": 1, "leo": 5000, "last_fetch": 1_700_000_000_000, "last_caught_up": 1_700_000_000_000],
                           ["id": 2, "leo": 4990, "last_fetch": 1_700_000_000_100, "last_caught_up": 1_699_999_999_000],
                           ["id": 3, "leo": 4000, "last_fetch": 1_699_999_000_000, "last_caught_up": 1_699_990_000_000]],
                "observers": [["id": 101, "leo": 4500, "last_fetch": 1_700_000_000_050], ["id": 102, "leo": 5000]],
            ],
            "groups": [
                "billing": [
                    "type": "classic", "state": "Stable", "coordinator": 2, "protocol": "range",
                    "members": [
                        ["member_id": "m-small", "client_id": "c-small", "host": "/10.0.0.2", "assignment": ["orders": [2]]],
                        ["member_id": "m-big", "instance_id": "inst-1", "client_id": "c-big", "host": "/10.0.0.1",
                         "assignment": ["orders": [1, 0]]],
                        ["member_id": "m-idle", "client_id": "c-idle", "host": "/10.0.0.3"],
                    ],
                    "committed": ["orders": ["0": 90, "1": 60], "payments": ["0": 33]],
                ],
                "analytics": [
                    "type": "consumer", "state": "Reconciling", "coordinator": 3, "assignor": "uniform", "epoch": 12,
                    "members": [
                        ["member_id": "a-1", "client_id": "an-1", "host": "/10.0.1.1", "rack": "rack-a",
                         "assignment": ["orders": [2, 1], "payments": [0]]],
                        ["member_id": "a-2", "client_id": "an-2", "host": "/10.0.1.2", "assignment": ["orders": [0]]],
                    ],
                    "committed": ["orders": ["0": 50, "1": 60, "2": 5], "payments": ["0": 10]],
                ],
            ],
        ]
    }

    static func withService(_ scenario: [String: Any] = cluster,
                            _ body: (IndependentBroker, KafkaAdminService) async throws -> Void) async throws {
        try await IndependentBroker.with(scenario: scenario) { fake in
            let client = TestClients.client(try TestClients.config(bootstrap: fake.bootstrap))
            do {
                try await body(fake, KafkaAdminService(client: client))
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    @Test func describeQuorumAndMetadata() async throws {
        try await Self.withService { fake, service in
            let o = try await service.overview()
            let q = try #require(o.quorum.value, "quorum: \(o.quorum)")
            #expect(q.leaderId == 1 && q.leaderEpoch == 7 && q.highWatermark == 5000)
            #expect(q.voters.map(\.replicaId) == [1, 2, 3])
            #expect(q.voters.map(\.lag) == [0, 10, 1000])
            #expect(q.voters.map(\.lastFetchTimestamp) == [1_700_000_000_000, 1_700_000_000_100, 1_699_999_000_000])
            #expect(q.voters[2].lastCaughtUpTimestamp == 1_699_990_000_000)
            #expect(q.observers.map(\.replicaId) == [101, 102])
            #expect(q.observers.map(\.lag) == [500, 0])
            #expect(q.observers[1].lastFetchTimestamp == nil)  // -1 on the wire
            #expect(o.controllerId == 1)  // the quorum leader, not Metadata's controller id (2)
            #expect(o.clusterId == "py-fake-0001")
            #expect(o.brokers.map(\.rack) == ["rack-a", "rack-b", "rack-c"])
            #expect(o.brokers.map(\.port) == fake.brokers.map { Int32($0.port) })
            #expect(o.topicCount == 2 && o.partitionCount == 5)
            #expect(o.underReplicatedPartitions == 3)  // orders-1, orders-2, payments-1
            #expect(o.offlinePartitions == 1)
            #expect(o.errors.isEmpty, "\(o.errors)")
            let dq = try await fake.requests(apiKey: 55)
            #expect(dq.count == 1 && dq.first?.names == ["__cluster_metadata"])
        }
    }

    @Test func describeConfigsLogDirsAndListOffsets() async throws {
        try await Self.withService { fake, service in
            let d = try await service.topic(named: "orders")
            // Kafka shows topic ids as URL-safe base64 of the 16 UUID bytes.
            let uuid = try #require(UUID(uuidString: Self.ordersId)).uuid
            let idBytes = withUnsafeBytes(of: uuid) { Data($0) }
            let base64 = idBytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(d.topicId == base64)
            let configs = try #require(d.configs.value, "\(d.configs)")
            let byName = Dictionary(uniqueKeysWithValues: configs.map { ($0.name, $0) })
            #expect(byName["retention.ms"]?.value == "86400000" && byName["retention.ms"]?.source == .topic)
            #expect(byName["min.insync.replicas"]?.source == .staticBroker)
            #expect(byName["cleanup.policy"]?.source == .defaultConfig && byName["cleanup.policy"]?.isDefault == true)
            let secret = try #require(byName["sasl.jaas.config"])
            #expect(secret.isSensitive && secret.value == nil)
            // 3 x (1000 + 2000 + 0); the future replica on broker 2 is not counted.
            #expect(d.sizeBytes == 9000)
            #expect(d.partitions.map(\.earliest) == [0, 10, 5])
            #expect(d.partitions.map(\.latest) == [100, 60, 5])
            #expect(d.partitions.map(\.leaderEpoch) == [4, 9, 2])
            #expect(d.partitions.map(\.isr) == [[1, 2, 3], [2], [3, 1]])
            let p = try await service.topic(named: "payments")
            let offline = try #require(p.partitions.first { $0.partition == 1 })
            #expect(offline.isOffline && offline.offlineReplicas == [2, 3] && offline.error == "LEADER_NOT_AVAILABLE")
            #expect(p.configs.value?.first { $0.name == "min.insync.replicas" }?.value == "3")

            let topics = try await service.topics()
            let orders = try #require(topics.value.first { $0.name == "orders" })
            #expect(orders.messages == 150 && orders.underMinIsr == 1 && orders.sizeBytes == 9000)
            let dc = try await fake.requests(apiKey: 32)
            #expect(dc.contains { Set($0.names) == ["orders", "payments"] }, "one DescribeConfigs for all topics")
            #expect(try await fake.requests(apiKey: 35).count >= 3)
        }
    }

    @Test func describeGroupsWithAssignmentsConsumerGroupDescribeAndOffsetFetch() async throws {
        try await Self.withService { fake, service in
            let r = try await service.groups()
            #expect(r.errors.isEmpty, "\(r.errors)")
            let byName = Dictionary(uniqueKeysWithValues: r.value.map { ($0.group, $0) })
            #expect(byName["billing"]?.type == "classic" && byName["billing"]?.protocolName == "range")
            #expect(byName["billing"]?.members == 3 && byName["billing"]?.coordinator == 2)
            #expect(byName["analytics"]?.type == "consumer" && byName["analytics"]?.state == "Reconciling")
            #expect(byName["analytics"]?.protocolName == "uniform" && byName["analytics"]?.coordinator == 3)

            let billing = try await service.group(named: "billing")
            #expect(billing.errors.isEmpty, "\(billing.errors)")
            let members = try #require(billing.members.value)
            #expect(members.map(\.memberId) == ["m-small", "m-big", "m-idle"])
            #expect(members[1].instanceId == "inst-1" && members[1].clientId == "c-big" && members[1].host == "/10.0.0.1")
            // The assignment bytes are kafka-python's ConsumerProtocolAssignment.
            #expect(members[1].assignments == [TopicPartitions(topic: "orders", partitions: [1, 0])])
            #expect(members[2].assignments.isEmpty)
            let rows = billing.offsets
            #expect(rows.map { "\($0.topic)-\($0.partition)" } == ["orders-0", "orders-1", "orders-2", "payments-0"])
            #expect(rows.map(\.committed) == [90, 60, nil, 33])
            #expect(rows.map(\.end) == [100, 60, 5, 40])
            #expect(rows.map(\.lag) == [10, 0, nil, 7])
            #expect(billing.lag == 17)

            let analytics = try await service.group(named: "analytics")
            #expect(analytics.errors.isEmpty, "\(analytics.errors)")
            let am = try #require(analytics.members.value)
            #expect(am.map(\.memberId) == ["a-1", "a-2"])
            #expect(Set(am[0].assignments) == [TopicPartitions(topic: "orders", partitions: [2, 1]),
                                               TopicPartitions(topic: "payments", partitions: [0])])
            #expect(analytics.offsets.map(\.lag).compactMap { $0 }.reduce(0, +) == 80)
            #expect(analytics.lag == 80)
            let cgd = try await fake.requests(apiKey: 69)
            #expect(cgd.flatMap(\.names).contains("analytics") && cgd.allSatisfy { $0.broker == 3 })
            #expect(try await fake.requests(apiKey: 15).flatMap(\.names).allSatisfy { $0 == "billing" })
        }
    }

    /// Issue 11 item 6 for Groups: the first stage is ListGroups alone (names, types, states; the rest
    /// pending), the second the full rows; the same groups in both.
    @Test func groupsInStagesGiveRowsFromListGroupsFirst() async throws {
        try await Self.withService { _, service in
            var stages: [Partial<[GroupSummary]>] = []
            for try await stage in service.groupsInStages() { stages.append(stage) }
            try #require(stages.count == 2)
            let first = Dictionary(uniqueKeysWithValues: stages[0].value.map { ($0.group, $0) })
            #expect(stages[0].isPreliminary)
            #expect(first["analytics"]?.type == "consumer" && first["analytics"]?.state == "Reconciling")
            #expect(first["billing"]?.detailsPending == true && first["billing"]?.members == nil && first["billing"]?.lag == nil)
            #expect(first["billing"]?.coordinator == 2, "the broker that listed it")
            let full = Dictionary(uniqueKeysWithValues: stages[1].value.map { ($0.group, $0) })
            #expect(!stages[1].isPreliminary && full["billing"]?.detailsPending == false)
            #expect(full["billing"]?.members == 3 && full["billing"]?.lag == 17)
            #expect(Set(first.keys) == Set(full.keys))
        }
    }

    @Test func throttleTimeMsIsReadFromAnotherEncoder() async throws {
        try await Self.withService { fake, service in
            _ = try await service.client.metadata()
            try await fake.throttle(apiKey: 2, milliseconds: [700])
            let tp = TopicPartitionKey("orders", 2)
            let first = await service.offsets(for: [tp], spec: .latest)
            #expect(first.offsets[tp] == 5)
            #expect(service.client.counterSnapshot().throttledMs[3] == 700)
            // The next request to broker 3 still goes out (after the quota) and is answered.
            let second = await service.offsets(for: [tp], spec: .earliest)
            #expect(second.offsets[tp] == 5)
            #expect(try await fake.requests(apiKey: 2).filter { $0.broker == 3 }.count == 2)
        }
    }
}

/// The tail's Fetch path against kafka-python-encoded Fetch responses and kafka-python-built record batches.
@Suite struct IndependentBrokerTailTests {
    static func scenario(partitions: Int, sessions: Bool = true) -> [String: Any] {
        ["topics": ["s": ["partitions": (0..<partitions).map { _ in ["leader": 1, "replicas": [1], "isr": [1]] }]],
         "fetch_sessions": sessions]
    }

    static func withTail(_ scenario: [String: Any], settings: TailSettings = TailSettings(),
                         _ body: (IndependentBroker, KafkaTailService) async throws -> Void) async throws {
        try await IndependentBroker.with(brokers: 1, scenario: scenario) { fake in
            let client = TestClients.client(try TestClients.config(bootstrap: fake.bootstrap))
            do {
                try await body(fake, KafkaTailService(client: client, settings: settings))
            } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
        }
    }

    static func values(_ tag: String, _ range: Range<Int>) -> [String] { range.map { "\(tag)-\($0)" } }

    /// Waits until the fake's Fetch log satisfies `check` (an event, not a time, decides; the timeout
    /// only bounds a hang).
    static func fetchLog(_ fake: IndependentBroker, _ what: String,
                         until check: ([LoggedRequest]) -> Bool) async throws -> [LoggedRequest] {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            let log = try await fake.requests(apiKey: 1)
            if check(log) { return log }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PeerError("the fake never saw \(what): \(try await fake.requests(apiKey: 1).map(\.note))")
    }

    @Test func incrementalFetchSessionListsOnlyChangedPartitions() async throws {
        try await Self.withTail(Self.scenario(partitions: 3)) { fake, tail in
            try await fake.append(topic: "s", partition: 0, batches: [["values": Self.values("a", 0..<5)],
                                                                     ["values": Self.values("a", 5..<8)]])
            try await fake.append(topic: "s", partition: 1, batches: [["values": Self.values("b", 0..<3)]])
            let probe = TailProbe(tail.tail(TailOptions(topic: "s", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("caught up") { $0.caughtUp == 1 && $0.records.count == 11 }
            try await fake.append(topic: "s", partition: 2, batches: [["values": Self.values("c", 0..<4)]])
            try await probe.wait("live records of partition 2") { $0.records.count == 15 }
            _ = try await Self.fetchLog(fake, "the poll after partition 2's records") { log in log.contains { $0.sent["s:2"] == 4 } }
            probe.stop()
            #expect(probe.offsets(0) == Array(0..<8) && probe.values(0) == Self.values("a", 0..<8))
            #expect(probe.values(1) == Self.values("b", 0..<3) && probe.values(2) == Self.values("c", 0..<4))

            let log = try await fake.requests(apiKey: 1).filter { $0.int("epoch") != -1 }
            let first = try #require(log.first)
            #expect(first.int("session_id") == 0 && first.int("epoch") == 0)
            #expect(first.sent == ["s:0": 0, "s:1": 0, "s:2": 0])
            let sid = try #require(first.int("response_session_id"))
            #expect(sid != 0, "the fake created a session")
            for (i, e) in log.enumerated().dropFirst() {
                #expect(e.int("session_id") == sid && e.int("epoch") == i && e.int("error") == 0, "request \(i): \(e.note)")
            }
            // The second fetch lists only the partitions whose position moved; partition 2 comes back
            // into a request only after its records arrived.
            #expect(log.count >= 2 && log[1].sent == ["s:0": 8, "s:1": 3], "\(log.map(\.note))")
            #expect(log.dropFirst().compactMap { $0.sent["s:2"] } == [4])
        }
    }

    @Test func sessionNotFoundLeadsToAFullFetch() async throws {
        try await Self.withTail(Self.scenario(partitions: 2)) { fake, tail in
            try await fake.append(topic: "s", partition: 0, batches: [["values": Self.values("a", 0..<3)]])
            let probe = TailProbe(tail.tail(TailOptions(topic: "s", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("first records") { $0.records.count == 3 }
            try await fake.command(["cmd": "evict_sessions"])
            _ = try await Self.fetchLog(fake, "error 70") { log in log.contains { $0.int("error") == 70 } }
            try await fake.append(topic: "s", partition: 1, batches: [["values": Self.values("b", 0..<2)]])
            try await probe.wait("records after the session was lost") { $0.records.count == 5 }
            probe.stop()
            let log = try await Self.fetchLog(fake, "a fetch after error 70") { log in
                log.firstIndex { $0.int("error") == 70 }.map { $0 + 1 < log.count } ?? false
            }
            let i70 = try #require(log.firstIndex { $0.int("error") == 70 })
            let after = log[i70 + 1]
            #expect(after.int("session_id") == 0 && after.int("epoch") == 0 && after.sent == ["s:0": 3, "s:1": 0])
            #expect(probe.values(1) == Self.values("b", 0..<2))
        }
    }

    /// ListOffsets by timestamp from a broker that has a time index (the librdkafka mock answers -1).
    @Test func timestampStartBeginsAtTheFirstRecordAtOrAfterIt() async throws {
        try await Self.withTail(Self.scenario(partitions: 2)) { fake, tail in
            func at(_ ts: Int64, _ v: String) -> [String: Any] { ["timestamp": ts, "value": v] }
            try await fake.append(topic: "s", partition: 0, batches: [["records": [at(1000, "a0"), at(2000, "a1")]],
                                                                     ["records": [at(3000, "a2")]]])
            try await fake.append(topic: "s", partition: 1, batches: [["records": [at(1500, "b0"), at(2500, "b1"), at(2600, "b2")]]])
            let probe = TailProbe(tail.tail(TailOptions(topic: "s", start: .timestamp(2000))))
            defer { probe.stop() }
            try await probe.wait("caught up") { $0.caughtUp == 1 }
            probe.stop()
            #expect(probe.values(0) == ["a1", "a2"] && probe.offsets(0) == [1, 2])
            #expect(probe.values(1) == ["b1", "b2"] && probe.offsets(1) == [1, 2])
            let lookups = try await fake.requests(apiKey: 2)
            #expect(lookups.contains { "\($0.request)".contains("2000") }, "a ListOffsets for time 2000")
        }
    }

    /// A batch larger than the per-partition fetch size, from a broker that cuts it (as brokers before
    /// KIP-74 did): the tail doubles the size until the batch fits, says so, and loses nothing.
    @Test func aBatchLargerThanTheFetchSizeRaisesIt() async throws {
        var settings = TailSettings()
        settings.partitionMaxBytes = 1024
        var scenario = Self.scenario(partitions: 1)
        scenario["partial_batches"] = true
        try await Self.withTail(scenario, settings: settings) { fake, tail in
            let big = (0..<6).map { i in String(repeating: "\(i)", count: 1000) }  // one batch of ~6 KB
            try await fake.append(topic: "s", partition: 0, batches: [["values": ["small"]], ["values": big], ["values": ["after"]]])
            let probe = TailProbe(tail.tail(TailOptions(topic: "s", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("all records") { $0.records.count == 8 }
            probe.stop()
            #expect(probe.values(0) == ["small"] + big + ["after"])
            #expect(probe.offsets(0) == Array(0..<8))
            let notices = probe.snapshot.notices.filter { $0.contains("exceeds the fetch size") }
            // 1024 -> 2048 -> 4096 -> 8192: three raises, the last one large enough.
            #expect(notices.map { $0.components(separatedBy: "raising it to ").last ?? "" } == ["2048 bytes", "4096 bytes", "8192 bytes"],
                    "\(probe.snapshot.notices)")
            let sizes = try await fake.requests(apiKey: 1).flatMap { r in
                (r.request["topics"] as? [[String: Any]] ?? []).flatMap { t in
                    (t["partitions"] as? [[String: Any]] ?? []).compactMap { $0["partition_max_bytes"] as? Int }
                }
            }
            #expect(sizes.first == 1024 && sizes.contains(8192), "\(sizes)")
        }
    }

    /// A batch whose CRC does not match arrives while the tail runs: the tail ends with an error naming
    /// the partition and the batch, after delivering everything before it.
    @Test func aCorruptedBatchDuringARunningTailEndsItWithAChecksumError() async throws {
        try await Self.withTail(Self.scenario(partitions: 1)) { fake, tail in
            try await fake.append(topic: "s", partition: 0, batches: [["values": ["ok-0", "ok-1"]]])
            let probe = TailProbe(tail.tail(TailOptions(topic: "s", start: .beginning)))
            defer { probe.stop() }
            try await probe.wait("caught up") { $0.caughtUp == 1 && $0.records.count == 2 }
            try await fake.append(topic: "s", partition: 0, batches: [["values": ["bad"], "corrupt": true]])
            let deadline = ContinuousClock.now + .seconds(90)
            while probe.snapshot.error == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let error = try #require(probe.snapshot.error, "the tail went on after a corrupted batch")
            #expect(error.contains("partition 0") && error.contains("offset 2") && error.contains("CRC-32C mismatch"), "\(error)")
            #expect(probe.values(0) == ["ok-0", "ok-1"])
        }
    }

    @Test(arguments: [false, true])
    func abortedTransactionsAreHiddenUnderReadCommitted(readCommitted: Bool) async throws {
        try await Self.withTail(Self.scenario(partitions: 1)) { fake, tail in
            try await fake.append(topic: "s", partition: 0, batches: [
                ["values": ["plain-0", "plain-1"]],
                ["producer": ["id": 7], "values": ["aborted-0", "aborted-1", "aborted-2"]],
                ["producer": ["id": 8], "values": ["committed-0"]],
                ["producer": ["id": 7], "control": "abort"],
                ["producer": ["id": 8], "values": ["committed-1"]],
                ["producer": ["id": 8], "control": "commit"],
                // A one-record aborted transaction: its first offset is its batch's last offset.
                ["producer": ["id": 9], "values": ["aborted-single"]],
                ["producer": ["id": 9], "control": "abort"],
                ["values": ["plain-2"]],
            ])
            let probe = TailProbe(tail.tail(TailOptions(topic: "s", start: .beginning, readCommitted: readCommitted)))
            defer { probe.stop() }
            try await probe.wait("caught up") { $0.caughtUp == 1 }
            probe.stop()
            let fetches = try await fake.requests(apiKey: 1)
            #expect(fetches.allSatisfy { $0.int("isolation") == (readCommitted ? 1 : 0) })
            if readCommitted {
                #expect(probe.values(0) == ["plain-0", "plain-1", "committed-0", "committed-1", "plain-2"])
                #expect(probe.offsets(0) == [0, 1, 5, 7, 11])
            } else {
                #expect(probe.values(0) == ["plain-0", "plain-1", "aborted-0", "aborted-1", "aborted-2", "committed-0", "committed-1",
                                            "aborted-single", "plain-2"])
                #expect(probe.offsets(0) == [0, 1, 2, 3, 4, 5, 7, 9, 11])
            }
        }
    }
}
