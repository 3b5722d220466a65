import ClusterModel
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Testing

/// Issue 17 item 1 on a second peer: time lag from records with known timestamps on tansu (the
/// librdkafka mock side is TimeLagMockTests), through the group list and the topic detail. The wall
/// clock is injected. tansu answers a Fetch with no wait with no records, which left every time lag
/// unknown there until the time-lag Fetch asked for a short wait.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TimeLagTansuTests {
    static let t0: Int64 = 1_750_000_000_000

    @Test func timeLagIsTheAgeOfTheNextRecordOnTansu() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        try await tansu.createTopic("stamped", partitions: 2)
        // 20 records per partition, record i stamped t0 + i s (one record per batch: tansu's quirk).
        for p in Int32(0)..<2 {
            let landed = try await tansu.produce(topic: "stamped", records: (0..<20).map {
                MockCluster.Record(key: nil, value: "s\($0)", partition: p, timestamp: Self.t0 + Int64($0) * 1_000)
            })
            #expect(landed.map(\.offset) == Array(0..<20), "partition \(p): \(landed)")
        }
        let config = try TestClients.config(bootstrap: tansu.bootstrap)
        try await withClient(config) { client in
            try await SecurityTests().commit(client, group: "tl-a", topic: "stamped", offsets: [0: 5, 1: 20])
            try await SecurityTests().commit(client, group: "tl-b", topic: "stamped", offsets: [0: 8, 1: 2])
            // "Now" is 65 s after the first record.
            let service = KafkaAdminService(client: client, knownGroups: ["tl-a", "tl-b"], wallClockMs: { Self.t0 + 65_000 })
            let before = client.counterSnapshot()
            let groups = try await service.groups()
            let cost = client.counterSnapshot().subtracting(before)
            let g = Dictionary(uniqueKeysWithValues: groups.value.map { ($0.group, $0) })
            // tl-a: stamped-0 at 5 (t0+5 s: 60 s old), stamped-1 caught up. tl-b: 8 (57 s) and 2 (63 s).
            #expect(g["tl-a"]?.lagSeconds == 60, "\(groups.errors)")
            #expect(g["tl-b"]?.lagSeconds == 63)
            // One broker, one Fetch for the three lagging partition offsets (two partitions, two rounds at most).
            #expect((1...2).contains(cost.count(api: "Fetch")), "\(cost)")

            let d = try await service.group(named: "tl-b")
            #expect(d.offsets.sorted { $0.partition < $1.partition }.map(\.lagSeconds) == [57, 63])
            let topic = try await service.topic(named: "stamped")
            #expect(topic.consumerLag["tl-b"]?.lagSeconds == 63 && topic.consumerLag["tl-a"]?.lag == 15, "\(topic.consumerLag)")
        }
    }
}
