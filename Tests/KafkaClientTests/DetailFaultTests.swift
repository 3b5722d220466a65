import ClusterModel
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Testing

/// Issue 13 items 3 and 10 against librdkafka's mock: what the detail reads say when a group's
/// coordinator or a partition's leader is down. The metadata keeps naming the downed broker (the
/// mock never moves leaders), so only a reachability check can tell that a partition is not served.
@Suite(.serialized) struct DetailFaultTests {
    /// Item 3: with the coordinator down, the committed offsets are unknown, not "none".
    @Test func groupWhoseCoordinatorIsDownSaysItsOffsetsAreUnread() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("gd", partitions: 2, replicationFactor: 1)
            for p in Int32(0)..<2 { try await mock.setLeader(topic: "gd", partition: p, broker: 1) }
            try await mock.produce(topic: "gd", records: (0..<6).map { .init(key: nil, value: "r\($0)", partition: Int32($0 % 2)) })
            try await mock.setCoordinator(key: "gd-group", broker: 2)
            try await mock.commitOffsets(group: "gd-group", topic: "gd", offsets: [0: 1, 1: 2])
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let service = KafkaAdminService(client: client, knownGroups: ["gd-group"])
                let before = try await service.group(named: "gd-group")
                #expect(before.offsetsError == nil, "\(before.errors)")
                #expect(before.offsets.map(\.committed) == [1, 2], "\(before.offsets)")
                #expect(before.lag == 3)
                #expect(try await service.topic(named: "gd").consumingGroups == .value(["gd-group"]))

                try await mock.setBrokerDown(2)
                let during = try await service.group(named: "gd-group")
                let why = try #require(during.offsetsError, "offsets read as empty: \(during.offsets) \(during.errors)")
                #expect(why.contains("broker 2") || why.contains("coordinator"), "\(why)")
                #expect(during.offsets.allSatisfy { $0.committed == nil }, "\(during.offsets)")
                // Topic detail's Groups tab: not "no group has committed offsets on this topic".
                let topic = try await service.topic(named: "gd")
                guard case .failed(let reason) = topic.consumingGroups else {
                    Issue.record("consuming groups read as \(topic.consumingGroups) with the coordinator down")
                    return
                }
                #expect(reason.contains("unreachable"), "\(reason)")
                #expect(topic.errors.contains { $0.message.contains("coordinator") }, "\(topic.errors)")

            }
            // Back up (a new client: this one waits out its reconnect backoff, on the wall clock).
            try await mock.setBrokerUp(2)
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let after = try await KafkaAdminService(client: client, knownGroups: ["gd-group"]).group(named: "gd-group")
                #expect(after.offsetsError == nil, "\(after.errors)")
                #expect(after.offsets.map(\.committed) == [1, 2])
            }
        }
    }

    /// Item 10: `describe topic` said "ok" for a partition whose leader was down.
    /// Issue 13 item 3's sibling on the Groups list: a group whose coordinator is down keeps the lag,
    /// state and members last read, marked stale with the reason, instead of a row of blanks.
    @Test func groupsListKeepsTheLastRowOfAGroupWhoseCoordinatorIsDown() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("gl", partitions: 2, replicationFactor: 1)
            for p in Int32(0)..<2 { try await mock.setLeader(topic: "gl", partition: p, broker: 1) }
            try await mock.produce(topic: "gl", records: (0..<6).map { .init(key: nil, value: "r\($0)", partition: Int32($0 % 2)) })
            try await mock.setCoordinator(key: "gl-group", broker: 2)
            try await mock.commitOffsets(group: "gl-group", topic: "gl", offsets: [0: 1, 1: 2])
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let service = KafkaAdminService(client: client, knownGroups: ["gl-group"])
                let before = try #require(try await service.groups().value.first { $0.group == "gl-group" })
                #expect(before.lag == 3 && before.staleReason == nil)

                try await mock.setBrokerDown(2)
                let during = try #require(try await service.groups().value.first { $0.group == "gl-group" })
                #expect(during.lag == 3, "the last lag read stays: \(during)")
                #expect(during.state == before.state && during.members == before.members)
                let why = try #require(during.staleReason, "not marked stale: \(during)")
                #expect(why.contains("broker 2") || why.contains("coordinator") || why.contains("FindCoordinator"), "\(why)")

                try await mock.setBrokerUp(2)
                var after = during
                for _ in 0..<30 where after.staleReason != nil {
                    after = try #require(try await service.groups().value.first { $0.group == "gl-group" })
                    if after.staleReason != nil { try await Task.sleep(for: .milliseconds(500)) }
                }
                #expect(after.staleReason == nil && after.lag == 3, "fresh again once the coordinator is back: \(after)")
            }
        }
    }

    @Test func partitionWhoseLeaderIsDownIsNotOK() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("ld", partitions: 3, replicationFactor: 1)
            for p in Int32(0)..<3 { try await mock.setLeader(topic: "ld", partition: p, broker: p + 1) }
            try await mock.createTopic("ld3", partitions: 1, replicationFactor: 3)
            try await mock.setLeader(topic: "ld3", partition: 0, broker: 1)
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let service = KafkaAdminService(client: client)
                let healthy = try await service.topic(named: "ld")
                #expect(healthy.partitions.map { healthy.status(of: $0) } == [.ok, .ok, .ok], "\(healthy.errors)")

                try await mock.setBrokerDown(2)
                let d = try await service.topic(named: "ld")
                let p1 = try #require(d.partitions.first { $0.partition == 1 })
                #expect(p1.leader == 2, "the mock keeps the leader; the metadata alone looks fine")
                #expect(d.status(of: p1) == .leaderUnreachable(2), "\(d.unreachableBrokers)")
                #expect(!d.status(of: p1).isServing)
                #expect(d.partitions.filter { $0.partition != 1 }.allSatisfy { d.status(of: $0) == .ok })
                #expect(d.unreachableBrokers[2] != nil)
                #expect(d.errors.contains { $0.source.hasPrefix("broker 2") }, "\(d.errors)")
                // The Topics list counts it too (it looked healthy there).
                let list = try await service.topics()
                #expect(list.value.first { $0.name == "ld" }?.leaderUnreachable == 1, "\(list.errors)")
                #expect(list.value.first { $0.name == "ld3" }?.leaderUnreachable == 0)
                #expect(list.errors.contains { $0.source.hasPrefix("broker 2") }, "\(list.errors)")

                // A follower down: the partition is served, but not "ok".
                let r3 = try await service.topic(named: "ld3")
                #expect(r3.status(of: r3.partitions[0]) == .replicasUnreachable([2]), "\(r3.unreachableBrokers)")

            }
            try await mock.setBrokerUp(2)
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let back = try await KafkaAdminService(client: client).topic(named: "ld")
                #expect(back.partitions.map { back.status(of: $0) } == [.ok, .ok, .ok], "\(back.unreachableBrokers)")
            }
        }
    }
}
