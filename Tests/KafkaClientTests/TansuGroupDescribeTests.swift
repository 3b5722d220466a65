import ClusterModel
import KafkaAdmin
import KafkaClient
import KafkaProtocol
import KafkaTestSupport
import Testing

/// ConsumerGroupDescribe (KIP-848) against a real peer: tansu advertises API 69 but has no
/// KIP-848 groups (no ConsumerGroupHeartbeat), and answers every id with an epoch-less empty group.
@Suite(.serialized) struct TansuGroupDescribeTests {
    @Test func consumerGroupDescribeRoundTripsAndEpochlessAnswersFallBackToDescribeGroups() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        try await tansu.createTopic("cgd-topic", partitions: 1)
        var end: Int64 = 0
        for d in try await tansu.produce(topic: "cgd-topic", records: (0..<3).map { .init(key: nil, value: "v\($0)", partition: 0) }) {
            end = max(end, d.offset + 1)
        }
        let config = try TestClients.config(bootstrap: tansu.bootstrap)
        try await withClient(config) { client in
            try await SecurityTests().commit(client, group: "cgd-group", topic: "cgd-topic", offsets: [0: 1])
            // Our encoding at the negotiated version, the peer's answer decoded.
            let conn = try await client.anyConnection()
            let v = try #require(conn.negotiatedVersion(ConsumerGroupDescribeRequest.self))
            var req = ConsumerGroupDescribeRequest()
            req.groupIds = ["cgd-group"]
            let resp = try await conn.send(req, version: v)
            let g = try #require(resp.groups.first)
            #expect(resp.groups.count == 1 && g.groupId == "cgd-group")
            #expect(g.groupEpoch < 0 && g.members.isEmpty, "tansu's answer changed: \(g)")

            let service = KafkaAdminService(client: client)
            let before = client.counterSnapshot()
            let r = await service.groupDetails(named: ["cgd-group"])
            let delta = client.counterSnapshot().subtracting(before)
            let d = try #require(r.value.first)
            // Asked KIP-848 first (type unknown, API advertised), then DescribeGroups for the epoch-less answer.
            #expect(delta.count(api: "ConsumerGroupDescribe") == 1)
            #expect(delta.count(api: "DescribeGroups") == 1)
            #expect(d.type == "classic", "\(d)")
            if case .value(let members) = d.members { #expect(members.isEmpty) } else { Issue.record("members: \(d.members)") }
            #expect(d.offsets.map(\.committed) == [1] && d.offsets.map(\.end) == [end] && d.lag == end - 1, "\(d.errors)")
        }
        await tansu.stop()
    }
}
