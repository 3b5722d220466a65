import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaProtocol
import Testing

/// The standard fake topology the tests below share (see each expectation's derivation).
enum FakeTopology {
    static func kraft(brokers apis: [Int32: [ApiKey: ClosedRange<Int16>]] = [:], bulkTopics: Int = 20) -> FakeClusterState {
        var s = FakeClusterState(brokers: [1, 2, 3].map {
            FakeBrokerSpec(id: $0, rack: "rack-\($0)", apiVersions: apis[$0] ?? FakeApiProfile.kraft)
        })
        s.controllerId = 2  // Metadata's answer; the quorum leader is 1
        s.staticBrokerConfigs = ["min.insync.replicas": "2"]
        s.topics["orders"] = FakeTopic(partitions: [
            FakePartition(leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3], earliest: 0, latest: 100, sizeBytes: 1000, futureReplicaOn: 2),
            FakePartition(leader: 2, replicas: [2, 3, 1], isr: [2], earliest: 10, latest: 60, sizeBytes: 2000),
            FakePartition(leader: 3, replicas: [3, 1, 2], isr: [3, 1], earliest: 5, latest: 5, sizeBytes: 0),
        ], configs: ["retention.ms": "86400000"])
        s.topics["payments"] = FakeTopic(partitions: [
            FakePartition(leader: 1, replicas: [1, 2, 3], isr: [1, 2], earliest: 0, latest: 40, sizeBytes: 500),
            FakePartition(leader: -1, replicas: [2, 3, 1], isr: [], offlineReplicas: [2, 3], earliest: 0, latest: 0, sizeBytes: 700),
        ], configs: ["min.insync.replicas": "3"])
        s.topics["logs"] = FakeTopic(partitions: [
            FakePartition(leader: 3, replicas: [3], isr: [3], earliest: 0, latest: 10, sizeBytes: 300),
        ])
        for i in 0..<bulkTopics {
            let leader = Int32(i % 3 + 1)
            s.topics[String(format: "bulk-%02d", i)] = FakeTopic(partitions: [
                FakePartition(leader: leader, replicas: [leader], isr: [leader], earliest: 0, latest: Int64(i), sizeBytes: Int64(i)),
            ])
        }
        s.quorum = FakeQuorum(leaderId: 1, leaderEpoch: 7, highWatermark: 5000, voters: [
            FakeQuorumReplica(id: 1, logEndOffset: 5000, lastFetchTimestamp: 1_700_000_000_000, lastCaughtUpTimestamp: 1_700_000_000_000),
            FakeQuorumReplica(id: 2, logEndOffset: 4990, lastFetchTimestamp: 1_700_000_000_100, lastCaughtUpTimestamp: 1_699_999_999_000),
            FakeQuorumReplica(id: 3, logEndOffset: 4000, lastFetchTimestamp: 1_699_999_000_000, lastCaughtUpTimestamp: 1_699_990_000_000),
        ], observers: [
            FakeQuorumReplica(id: 101, logEndOffset: 4500, lastFetchTimestamp: 1_700_000_000_050),
            FakeQuorumReplica(id: 102, logEndOffset: 5000),
        ])
        s.groups["billing"] = FakeGroup(type: .classic, state: "Stable", coordinator: 2, protocolName: "range", members: [
            FakeMember(memberId: "m-small", clientId: "c-small", host: "/10.0.0.2", assignment: [("orders", [2])]),
            FakeMember(memberId: "m-big", instanceId: "inst-1", clientId: "c-big", host: "/10.0.0.1", assignment: [("orders", [1, 0])]),
            FakeMember(memberId: "m-idle", clientId: "c-idle", host: "/10.0.0.3"),
        ], committed: ["orders": [0: 90, 1: 60], "logs": [0: 3]])
        s.groups["analytics"] = FakeGroup(type: .consumer, state: "Reconciling", coordinator: 3, protocolName: "uniform", members: [
            FakeMember(memberId: "a-1", clientId: "an-1", host: "/10.0.1.1", assignment: [("orders", [2, 1]), ("payments", [0])]),
            FakeMember(memberId: "a-2", clientId: "an-2", host: "/10.0.1.2", assignment: [("orders", [0])]),
        ], committed: ["orders": [0: 50, 1: 60, 2: 5], "payments": [0: 10]])
        s.groups["etl"] = FakeGroup(type: .consumer, state: "Assigning", coordinator: 1, protocolName: "uniform", members: [
            FakeMember(memberId: "e-1", clientId: "etl-1", host: "/10.0.2.1"),
        ], committed: [:])
        return s
    }
}

/// Runs `body` against a started fake cluster with a real client and service; always stops both
/// and fails on any request the fake could not answer.
func withFakeCluster(_ state: FakeClusterState, knownGroups: [String] = [],
                     _ body: (FakeCluster, KafkaAdminService) async throws -> Void) async throws {
    let cluster = try await FakeCluster.start(state)
    let client: KafkaClient
    do {
        client = TestClients.client(try TestClients.config(bootstrap: cluster.bootstrap))
    } catch {
        await cluster.stop()
        throw error
    }
    let service = KafkaAdminService(client: client, knownGroups: knownGroups)
    do {
        try await body(cluster, service)
    } catch {
        await client.shutdown()
        await cluster.stop()
        throw error
    }
    await client.shutdown()
    await cluster.stop()
    #expect(cluster.failures.isEmpty, "fake broker failures: \(cluster.failures)")
}

@Suite struct FakeOverviewTests {
    @Test func kraftQuorumIsReadFromDescribeQuorum() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            let o = try await service.overview()
            let q = try #require(o.quorum.value, "quorum: \(o.quorum)")
            #expect(q.leaderId == 1)
            #expect(q.leaderEpoch == 7)
            #expect(q.highWatermark == 5000)
            #expect(q.voters.map(\.replicaId) == [1, 2, 3])
            // lag = leader LEO (5000) - replica LEO
            #expect(q.voters.map(\.lag) == [0, 10, 1000])
            #expect(q.voters[1].lastFetchTimestamp == 1_700_000_000_100)
            #expect(q.voters[2].lastCaughtUpTimestamp == 1_699_990_000_000)
            #expect(q.observers.map(\.replicaId) == [101, 102])
            #expect(q.observers.map(\.lag) == [500, 0])
            #expect(q.observers[1].lastFetchTimestamp == nil)  // -1 on the wire
            // The quorum leader, not Metadata's random controller id (2), is the controller.
            #expect(o.controllerId == 1)
            #expect(o.brokers.filter(\.isController).map(\.id) == [1])
            #expect(o.brokers.map(\.rack) == ["rack-1", "rack-2", "rack-3"])
            #expect(o.clusterId == "fake-cluster-0001")
            #expect(o.topicCount == 23)
            #expect(o.partitionCount == 26)
            // orders-1, orders-2, payments-0, payments-1
            #expect(o.underReplicatedPartitions == 4)
            #expect(o.offlinePartitions == 1)
            #expect(o.errors.isEmpty, "\(o.errors)")
            let dq = cluster.requests(.describeQuorum)
            #expect(dq.count == 1)
            #expect(dq.first?.names == ["__cluster_metadata"])
        }
    }

    @Test func brokersWithoutDescribeQuorumYieldUnsupportedAndTheRestLoads() async throws {
        let old = FakeApiProfile.kraftWithout(.describeQuorum)
        try await withFakeCluster(FakeTopology.kraft(brokers: [1: old, 2: old, 3: old])) { cluster, service in
            let o = try await service.overview()
            guard case .unsupported(let why) = o.quorum else {
                Issue.record("expected unsupported quorum, got \(o.quorum)")
                return
            }
            #expect(why.contains("DescribeQuorum"))
            #expect(o.brokers.count == 3)
            #expect(o.controllerId == 2)  // Metadata's, since there is no quorum to ask
            #expect(o.topicCount == 23)
            #expect(o.offlinePartitions == 1)
            #expect(o.errors.isEmpty, "\(o.errors)")
            #expect(cluster.count(.describeQuorum) == 0)
        }
    }

    @Test func describeQuorumGoesToABrokerThatListsIt() async throws {
        let old = FakeApiProfile.kraftWithout(.describeQuorum)
        try await withFakeCluster(FakeTopology.kraft(brokers: [1: old])) { cluster, service in
            let o = try await service.overview()
            #expect(o.quorum.value?.leaderId == 1, "\(o.quorum)")
            #expect(cluster.count(.describeQuorum, broker: 1) == 0)
            #expect(cluster.count(.describeQuorum) == 1)
        }
    }

    @Test func describeQuorumErrorIsFailedNotFatal() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            cluster.inject(.describeQuorum, error: 41)  // NOT_CONTROLLER
            let o = try await service.overview()
            guard case .failed(let why) = o.quorum else {
                Issue.record("expected failed quorum, got \(o.quorum)")
                return
            }
            #expect(why.contains("NOT_CONTROLLER"))
            #expect(o.brokers.count == 3)
            #expect(o.partitionCount == 26)
        }
    }
}

@Suite struct FakeTopicTests {
    @Test func topicsComputeMinIsrOfflineSizesWithBatchedRequests() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            _ = try await service.client.metadata()
            cluster.clearRequests()
            let r = try await service.topics()
            #expect(r.errors.isEmpty, "\(r.errors)")
            let byName = Dictionary(uniqueKeysWithValues: r.value.map { ($0.name, $0) })
            #expect(r.value.count == 23)

            let orders = try #require(byName["orders"])
            #expect(orders.partitions == 3)
            #expect(orders.replicationFactor == 3)
            #expect(orders.underReplicated == 2)
            #expect(orders.underMinIsr == 1)  // static broker min.insync.replicas=2; orders-1 has ISR [2]
            #expect(orders.offline == 0)
            #expect(orders.messages == 150)  // 100 + 50 + 0
            #expect(orders.sizeBytes == 9000)  // (1000 + 2000 + 0) x 3 replicas; the future replica is not counted

            let payments = try #require(byName["payments"])
            #expect(payments.underMinIsr == 1)  // topic override 3: payments-0 ISR 2; offline payments-1 not counted
            #expect(payments.offline == 1)
            #expect(payments.underReplicated == 2)
            #expect(payments.messages == nil)  // payments-1 has no leader to ask
            #expect(payments.sizeBytes == 2200)  // payments-1 only on its online replica (broker 1)

            let logs = try #require(byName["logs"])
            #expect(logs.underMinIsr == 1)  // RF 1 < min.insync.replicas 2
            #expect(logs.messages == 10)
            #expect(logs.sizeBytes == 300)
            #expect(byName["bulk-07"]?.messages == 7)
            #expect(byName["bulk-07"]?.underMinIsr == 1)
            #expect(byName["bulk-07"]?.sizeBytes == 7)

            // DescribeConfigs: one request naming every topic, not one per topic.
            let dc = cluster.requests(.describeConfigs)
            #expect(dc.count == 1)
            #expect(Set(dc.flatMap(\.names)) == Set(byName.keys))
            // DescribeLogDirs: exactly one per broker.
            for b: Int32 in [1, 2, 3] { #expect(cluster.count(.describeLogDirs, broker: b) == 1, "broker \(b)") }
            #expect(cluster.count(.describeLogDirs) == 3)
            // ListOffsets: one per leader per spec (earliest, latest), not per partition.
            #expect(cluster.count(.listOffsets) == 6)
            for b: Int32 in [1, 2, 3] { #expect(cluster.count(.listOffsets, broker: b) == 2) }
        }
    }

    @Test func topicDetailShowsConfigSourcesAndOfflineReplicas() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { _, service in
            let d = try await service.topic(named: "orders")
            let configs = try #require(d.configs.value, "\(d.configs)")
            let byName = Dictionary(uniqueKeysWithValues: configs.map { ($0.name, $0) })
            #expect(configs.map(\.name) == configs.map(\.name).sorted())
            let retention = try #require(byName["retention.ms"])
            #expect(retention.value == "86400000")
            #expect(retention.source == .topic)
            #expect(!retention.isDefault)
            let minIsr = try #require(byName["min.insync.replicas"])
            #expect(minIsr.value == "2")
            #expect(minIsr.source == .staticBroker)
            let cleanup = try #require(byName["cleanup.policy"])
            #expect(cleanup.source == .defaultConfig)
            #expect(cleanup.isDefault)
            #expect(configs.filter { !$0.isDefault }.map(\.name) == ["retention.ms"])
            #expect(d.sizeBytes == 9000)
            #expect(d.partitions.map(\.earliest) == [0, 10, 5])
            #expect(d.partitions.map(\.latest) == [100, 60, 5])
            #expect(d.partitions.map(\.leaderEpoch) == [5, 5, 5])
            #expect(d.consumingGroups.value == ["analytics", "billing"])

            let p = try await service.topic(named: "payments")
            let offline = try #require(p.partitions.first { $0.partition == 1 })
            #expect(offline.leader == -1)
            #expect(offline.isOffline)
            #expect(offline.offlineReplicas == [2, 3])
            #expect(offline.error == "LEADER_NOT_AVAILABLE")
            #expect(offline.latest == nil)
            let pc = try #require(p.configs.value)
            #expect(pc.first { $0.name == "min.insync.replicas" }?.source == .topic)
            #expect(pc.first { $0.name == "min.insync.replicas" }?.value == "3")
        }
    }

    @Test func brokersLackingConfigAndLogDirApisYieldUnsupportedFieldsOnly() async throws {
        let lacking = FakeApiProfile.kraftWithout(.describeConfigs, .describeLogDirs)
        try await withFakeCluster(FakeTopology.kraft(brokers: [1: lacking, 2: lacking, 3: lacking])) { cluster, service in
            let r = try await service.topics()
            #expect(r.errors.isEmpty, "\(r.errors)")
            let orders = try #require(r.value.first { $0.name == "orders" })
            #expect(orders.underMinIsr == nil)
            #expect(orders.sizeBytes == nil)
            #expect(orders.messages == 150)
            #expect(orders.underReplicated == 2)
            let d = try await service.topic(named: "orders")
            guard case .unsupported(let why) = d.configs else {
                Issue.record("expected unsupported configs, got \(d.configs)")
                return
            }
            #expect(why.contains("DescribeConfigs"))
            #expect(d.sizeBytes == nil)
            #expect(d.partitions.map(\.latest) == [100, 60, 5])
            #expect(cluster.count(.describeConfigs) == 0)
            #expect(cluster.count(.describeLogDirs) == 0)
        }
    }

    @Test func logDirErrorMakesTheSizeOfTopicsOnThatBrokerUnknown() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            cluster.inject(.describeLogDirs, error: 56, broker: 3)  // KAFKA_STORAGE_ERROR
            let r = try await service.topics()
            #expect(r.errors.contains { $0.message.contains("KAFKA_STORAGE_ERROR") }, "\(r.errors)")
            // A replica on broker 3 makes the total unknown, not the sum of the other brokers' replicas.
            let logs = try #require(r.value.first { $0.name == "logs" })
            #expect(logs.sizeBytes == nil)  // only on broker 3
            let orders = try #require(r.value.first { $0.name == "orders" })
            #expect(orders.sizeBytes == nil)  // replicas on 1, 2 and 3
            // Topics with no replica on broker 3 keep their size: bulk-00 and bulk-03 live on broker 1.
            #expect(r.value.first { $0.name == "bulk-03" }?.sizeBytes == 3)
            cluster.inject(.describeLogDirs, error: 56, broker: 3)  // injections are one-shot
            let detail = try await service.topic(named: "orders")
            #expect(detail.sizeBytes == nil)
            #expect(try await service.topic(named: "orders").sizeBytes == 9000, "all brokers answer again")
        }
    }
}

@Suite struct FakeGroupTests {
    @Test func classicAndConsumerGroupsAreListedAndDescribedByType() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            let r = try await service.groups()
            #expect(r.errors.isEmpty, "\(r.errors)")
            let byName = Dictionary(uniqueKeysWithValues: r.value.map { ($0.group, $0) })
            #expect(Set(byName.keys) == ["billing", "analytics", "etl"])
            #expect(byName["billing"]?.type == "classic")
            #expect(byName["billing"]?.state == "Stable")
            #expect(byName["billing"]?.protocolName == "range")
            #expect(byName["billing"]?.members == 3)
            #expect(byName["billing"]?.coordinator == 2)
            #expect(byName["billing"]?.lag == 17)
            #expect(byName["analytics"]?.type == "consumer")
            #expect(byName["analytics"]?.state == "Reconciling")
            #expect(byName["analytics"]?.protocolName == "uniform")
            #expect(byName["analytics"]?.members == 2)
            #expect(byName["analytics"]?.coordinator == 3)
            #expect(byName["analytics"]?.lag == 80)
            #expect(byName["etl"]?.type == "consumer")
            #expect(byName["etl"]?.state == "Assigning")
            #expect(byName["etl"]?.lag == nil)

            // ListGroups v5 on every broker; describe by type, never DescribeGroups for a KIP-848 group.
            #expect(cluster.requests(.listGroups).map(\.version) == [5, 5, 5])
            let classicNamed = cluster.requests(.describeGroups).flatMap(\.names)
            #expect(classicNamed == ["billing"])
            let consumerNamed = Set(cluster.requests(.consumerGroupDescribe).flatMap(\.names))
            #expect(consumerNamed == ["analytics", "etl"])
            #expect(cluster.requests(.consumerGroupDescribe).allSatisfy { $0.broker != 2 })
        }
    }

    @Test func lagRowsFollowConsumerGroupsCommandRules() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { _, service in
            let billing = try await service.group(named: "billing")
            #expect(billing.errors.isEmpty, "\(billing.errors)")
            #expect(billing.type == "classic")
            let members = try #require(billing.members.value)
            #expect(members.map(\.memberId) == ["m-small", "m-big", "m-idle"])
            #expect(members[1].instanceId == "inst-1")
            #expect(members[1].assignments == [TopicPartitions(topic: "orders", partitions: [1, 0])])
            // Largest assignment first (m-big: orders-0, orders-1 by partition), then m-small, then the
            // committed partition nobody owns; m-idle (no assignment) has no row.
            let rows = billing.offsets
            #expect(rows.map { "\($0.topic)-\($0.partition)" } == ["orders-0", "orders-1", "orders-2", "logs-0"])
            #expect(rows.map(\.memberId) == ["m-big", "m-big", "m-small", nil])
            #expect(rows.map(\.clientId) == ["c-big", "c-big", "c-small", nil])
            #expect(rows.map(\.host) == ["/10.0.0.1", "/10.0.0.1", "/10.0.0.2", nil])
            #expect(rows.map(\.committed) == [90, 60, nil, 3])
            #expect(rows.map(\.end) == [100, 60, 5, 10])
            #expect(rows.map(\.lag) == [10, 0, nil, 7])  // '-' where nothing is committed
            #expect(billing.lag == 17)

            let analytics = try await service.group(named: "analytics")
            #expect(analytics.errors.isEmpty, "\(analytics.errors)")
            #expect(analytics.type == "consumer")
            #expect(analytics.state == "Reconciling")
            let arows = analytics.offsets
            #expect(arows.map { "\($0.topic)-\($0.partition)" } == ["payments-0", "orders-1", "orders-2", "orders-0"])
            #expect(arows.map(\.memberId) == ["a-1", "a-1", "a-1", "a-2"])
            #expect(arows.map(\.lag) == [30, 0, 0, 50])
            #expect(analytics.lag == 80)
        }
    }

    @Test func fiftyGroupsCostConstantRequests() async throws {
        var state = FakeTopology.kraft(bulkTopics: 0)
        for i in 0..<50 {
            state.groups[String(format: "g-%02d", i)] = FakeGroup(
                type: i % 2 == 0 ? .classic : .consumer, state: "Stable", coordinator: Int32(i % 3 + 1),
                members: [FakeMember(memberId: "m\(i)", clientId: "c\(i)", host: "/h", assignment: [("orders", [0, 1, 2])])],
                committed: ["orders": [0: 1, 1: 11, 2: 5], "payments": [0: Int64(i)]])
        }
        try await withFakeCluster(state) { cluster, service in
            _ = try await service.client.metadata()
            cluster.clearRequests()
            let r = try await service.groups()
            #expect(r.errors.isEmpty, "\(r.errors)")
            #expect(r.value.count == 53)
            let g7 = try #require(r.value.first { $0.group == "g-07" })
            #expect(g7.type == "consumer")
            let g7Lag: Int64 = (100 - 1) + (60 - 11) + 0 + (40 - 7)
            #expect(g7.lag == g7Lag)
            // 1 ListGroups per broker, 1 batched FindCoordinator, per coordinator 1 OffsetFetch, at most
            // 1 DescribeGroups and 1 ConsumerGroupDescribe; 1 ListOffsets per leader.
            #expect(cluster.count(.listGroups) == 3)
            #expect(cluster.count(.findCoordinator) == 1)
            #expect(cluster.requests(.findCoordinator).first?.names.count == 53)
            #expect(cluster.count(.offsetFetch) == 3)
            for b: Int32 in [1, 2, 3] { #expect(cluster.count(.offsetFetch, broker: b) == 1) }
            #expect(cluster.requests(.offsetFetch).allSatisfy { $0.version >= 8 })
            #expect(cluster.count(.describeGroups) <= 3)
            #expect(cluster.count(.consumerGroupDescribe) <= 3)
            #expect(cluster.count(.listOffsets) <= 3)
            let classicNamed = Set(cluster.requests(.describeGroups).flatMap(\.names))
            #expect(classicNamed.allSatisfy { $0 == "billing" || (Int($0.dropFirst(2)) ?? 1) % 2 == 0 }, "\(classicNamed)")
            // Nothing else was sent.
            let accounted: [ApiKey] = [.listGroups, .findCoordinator, .offsetFetch, .describeGroups,
                                       .consumerGroupDescribe, .listOffsets, .metadata, .apiVersions]
            #expect(cluster.requests.allSatisfy { accounted.contains($0.api ?? .produce) })
        }
    }

    @Test func olderBrokersFallBackToPerGroupRequests() async throws {
        var state = FakeTopology.kraft(brokers: [1: FakeApiProfile.zookeeper28, 2: FakeApiProfile.zookeeper28,
                                                 3: FakeApiProfile.zookeeper28], bulkTopics: 0)
        state.groups = state.groups.filter { $0.value.type == .classic }
        for i in 0..<10 {
            state.groups["old-\(i)"] = FakeGroup(type: .classic, state: "Empty", coordinator: Int32(i % 3 + 1),
                                                 committed: ["orders": [0: 99]])
        }
        try await withFakeCluster(state) { cluster, service in
            let r = try await service.groups()
            #expect(r.errors.isEmpty, "\(r.errors)")
            #expect(r.value.count == 11)
            #expect(r.value.first { $0.group == "old-3" }?.lag == 1)
            #expect(r.value.first { $0.group == "billing" }?.type == "classic")
            // No batching below FindCoordinator v4 / OffsetFetch v8: one per group is the protocol's limit.
            #expect(cluster.count(.findCoordinator) == 11)
            #expect(cluster.count(.offsetFetch) == 11)
            #expect(cluster.count(.consumerGroupDescribe) == 0)
            #expect(cluster.count(.describeGroups) == 3)
        }
    }
}

@Suite struct FakeErrorInjectionTests {
    @Test func coordinatorLoadInProgressOnOffsetFetchIsRetried() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            cluster.inject(.offsetFetch, error: 14, key: "billing")
            let d = try await service.group(named: "billing")
            #expect(d.errors.isEmpty, "\(d.errors)")
            #expect(d.lag == 17)
            #expect(d.offsets.map(\.committed) == [90, 60, nil, 3])
            #expect(cluster.pendingInjections == 0)
            #expect(cluster.count(.offsetFetch) == 2)
        }
    }

    @Test func coordinatorLoadInProgressOnFindCoordinatorIsRetried() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            cluster.inject(.findCoordinator, error: 14, key: "analytics")
            let d = try await service.group(named: "analytics")
            #expect(d.errors.isEmpty, "\(d.errors)")
            #expect(d.coordinator == 3)
            #expect(d.lag == 80)
            #expect(cluster.pendingInjections == 0)
            #expect(cluster.count(.findCoordinator) == 2)
        }
    }

    @Test func notCoordinatorRefreshesTheCoordinator() async throws {
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            let first = try await service.group(named: "billing")
            #expect(first.coordinator == 2)
            #expect(cluster.count(.findCoordinator) == 1)
            // The coordinator moves; the client still has broker 2 cached.
            cluster.update { $0.groups["billing"]?.coordinator = 3 }
            cluster.clearRequests()
            let second = try await service.group(named: "billing")
            #expect(second.errors.isEmpty, "\(second.errors)")
            #expect(second.coordinator == 3)
            #expect(second.lag == 17)
            #expect(second.members.value?.count == 3)
            #expect(cluster.count(.offsetFetch, broker: 2) == 1)  // answered NOT_COORDINATOR
            #expect(cluster.count(.findCoordinator) == 1)  // refreshed once
            #expect(cluster.count(.offsetFetch, broker: 3) == 1)
            #expect(cluster.count(.describeGroups, broker: 3) == 1)
            // Cached again: a third read goes straight to broker 3.
            cluster.clearRequests()
            _ = try await service.group(named: "billing")
            #expect(cluster.count(.findCoordinator) == 0)
            #expect(cluster.count(.offsetFetch, broker: 3) == 1)
        }
    }

    @Test func coordinatorLackingConsumerGroupDescribeMakesMembersUnsupportedOnly() async throws {
        // Broker 3 (analytics' coordinator) lacks ConsumerGroupDescribe: the KIP-848 group's members are
        // unsupported (DescribeGroups cannot describe it), but type, state, offsets and lag still load.
        let lacking = FakeApiProfile.kraftWithout(.consumerGroupDescribe)
        try await withFakeCluster(FakeTopology.kraft(brokers: [3: lacking])) { cluster, service in
            let d = try await service.group(named: "analytics")
            guard case .unsupported(let why) = d.members else {
                Issue.record("expected unsupported members, got \(d.members)")
                return
            }
            #expect(why.contains("ConsumerGroupDescribe"))
            #expect(d.type == "consumer")  // from ListGroups v5
            #expect(d.state == "Reconciling")
            #expect(d.lag == 80)
            #expect(d.offsets.count == 4)
            #expect(d.offsets.allSatisfy { $0.memberId == nil })
            #expect(d.errors.isEmpty, "\(d.errors)")
            #expect(cluster.count(.consumerGroupDescribe) == 0)
            #expect(cluster.count(.describeGroups) == 0)
            // The classic group on a broker with the API is unaffected.
            let b = try await service.group(named: "billing")
            #expect(b.members.value?.count == 3)
        }
    }
}

@Suite struct FakeFramingTests {
    @Test func pipelinedRequestsMatchByCorrelationIdAndApiVersionsStepsDown() async throws {
        var old = FakeApiProfile.kraft
        old[.apiVersions] = 0...2
        try await withFakeCluster(FakeTopology.kraft(brokers: [2: old], bulkTopics: 0)) { cluster, service in
            let client = service.client
            _ = try await client.metadata()
            // 40 concurrent requests on one pipelined connection: each gets its own answer.
            let answers = try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
                for i in 0..<40 {
                    group.addTask {
                        var req = ListOffsetsRequest()
                        req.replicaId = -1
                        var p = ListOffsetsRequest.ListOffsetsPartition()
                        p.partitionIndex = 0
                        p.timestamp = i % 2 == 0 ? -2 : -1
                        req.topics = [ListOffsetsRequest.ListOffsetsTopic(name: "orders", partitions: [p])]
                        let resp = try await client.send(req, to: 1)
                        return (i, resp.topics.first?.partitions.first?.offset ?? -99)
                    }
                }
                var out: [Int: Int64] = [:]
                for try await (i, o) in group { out[i] = o }
                return out
            }
            #expect(answers.count == 40)
            #expect(answers.allSatisfy { $0.value == ($0.key % 2 == 0 ? 0 : 100) })
            let ids = cluster.requests(.listOffsets, broker: 1).map(\.correlationId)
            #expect(ids.count == 40)
            #expect(Set(ids).count == 40)
            // Broker 2 only knows ApiVersions v0-2: the client's v4 is answered in the v0 layout and retried.
            _ = try await client.send(MetadataRequest(topics: nil), to: 2)
            #expect(cluster.requests(.apiVersions, broker: 2).map(\.version) == [4, 2])
        }
    }
}
