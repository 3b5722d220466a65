import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import LagHealth
import Logging
import Synchronization
import Testing

/// Issue 17 item 4 on the librdkafka mock: the topic detail's consuming groups with lag, time lag,
/// rates, ETA and status over that topic's partitions, and a refresh whose ListOffsets and Fetch
/// stay per broker however many groups consume the topic. Both clocks are injected.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TopicGroupLagMockTests {
    static let t0: Int64 = 1_750_000_000_000

    final class HandClock: Sendable {
        private let now = Mutex<UInt64>(9_000_000_000_000)
        var clock: KafkaClientClock { KafkaClientClock { [self] in now.withLock { $0 } } }
        func advance(seconds: UInt64) { now.withLock { $0 += seconds * 1_000_000_000 } }
    }

    @Test func topicDetailJudgesItsGroupsOnItsPartitionsAtPerBrokerCost() async throws {
        try await MockCluster.with(brokers: 3) { mock in
            // orders-0 on broker 1, orders-1 on broker 2, 20 records each stamped t0 + i s; other-0 on broker 3.
            try await mock.createTopic("orders", partitions: 2)
            try await mock.createTopic("other", partitions: 1)
            for p in Int32(0)..<2 {
                try await mock.setLeader(topic: "orders", partition: p, broker: p + 1)
                _ = try await mock.produce(topic: "orders", records: (0..<20).map {
                    MockCluster.Record(key: nil, value: "o\($0)", partition: p, timestamp: Self.t0 + Int64($0) * 1_000)
                })
            }
            try await mock.setLeader(topic: "other", partition: 0, broker: 3)
            _ = try await mock.produce(topic: "other", records: (0..<50).map {
                MockCluster.Record(key: nil, value: "x\($0)", partition: 0, timestamp: Self.t0)
            })
            // a: orders-0 at 5 (60 s old at "now"), orders-1 caught up; and 40 behind on `other`, which
            // must not count here. b: orders-0 at 8 (57 s), orders-1 at 2 (63 s). c: only `other`.
            try await mock.commitOffsets(group: "a", topic: "orders", offsets: [0: 5, 1: 20])
            try await mock.commitOffsets(group: "a", topic: "other", offsets: [0: 10])
            try await mock.commitOffsets(group: "b", topic: "orders", offsets: [0: 8, 1: 2])
            try await mock.commitOffsets(group: "c", topic: "other", offsets: [0: 0])
            // 30 more groups on orders, spread over offsets 0-19 (inside the records one Fetch returns).
            let many = (0..<30).map { "m\($0)" }
            for (i, g) in many.enumerated() {
                try await mock.commitOffsets(group: g, topic: "orders", offsets: [0: Int64(i % 20), 1: Int64((i * 7) % 20)])
            }
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(mock.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(5), maxReconnectBackoff: .milliseconds(200))

            func service(_ groups: [String], clock: HandClock) -> (KafkaClient, KafkaAdminService) {
                let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
                return (client, KafkaAdminService(client: client, knownGroups: groups, clock: clock.clock,
                                                  wallClockMs: { Self.t0 + 65_000 }))
            }

            let clock = HandClock()
            let (client, small) = service(["a", "b", "c"], clock: clock)
            defer { Task { await client.shutdown() } }
            let before = client.counterSnapshot()
            let d = try await small.topic(named: "orders")
            let cost = client.counterSnapshot().subtracting(before)
            #expect(d.consumingGroups == .value(["a", "b"]), "\(d.errors)")
            let a = try #require(d.consumerLag["a"]), b = try #require(d.consumerLag["b"])
            // Lag and time lag of this topic only (a's 40 on `other` is not counted).
            #expect(a.lag == 15 && a.lagSeconds == 60, "\(a)")
            #expect(b.lag == 30 && b.lagSeconds == 63, "\(b)")
            // One sample so far: no rates or status yet.
            #expect(a.health?.status == nil && a.health?.consumeRate == nil)
            // One Fetch per leader of a lagging partition (brokers 1 and 2).
            #expect(cost.count(api: "Fetch") == 2 && cost.perBroker[1]?["Fetch"] == 1 && cost.perBroker[2]?["Fetch"] == 1, "\(cost)")

            // Second refresh 10 s later: a moved 5 on orders-0 (0.5/s), nothing produced; b did not move.
            try await mock.commitOffsets(group: "a", topic: "orders", offsets: [0: 10])
            clock.advance(seconds: 10)
            let d2 = try await small.topic(named: "orders")
            let a2 = try #require(d2.consumerLag["a"]), b2 = try #require(d2.consumerLag["b"])
            #expect(a2.lag == 10 && a2.health?.consumeRate == 0.5 && a2.health?.produceRate == 0, "\(a2)")
            #expect(a2.health?.status == .ok && a2.health?.etaSeconds == 20, "\(String(describing: a2.health))")
            #expect(b2.health?.consumeRate == 0 && b2.health?.status == .ok, "b has not moved for 10 s: not yet stalled")
            // b unmoved past stalled_after (60 s) with lag: STALLED; a keeps consuming: OK.
            clock.advance(seconds: 60)
            try await mock.commitOffsets(group: "a", topic: "orders", offsets: [0: 12])
            let d3 = try await small.topic(named: "orders")
            #expect(d3.consumerLag["b"]?.health?.status == .stalled, "\(String(describing: d3.consumerLag["b"]?.health))")
            #expect(d3.consumerLag["a"]?.health?.status == .ok)

            // 33 groups on the topic: the per-broker requests that do not depend on groups stay per
            // broker (ListOffsets: earliest, latest and the groups' ends; Fetch: one per leader).
            let (bigClient, big) = service(["a", "b", "c"] + many, clock: HandClock())
            defer { Task { await bigClient.shutdown() } }
            let start = bigClient.counterSnapshot()
            let wide = try await big.topic(named: "orders")
            let wideCost = bigClient.counterSnapshot().subtracting(start)
            #expect(wide.consumingGroups.value?.count == 32 && wide.consumerLag.count == 32, "\(wide.errors)")
            for broker in Int32(1)...3 {
                #expect((wideCost.perBroker[broker]?["ListOffsets"] ?? 0) <= 3, "broker \(broker): \(wideCost)")
                #expect((wideCost.perBroker[broker]?["Fetch"] ?? 0) <= 1, "broker \(broker): \(wideCost)")
                #expect((wideCost.perBroker[broker]?["DescribeGroups"] ?? 0) <= 1, "broker \(broker): \(wideCost)")
            }
            // m5 sits at orders-0 offset 5 and orders-1 offset 15: 60 s old and 50 s old.
            #expect(wide.consumerLag["m5"]?.lagSeconds == 60 && wide.consumerLag["m5"]?.lag == 15 + 5)
        }
    }
}
