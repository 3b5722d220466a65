import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaProtocol
import KafkaTestSupport
import Testing

/// Against the librdkafka mock cluster (Tests/Peers/mock_cluster.py), 3 brokers advertising names
/// that do not resolve, reached through --alias.
@Suite(.serialized) struct MockClusterTests {
    static let names = ["srv-prod-kafka-slave1", "srv-prod-kafka-slave2", "srv-prod-kafka-slave3"]

    func advertiseUnresolvable(_ mock: MockCluster) async throws {
        for (i, n) in Self.names.enumerated() { try await mock.advertise(Int32(i + 1), host: n) }
    }

    @Test func aliasesReachBrokersAdvertisingUnresolvableNames() async throws {
        try await withMockCluster { mock in
            try await advertiseUnresolvable(mock)
            try await mock.createTopic("orders", partitions: 6, replicationFactor: 3)
            try await mock.setRack(broker: 2, rack: "rack-b")
            let config = try TestClients.config(bootstrap: mock.bootstrap, aliases: TestClients.loopbackAliases(Self.names))
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client)
                let o = try await service.overview()
                #expect(o.brokers.count == 3)
                #expect(o.errors.isEmpty, "\(o.errors)")
                for b in o.brokers {
                    #expect(b.host == Self.names[Int(b.id) - 1])
                    #expect(b.error == nil)
                    #expect(b.dialed == "127.0.0.1:\(b.port)")
                }
                #expect(o.partitionCount >= 6)
                #expect(o.brokers.first { $0.id == 2 }?.rack == "rack-b")
                #expect(o.brokers.reduce(0) { $0 + $1.leaderCount } == o.partitionCount - o.offlinePartitions)
                #expect(o.brokers.reduce(0) { $0 + $1.partitionCount } >= 18)
                #expect(o.leaderImbalance >= 0 && o.leaderImbalance <= 1)
                #expect(o.clusterId != nil)
                if case .value = o.quorum { Issue.record("the mock is not KRaft: quorum must be unsupported") }
                let topics = try await service.topics()
                let orders = try #require(topics.value.first { $0.name == "orders" })
                #expect(orders.partitions == 6)
                #expect(orders.replicationFactor == 3)
                #expect(orders.messages == 0)
                #expect(topics.errors.filter { $0.source.contains("broker") }.isEmpty, "\(topics.errors)")
            }
        }
    }

    @Test func missingAliasNamesBrokerAndFixWhileOthersKeepWorking() async throws {
        try await withMockCluster { mock in
            try await advertiseUnresolvable(mock)
            try await mock.createTopic("orders", partitions: 6, replicationFactor: 1)
            // Partition p led by broker p % 3 + 1: brokers 1, 2 and 3 each lead two.
            for p in Int32(0)..<6 { try await mock.setLeader(topic: "orders", partition: p, broker: p % 3 + 1) }
            // Alias for brokers 1 and 3 only.
            let config = try TestClients.config(bootstrap: mock.bootstrap,
                                                aliases: TestClients.loopbackAliases([Self.names[0], Self.names[2]]))
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client)
                let o = try await service.overview()
                let b2 = try #require(o.brokers.first { $0.id == 2 })
                let err = try #require(b2.error)
                #expect(err.contains("DNS"))
                #expect(err.contains("srv-prod-kafka-slave2:\(b2.port)"))
                #expect(err.contains("--alias srv-prod-kafka-slave2=<reachable address>"))
                #expect(o.errors.contains { $0.source.contains("broker 2") })
                #expect(o.brokers.filter { $0.id != 2 }.allSatisfy { $0.error == nil })

                // Partitions led by 1 and 3 still get offsets; broker 2's are reported, not fatal.
                let detail = try await service.topic(named: "orders")
                let led2 = detail.partitions.filter { $0.leader == 2 }
                let others = detail.partitions.filter { $0.leader != 2 }
                #expect(led2.map(\.partition) == [1, 4])
                #expect(others.map(\.partition) == [0, 2, 3, 5])
                #expect(others.allSatisfy { $0.latest != nil && $0.earliest != nil })
                #expect(led2.allSatisfy { $0.latest == nil && $0.earliest == nil })
                #expect(detail.errors.contains { $0.source.contains("broker 2") }, "\(detail.errors)")
            }
        }
    }

    @Test func topicsAgreeWithKcat() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("alpha", partitions: 3, replicationFactor: 2)
            try await mock.createTopic("beta", partitions: 5, replicationFactor: 3)
            try await mock.produce(topic: "alpha", records: (0..<7).map { .init(key: "k\($0)", value: "v", partition: Int32($0 % 3)) })
            let kcat = try await Kcat.json(["-L", "-J", "-b", mock.bootstrap])
            let doc = try #require(kcat.first as? [String: Any])
            let kTopics = try #require(doc["topics"] as? [[String: Any]])
            let config = try TestClients.config(bootstrap: mock.bootstrap)
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client)
                let topics = try await service.topics()
                for name in ["alpha", "beta"] {
                    let kt = try #require(kTopics.first { $0["topic"] as? String == name })
                    let kParts = try #require(kt["partitions"] as? [[String: Any]])
                    let ours = try #require(topics.value.first { $0.name == name })
                    #expect(ours.partitions == kParts.count)
                    let detail = try await service.topic(named: name)
                    for kp in kParts {
                        let pid = Int32(try #require(kp["partition"] as? Int))
                        let p = try #require(detail.partitions.first { $0.partition == pid })
                        #expect(Int(p.leader) == kp["leader"] as? Int)
                        let kReplicas = (kp["replicas"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                        let kIsrs = (kp["isrs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                        #expect(p.replicas.map(Int.init) == kReplicas)
                        #expect(p.isr.map(Int.init) == kIsrs)
                    }
                }
                let kBrokers = try #require(doc["brokers"] as? [[String: Any]])
                let o = try await service.overview()
                #expect(Set(o.brokers.map { Int($0.id) }) == Set(kBrokers.compactMap { $0["id"] as? Int }))
                let alpha = try #require(topics.value.first { $0.name == "alpha" })
                #expect(alpha.messages == 7)
            }
        }
    }

    @Test func lagMatchesCommittedAndEndOffsetsForKnownGroups() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("events", partitions: 3, replicationFactor: 1)
            let deliveries = try await mock.produce(topic: "events", records: (0..<30).map { .init(key: nil, value: "x\($0)", partition: Int32($0 % 3)) })
            var ends: [Int32: Int64] = [:]
            for d in deliveries { ends[d.partition] = max(ends[d.partition] ?? 0, d.offset + 1) }
            try await mock.commitOffsets(group: "billing", topic: "events", offsets: [0: 4, 1: 10])
            let config = try TestClients.config(bootstrap: mock.bootstrap)
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client, knownGroups: ["billing", "ghost"])
                let g = try await service.group(named: "billing")
                #expect(g.offsets.count == 2)
                for row in g.offsets {
                    #expect(row.end == ends[row.partition])
                    #expect(row.committed == (row.partition == 0 ? 4 : 10))
                    #expect(row.lag == ends[row.partition]! - row.committed!)
                    #expect(row.memberId == nil)
                }
                #expect(g.lag == (ends[0]! - 4) + (ends[1]! - 10))
                // The mock has no DescribeGroups: members are "not supported", not a failure.
                if case .unsupported(let why) = g.members { #expect(why.contains("not supported")) } else {
                    Issue.record("members should be unsupported on the mock, got \(g.members)")
                }
                let all = try await service.groups()
                let billing = try #require(all.value.first { $0.group == "billing" })
                #expect(billing.lag == g.lag)
                let ghost = try #require(all.value.first { $0.group == "ghost" })
                #expect(ghost.lag == nil)
            }
        }
    }

    @Test func leaderMoveIsFollowedAfterMetadataRefresh() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("moving", partitions: 1, replicationFactor: 3)
            try await mock.setLeader(topic: "moving", partition: 0, broker: 1)
            try await mock.produce(topic: "moving", records: (0..<5).map { .init(key: nil, value: "m\($0)") })
            let config = try TestClients.config(bootstrap: mock.bootstrap)
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client)
                let tp = TopicPartitionKey("moving", 0)
                let first = await service.offsets(for: [tp], spec: .latest)
                #expect(first.offsets[tp] == 5)
                #expect(try await client.metadata().leader(topic: "moving", partition: 0) == 1)
                try await mock.setLeader(topic: "moving", partition: 0, broker: 3)
                let before = client.counterSnapshot()
                let second = await service.offsets(for: [tp], spec: .latest)
                #expect(second.offsets[tp] == 5, "\(second.failures) \(second.errors)")
                let delta = client.counterSnapshot().subtracting(before)
                #expect(delta.perBroker[3]?["ListOffsets"] == 1)
                #expect(delta.count(api: "Metadata") >= 1)
            }
        }
    }

    @Test func injectedErrorsAreRetried() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("inj", partitions: 2, replicationFactor: 1)
            try await mock.produce(topic: "inj", records: (0..<4).map { .init(key: nil, value: "i\($0)", partition: Int32($0 % 2)) })
            try await mock.commitOffsets(group: "g-inj", topic: "inj", offsets: [0: 1])
            let config = try TestClients.config(bootstrap: mock.bootstrap)
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client, knownGroups: ["g-inj"])
                _ = try await client.metadata()
                // ListOffsets (2) answers NOT_LEADER_OR_FOLLOWER once: refresh and retry.
                try await mock.pushRequestErrors(apiKey: 2, codes: [6])
                let r = await service.offsets(for: [TopicPartitionKey("inj", 0), TopicPartitionKey("inj", 1)], spec: .latest)
                #expect(r.offsets.count == 2, "\(r.failures)")
                // FindCoordinator (10) says COORDINATOR_NOT_AVAILABLE once.
                try await mock.pushRequestErrors(apiKey: 10, codes: [15])
                let g = try await service.group(named: "g-inj")
                #expect(g.offsets.first { $0.partition == 0 }?.committed == 1, "\(g.errors)")
            }
        }
    }

    @Test func brokerGoingDownMidRequestFailsFastAndOthersKeepWorking() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("down", partitions: 3, replicationFactor: 1)
            for p in Int32(0)..<3 { try await mock.setLeader(topic: "down", partition: p, broker: p + 1) }
            // A request timeout far beyond the test's length: only the closed connection can end the
            // request to broker 2, and the error says which of the two happened.
            let config = try TestClients.config(bootstrap: mock.bootstrap, requestTimeout: .seconds(600))
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client)
                let tps = (0..<3).map { TopicPartitionKey("down", Int32($0)) }
                let ok = await service.offsets(for: tps, spec: .latest)
                #expect(ok.offsets.count == 3)
                try await mock.setRTT(broker: 2, milliseconds: 60_000)
                let before = client.counterSnapshot().perBroker[2]?["ListOffsets"] ?? 0
                async let slow = service.offsets(for: tps, spec: .latest)
                // Take broker 2 down once the request to it has gone out (counted), not after a guessed delay.
                let sent = try await eventually(timeout: .seconds(30)) {
                    (client.counterSnapshot().perBroker[2]?["ListOffsets"] ?? 0) > before
                }
                #expect(sent)
                try await mock.setBrokerDown(2)
                let r = await slow
                #expect(r.offsets[tps[0]] != nil && r.offsets[tps[2]] != nil)
                #expect(r.offsets[tps[1]] == nil)
                let down = r.errors.filter { $0.source.contains("broker 2") }
                #expect(!down.isEmpty, "\(r.errors)")
                // Failed fast: by the closed connection, not by the (600 s) request timeout.
                #expect(down.allSatisfy { !$0.message.contains("no response") }, "\(down)")
                // Down broker shows in the overview; the others stay healthy.
                let o = try await service.overview()
                #expect(o.brokers.first { $0.id == 2 }?.error != nil)
                #expect(o.brokers.filter { $0.id != 2 }.allSatisfy { $0.error == nil })
                try await mock.setRTT(broker: 2, milliseconds: 0)
                try await mock.setBrokerUp(2)
                let recovered = try await eventually(timeout: .seconds(60)) {
                    await service.offsets(for: [tps[1]], spec: .latest).offsets[tps[1]] != nil
                }
                #expect(recovered)
            }
        }
    }

    @Test func slowBrokerTimesOutWithoutStallingOthers() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("slow", partitions: 2, replicationFactor: 1)
            try await mock.setLeader(topic: "slow", partition: 0, broker: 1)
            try await mock.setLeader(topic: "slow", partition: 1, broker: 2)
            let config = try TestClients.config(bootstrap: mock.bootstrap, requestTimeout: .seconds(1))
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client)
                _ = try await client.metadata()
                _ = try await client.connection(for: 1)
                try await mock.setRTT(broker: 1, milliseconds: 2500)
                let r = await service.offsets(for: [TopicPartitionKey("slow", 0), TopicPartitionKey("slow", 1)], spec: .latest)
                #expect(r.offsets[TopicPartitionKey("slow", 1)] != nil)
                #expect(r.offsets[TopicPartitionKey("slow", 0)] == nil)
                let msg = r.errors.map(\.message).joined(separator: " | ")
                #expect(msg.contains("ListOffsets") && msg.contains("no response"), "\(msg)")
            }
        }
    }

    @Test func lagOfManyGroupsIsBatched() async throws {
        try await withMockCluster { mock in
            for t in ["t1", "t2", "t3"] { try await mock.createTopic(t, partitions: 4, replicationFactor: 1) }
            let groups = (0..<40).map { "group-\($0)" }
            // Even-numbered groups commit on t1, odd ones on t2 (t3 has no group).
            for (i, g) in groups.enumerated() {
                try await mock.commitOffsets(group: g, topic: "t\(i % 2 + 1)", offsets: [0: 0, 1: 0, 2: 0, 3: 0])
            }
            let config = try TestClients.config(bootstrap: mock.bootstrap)
            try await withClient(config) { client in
                let service = KafkaAdminService(client: client, knownGroups: groups)
                _ = try await client.metadata()
                for b in try await client.metadata().sortedBrokers { _ = try await client.connection(for: b.nodeId) }
                let anyConn = try await client.anyConnection()
                let metadata = try await client.metadata()
                let before = client.counterSnapshot()
                let r = await service.groupDetails(named: groups)
                let delta = client.counterSnapshot().subtracting(before)
                #expect(r.value.count == 40)
                #expect(r.value.allSatisfy { $0.offsets.count == 4 }, "\(r.errors)")
                #expect(r.value.allSatisfy { g in g.offsets.allSatisfy { $0.topic == "t\(Int(g.group.dropFirst(6))! % 2 + 1)" } })
                // Exactly one ListOffsets per broker leading a partition of t1 or t2, independent of
                // groups x partitions (t3 has no group, so its leaders are not asked).
                let leaders = Set(metadata.topics.values.filter { $0.name == "t1" || $0.name == "t2" }
                    .flatMap { $0.partitions.map(\.leader) })
                #expect(delta.count(api: "ListOffsets") == leaders.count, "\(delta.perBroker)")
                for b in leaders { #expect(delta.perBroker[b]?["ListOffsets"] == 1, "broker \(b): \(delta.perBroker)") }
                // The protocol's limit: one FindCoordinator/OffsetFetch for all groups (per coordinator)
                // from FindCoordinator v4 / OffsetFetch v8, one per group below.
                let fcV = try #require(anyConn.negotiatedVersion(FindCoordinatorRequest.self))
                #expect(delta.count(api: "FindCoordinator") == (fcV >= 4 ? 1 : 40), "FindCoordinator v\(fcV)")
                let ofV = try #require(anyConn.negotiatedVersion(OffsetFetchRequest.self))
                let coordinators = Set(r.value.compactMap(\.coordinator))
                #expect(delta.count(api: "OffsetFetch") == (ofV >= 8 ? coordinators.count : 40), "OffsetFetch v\(ofV)")
                print("lag of 40 groups: \(delta.total) requests: \(delta.perBroker) (FindCoordinator v\(fcV), OffsetFetch v\(ofV))")
            }
        }
    }
}
