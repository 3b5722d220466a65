import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging
import Synchronization
import Testing
@testable import KafscopeApp

/// Issue 13 item 4 against the librdkafka mock: a partition whose leader is down must never count
/// as zero lag. Its last end offset stands in while fresh enough, otherwise the total is a lower
/// bound marked `lag_partial` with the partition named in `errors`.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LagPartialMockTests {
    /// A clock the test moves by hand: the freshness limit is judged on it, never on the wall clock.
    final class HandClock: Sendable {
        private let now = Mutex<UInt64>(5_000_000_000_000)
        var clock: KafkaClientClock { KafkaClientClock { [self] in now.withLock { $0 } } }
        func advance(seconds: UInt64) { now.withLock { $0 += seconds * 1_000_000_000 } }
    }

    /// orders: 3 partitions with 10, 20, 30 records, leaders 1, 2, 3; billing (coordinated by
    /// broker 1) committed 5 on each: lag 5 + 15 + 25 = 45.
    func withCluster(_ body: (MockCluster, KafkaAdminService, HandClock) async throws -> Void) async throws {
        let mock = try await MockCluster.start(brokers: 3)
        do {
            try await mock.createTopic("orders", partitions: 3)
            for p in Int32(0)..<3 {
                try await mock.setLeader(topic: "orders", partition: p, broker: p + 1)
                let n = 10 * (Int(p) + 1)
                _ = try await mock.produce(topic: "orders", records: (0..<n).map { MockCluster.Record(key: nil, value: "v\($0)", partition: p) })
            }
            try await mock.setCoordinator(key: "billing", broker: 1)
            try await mock.commitOffsets(group: "billing", topic: "orders", offsets: [0: 5, 1: 5, 2: 5])
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(mock.bootstrap), clientId: "kafscope-test",
                                           connectTimeout: .seconds(5), requestTimeout: .seconds(5),
                                           maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let clock = HandClock()
            let service = KafkaAdminService(client: client, knownGroups: ["billing"], clock: clock.clock, endOffsetMaxAge: 60)
            do { try await body(mock, service, clock) } catch { await client.shutdown(); throw error }
            await client.shutdown()
        } catch {
            await mock.stop()
            throw error
        }
        await mock.stop()
    }

    func billing(_ p: Partial<[GroupSummary]>) throws -> GroupSummary {
        try #require(p.value.first { $0.group == "billing" }, "\(p.errors)")
    }

    @Test func aLeaderDownNeverCountsAsZeroLag() async throws {
        try await withCluster { mock, service, _ in
            // Never read before: partition 2 cannot be counted at all.
            try await mock.setBrokerDown(3)
            let g = try billing(try await service.groups())
            #expect(g.lag == 20, "partitions 0 and 1 only")
            #expect(g.lagCompleteness == .partial)
            #expect(g.lagErrors.count == 1 && g.lagErrors[0].message.contains("left out of the total: orders-2"), "\(g.lagErrors)")
            let json = ClusterFormat.groupJSON(g)
            #expect(json["lag_partial"] == .bool(true))
            #expect(json["lag"] == .integer(20))
            #expect(json["errors"]?.serialized().contains("orders-2") == true, "\(json.serialized())")
            #expect(ClusterFormat.groupsTable([g]).contains(" 20+ "), "a lower bound, not a total")

            let d = try await service.group(named: "billing")
            #expect(d.lagPartial && d.lag == 20)
            let row = try #require(d.offsets.first { $0.partition == 2 })
            #expect(row.committed == 5 && row.end == nil && row.lag == nil)
            let dj = ClusterFormat.groupDetailJSON(d)
            #expect(dj["lag_partial"] == .bool(true))
            #expect(dj["errors"]?.serialized().contains("orders-2") == true)
        }
    }

    @Test func aRecentEndOffsetStandsInWhileFreshAndExpiresAfterTheLimit() async throws {
        try await withCluster { mock, service, clock in
            let healthy = try billing(try await service.groups())
            #expect(healthy.lag == 45 && healthy.lagCompleteness == .complete && healthy.lagErrors.isEmpty)
            #expect(ClusterFormat.groupJSON(healthy)["lag_partial"] == .bool(false))

            try await mock.setBrokerDown(3)
            clock.advance(seconds: 30)
            let estimated = try billing(try await service.groups())
            #expect(estimated.lag == 45, "orders-2's end offset read 30 s ago still counts")
            #expect(estimated.lagCompleteness == .estimated)
            #expect(estimated.lagErrors.first?.message.contains("counted from its last read: orders-2 (read 30s ago)") == true,
                    "\(estimated.lagErrors)")
            let d = try await service.group(named: "billing")
            #expect(d.offsets.first { $0.partition == 2 }?.endAge == 30)
            #expect(d.offsets.first { $0.partition == 2 }?.end == 30)

            clock.advance(seconds: 31)
            let expired = try billing(try await service.groups())
            #expect(expired.lag == 20 && expired.lagCompleteness == .partial, "older than the 60 s limit")

            try await mock.setBrokerUp(3)
            var back = try billing(try await service.groups())
            // The client may still be backing off from broker 3; a later refresh reads it.
            for _ in 0..<20 where back.lagCompleteness != .complete {
                try await Task.sleep(for: .milliseconds(250))
                back = try billing(try await service.groups())
            }
            #expect(back.lag == 45 && back.lagCompleteness == .complete)
        }
    }
}
