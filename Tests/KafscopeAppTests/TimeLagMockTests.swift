import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging
import Testing
@testable import KafscopeApp

/// Issue 17 item 1 against the librdkafka mock: time lag from records with known timestamps, read
/// with one small Fetch per partition leader and cached per offset. The wall clock is injected.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TimeLagMockTests {
    static let t0: Int64 = 1_750_000_000_000

    /// orders-0 led by broker 1, orders-1 by broker 2, 20 records each stamped t0 + i s; group a at
    /// offsets 5 and 20, group b at 8 and 2.
    static func ordersWithTwoGroups(_ mock: MockCluster) async throws {
        try await mock.createTopic("orders", partitions: 2)
        for p in Int32(0)..<2 {
            try await mock.setLeader(topic: "orders", partition: p, broker: p + 1)
            _ = try await mock.produce(topic: "orders", records: (0..<20).map {
                MockCluster.Record(key: nil, value: "o\($0)", partition: p, timestamp: Self.t0 + Int64($0) * 1_000)
            })
        }
        try await mock.commitOffsets(group: "a", topic: "orders", offsets: [0: 5, 1: 20])
        try await mock.commitOffsets(group: "b", topic: "orders", offsets: [0: 8, 1: 2])
    }

    @Test func timeLagIsTheAgeOfTheNextRecordReadOncePerOffset() async throws {
        try await MockCluster.with(brokers: 3) { mock in
            try await Self.ordersWithTwoGroups(mock)
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(mock.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(5), maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            defer { Task { await client.shutdown() } }
            // "Now" is 65 s after the first record.
            let service = KafkaAdminService(client: client, knownGroups: ["a", "b"], wallClockMs: { Self.t0 + 65_000 })

            let before = client.counterSnapshot()
            let first = try await service.groups()
            let cost = client.counterSnapshot().subtracting(before)
            let g = Dictionary(uniqueKeysWithValues: first.value.map { ($0.group, $0) })
            // a: orders-0 at 5 (stamped t0+5 s: 60 s old), orders-1 caught up (0): the group's is 60.
            #expect(g["a"]?.lagSeconds == 60, "\(first.errors)")
            // b: orders-0 at 8 (57 s), orders-1 at 2 (63 s).
            #expect(g["b"]?.lagSeconds == 63)
            #expect(ClusterFormat.groupJSON(try #require(g["b"]))["lag_seconds"] == .double(63))
            // One Fetch per leader (brokers 1 and 2), though four partition offsets were wanted.
            #expect(cost.count(api: "Fetch") == 2 && cost.perBroker[1]?["Fetch"] == 1 && cost.perBroker[2]?["Fetch"] == 1, "\(cost)")

            let d = try await service.group(named: "b")
            #expect(d.offsets.sorted { $0.partition < $1.partition }.map(\.lagSeconds) == [57, 63])
            #expect(ClusterFormat.groupDetailJSON(d)["lag_seconds"] == .double(63))

            // Unchanged offsets: cached, no Fetch. An offset inside what the first Fetch returned: cached too.
            let again = client.counterSnapshot()
            _ = try await service.groups()
            try await mock.commitOffsets(group: "a", topic: "orders", offsets: [0: 15])
            let inside = try await service.groups()
            #expect(client.counterSnapshot().subtracting(again).count(api: "Fetch") == 0)
            #expect(inside.value.first { $0.group == "a" }?.lagSeconds == 50)
            // New records, and a group moves onto one of them: one Fetch, to that partition's leader.
            _ = try await mock.produce(topic: "orders", records: (20..<25).map {
                MockCluster.Record(key: nil, value: "o\($0)", partition: 0, timestamp: Self.t0 + Int64($0) * 1_000)
            })
            try await mock.commitOffsets(group: "a", topic: "orders", offsets: [0: 22])
            let moved = client.counterSnapshot()
            let third = try await service.groups()
            let c3 = client.counterSnapshot().subtracting(moved)
            #expect(c3.count(api: "Fetch") == 1 && c3.perBroker[1]?["Fetch"] == 1, "\(c3)")
            #expect(third.value.first { $0.group == "a" }?.lagSeconds == 43)
        }
    }
    /// #17: when one leader cannot answer the timestamp Fetch, the group's time lag is the largest of
    /// the partitions read, marked partial; a group whose partitions were all read is not. Made to fail
    /// once by not copying the detail's flag into the group list's summary (b was not partial).
    @Test func aTimeLagMissingAPartitionsTimestampIsMarkedPartial() async throws {
        try await MockCluster.with(brokers: 3) { mock in
            try await Self.ordersWithTwoGroups(mock)
            // Broker 2 (leader of orders-1) fails every Fetch of this refresh's rounds.
            try await mock.pushBrokerRequestErrors(broker: 2, apiKey: 1, errors: Array(repeating: (code: -1, rttMilliseconds: 0), count: 3))
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(mock.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(5), maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            defer { Task { await client.shutdown() } }
            let service = KafkaAdminService(client: client, knownGroups: ["a", "b"], wallClockMs: { Self.t0 + 65_000 })
            let first = try await service.groups()
            let g = Dictionary(uniqueKeysWithValues: first.value.map { ($0.group, $0) })
            // a: orders-0 read (60 s), orders-1 caught up: complete.
            #expect(g["a"]?.lagSeconds == 60 && g["a"]?.lagSecondsPartial == false, "\(first.errors)")
            // b: orders-0 read (57 s), orders-1's timestamp unread: 57 is only a lower bound.
            #expect(g["b"]?.lagSeconds == 57, "\(first.errors)")
            #expect(g["b"]?.lagSecondsPartial == true)
            #expect(ClusterFormat.groupJSON(try #require(g["b"]))["lag_seconds_partial"] == .bool(true))
            #expect(ClusterFormat.groupsTable(first.value).contains("57s+"), "\(ClusterFormat.groupsTable(first.value))")
        }
    }
}
