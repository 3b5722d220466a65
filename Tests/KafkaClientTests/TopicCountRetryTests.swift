import ClusterModel
import KafkaAdmin
import KafkaClient
import KafkaProtocol
import KafkaTestSupport
import Testing

/// #13 item 6: ListOffsets errors injected by librdkafka's mock. Twelve NOT_LEADER_OR_FOLLOWER answers used
/// to blank every topic's MESSAGES cell for a whole refresh (one retry, then every count nil).
@Suite(.serialized) struct TopicCountRetryTests {
    @Test func listOffsetsErrorsAreRetriedAndCountsThatStillFailKeepTheirLastValue() async throws {
        try await withMockCluster { mock in
            for (i, name) in ["cnt-a", "cnt-b", "cnt-c"].enumerated() {
                try await mock.createTopic(name, partitions: 3, replicationFactor: 1)
                for p in Int32(0)..<3 { try await mock.setLeader(topic: name, partition: p, broker: p + 1) }
                _ = try await mock.produce(topic: name, records: (0..<(i + 2)).map { .init(key: nil, value: Array("v\($0)".utf8), partition: 0) })
            }
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let service = KafkaAdminService(client: client)
                let counts = ["cnt-a": Int64(2), "cnt-b": 3, "cnt-c": 4]
                // Every first and second ListOffsets of the earliest and latest reads to the 3 leaders fails.
                try await mock.pushRequestErrors(apiKey: ApiKey.listOffsets.rawValue, codes: Array(repeating: KafkaErrorCode.notLeaderOrFollower.code, count: 12))
                let first = try await service.topics()
                for (name, n) in counts {
                    let t = try #require(first.value.first { $0.name == name })
                    #expect(t.messages == n, "\(name): \(first.errors)")
                    #expect(!t.messagesStale)
                }
                // More errors than the retries absorb: the counts stay, marked stale, and the errors say why.
                try await mock.pushRequestErrors(apiKey: ApiKey.listOffsets.rawValue, codes: Array(repeating: KafkaErrorCode.notLeaderOrFollower.code, count: 200))
                let second = try await service.topics()
                try await mock.clearRequestErrors(apiKey: ApiKey.listOffsets.rawValue)
                for (name, n) in counts {
                    let t = try #require(second.value.first { $0.name == name })
                    #expect(t.messages == n && t.messagesStale, "\(name)")
                }
                #expect(second.errors.contains { $0.message.contains("NOT_LEADER_OR_FOLLOWER") }, "\(second.errors)")
            }
        }
    }

    /// Issue 11 item 6: the first stage comes from Metadata alone, so a leader that cannot answer
    /// ListOffsets does not hold the rows back; the second stage has the counts that could be read.
    @Test func topicsInStagesGiveRowsFromMetadataFirst() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("stage-a", partitions: 3, replicationFactor: 1)
            for p in Int32(0)..<3 { try await mock.setLeader(topic: "stage-a", partition: p, broker: p + 1) }
            _ = try await mock.produce(topic: "stage-a", records: (0..<5).map { .init(key: nil, value: Array("v\($0)".utf8), partition: 0) })
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let service = KafkaAdminService(client: client)
                var stages: [Partial<[TopicSummary]>] = []
                for try await stage in service.topicsInStages() { stages.append(stage) }
                try #require(stages.count == 2)
                let first = try #require(stages[0].value.first { $0.name == "stage-a" })
                #expect(stages[0].isPreliminary && first.detailsPending && first.partitions == 3 && first.messages == nil)
                let full = try #require(stages[1].value.first { $0.name == "stage-a" })
                #expect(!stages[1].isPreliminary && !full.detailsPending && full.messages == 5, "\(stages[1].errors)")
                #expect(Set(stages[0].value.map(\.name)) == Set(stages[1].value.map(\.name)))
            }
        }
    }
}
