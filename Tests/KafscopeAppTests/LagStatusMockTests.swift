import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import LagHealth
import Logging
import Synchronization
import Testing
@testable import KafscopeApp

/// Issue 17 end to end against the librdkafka mock: real produced records and real commits, the
/// samples taken by ordinary group refreshes, time moved by hand (no wall clock decides anything).
/// Groups: `live` keeps up, `slow` advances but falls behind, `stuck` commits once and never again.
@Suite(.serialized, .timeLimit(.minutes(3))) struct LagStatusMockTests {
    final class HandClock: Sendable {
        private let now = Mutex<UInt64>(7_000_000_000_000)
        var clock: KafkaClientClock { KafkaClientClock { [self] in now.withLock { $0 } } }
        func advance(seconds: UInt64) { now.withLock { $0 += seconds * 1_000_000_000 } }
    }

    struct Rig {
        let mock: MockCluster
        let client: KafkaClient
        let service: KafkaAdminService
        let clock: HandClock

        /// `n` more records on each of events-0 (leader 1) and events-1 (leader 2).
        func produce(_ n: Int) async throws {
            for p in Int32(0)..<2 {
                _ = try await mock.produce(topic: "events", records: (0..<n).map { MockCluster.Record(key: nil, value: "e\($0)", partition: p) })
            }
        }

        func commit(_ group: String, _ offset: Int64) async throws {
            try await mock.commitOffsets(group: group, topic: "events", offsets: [0: offset, 1: offset])
        }

        func groups() async throws -> [String: GroupSummary] {
            let p = try await service.groups()
            return Dictionary(uniqueKeysWithValues: p.value.map { ($0.group, $0) })
        }
    }

    func withRig(_ body: (Rig) async throws -> Void) async throws {
        let mock = try await MockCluster.start(brokers: 3)
        do {
            try await mock.createTopic("events", partitions: 2)
            for p in Int32(0)..<2 { try await mock.setLeader(topic: "events", partition: p, broker: p + 1) }
            for g in ["live", "slow", "stuck"] { try await mock.setCoordinator(key: g, broker: 3) }
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(mock.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(5), maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let clock = HandClock()
            let service = KafkaAdminService(client: client, knownGroups: ["live", "slow", "stuck"], clock: clock.clock)
            let rig = Rig(mock: mock, client: client, service: service, clock: clock)
            do { try await body(rig) } catch { await client.shutdown(); throw error }
            await client.shutdown()
        } catch {
            await mock.stop()
            throw error
        }
        await mock.stop()
    }

    @Test func producingAndStalledGroupsGetTheirStatusRatesAndEta() async throws {
        try await withRig { rig in
            try await rig.produce(100)
            try await rig.commit("live", 50)
            try await rig.commit("slow", 20)
            try await rig.commit("stuck", 10)
            let first = try await rig.groups()
            // One sample: lag is known, status and rates are not (null in JSON).
            #expect(first["live"]?.lag == 100 && first["live"]?.health?.status == nil)
            let j1 = ClusterFormat.groupJSON(try #require(first["live"]))
            #expect(j1["status"] == .null && j1["consume_rate"] == .null && j1["eta_seconds"] == .null)

            // 30 s later: 30 more records per partition; live consumed 50, slow 10, stuck none.
            rig.clock.advance(seconds: 30)
            try await rig.produce(30)
            try await rig.commit("live", 100)
            try await rig.commit("slow", 30)
            let second = try await rig.groups()
            let live = try #require(second["live"]?.health)
            #expect(live.status == .ok, "\(live.reason)")
            // Per partition 50/30 consumed and 30/30 produced per second; two partitions summed.
            let (consume, produce) = (try #require(live.consumeRate), try #require(live.produceRate))
            #expect(abs(consume - 100.0 / 30) < 0.001 && abs(produce - 2) < 0.001)
            // Lag 30 per partition closing at 50/30 - 1 per second: 45 s.
            #expect(abs(try #require(live.etaSeconds) - 45) < 0.001)
            let j2 = ClusterFormat.groupJSON(try #require(second["live"]))
            #expect(j2["status"] == .string("OK") && j2["eta_seconds"] == .double(45))
            #expect(second["stuck"]?.health?.status == .ok, "30 s without a commit is not yet stalled (60 s)")

            // 40 s more (70 s in all): stuck has not moved for 70 s with lag: STALLED; slow's lag grew twice.
            rig.clock.advance(seconds: 40)
            try await rig.produce(40)
            try await rig.commit("live", 170)
            try await rig.commit("slow", 40)
            let third = try await rig.groups()
            #expect(third["live"]?.health?.status == .ok && third["live"]?.health?.etaSeconds == 0)
            #expect(third["slow"]?.health?.status == .warning, "\(third["slow"]?.health?.reason ?? "")")
            #expect(third["slow"]?.health?.fallingBehind == true && third["slow"]?.health?.etaSeconds == nil)
            #expect(ClusterFormat.groupJSON(try #require(third["slow"]))["falling_behind"] == .bool(true))
            let stuck = try #require(third["stuck"]?.health)
            #expect(stuck.status == .stalled, "\(stuck.reason)")
            #expect(stuck.reason.contains("offset 10 has not moved for 70s"), "\(stuck.reason)")
            #expect(stuck.consumeRate == 0)

            // Past stopped_after (300 s) with no member known (the mock cannot describe groups): STOPPED.
            rig.clock.advance(seconds: 240)
            let fourth = try await rig.groups()
            #expect(fourth["stuck"]?.health?.status == .stopped, "\(fourth["stuck"]?.health?.reason ?? "")")
            let table = ClusterFormat.groupsTable(fourth.values.sorted { $0.group < $1.group })
            #expect(fourth["slow"]?.health?.status == .stalled, "slow's offset unmoved for 240 s: not yet 300 s")
            #expect(table.contains("STOPPED") && table.contains("STALLED"), "\(table)")

            // The detail carries the same verdict per partition.
            let d = try await rig.service.group(named: "stuck")
            #expect(d.health?.status == .stopped)
            #expect(d.offsets.allSatisfy { $0.health?.status == .stopped })
            let dj = ClusterFormat.groupDetailJSON(d)
            #expect(dj["status"] == .string("STOPPED"))
        }
    }

    /// Sampling costs nothing beyond the refresh it rides on: the same requests per refresh, one
    /// ListOffsets per partition leader, never one per partition, and no Fetch.
    @Test func samplingAddsNoRequestsPerPartition() async throws {
        try await withRig { rig in
            try await rig.produce(10)
            for g in ["live", "slow", "stuck"] { try await rig.commit(g, 5) }
            _ = try await rig.groups()  // connections, metadata, coordinators
            var costs: [RequestCountSnapshot] = []
            for _ in 0..<3 {
                rig.clock.advance(seconds: 10)
                let before = rig.client.counterSnapshot()
                _ = try await rig.groups()
                costs.append(rig.client.counterSnapshot().subtracting(before))
            }
            #expect(costs[1] == costs[0] && costs[2] == costs[0], "\(costs)")
            let c = costs[0]
            #expect(c.count(api: "ListOffsets") == 2, "one per leader (brokers 1 and 2) for 3 groups x 2 partitions: \(c)")
            #expect(c.perBroker[1]?["ListOffsets"] == 1 && c.perBroker[2]?["ListOffsets"] == 1)
            #expect(c.count(api: "Fetch") == 0)
            // The mock answers OffsetFetch only up to v6: one per group, all on the coordinator.
            #expect(c.count(api: "OffsetFetch") == 3 && c.perBroker[3]?["OffsetFetch"] == 3, "\(c)")
        }
    }
}
