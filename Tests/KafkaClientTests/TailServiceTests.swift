import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Testing

/// KafkaTailService against librdkafka's mock cluster (records written by a real librdkafka producer).
@Suite(.serialized) struct TailServiceTests {
    /// Collects events until `done` says so, or fails after `timeout`.
    final class Collector: @unchecked Sendable {
        var records: [TailRecord] = []
        var notices: [String] = []
        var caughtUp = 0
    }

    static func collect(_ stream: AsyncThrowingStream<TailEvent, Error>, timeout: Duration = .seconds(90),
                        until done: @escaping @Sendable (Collector) -> Bool) async throws -> Collector {
        let c = Collector()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await e in stream {
                    switch e {
                    case .records(let rs): c.records += rs
                    case .notice(let n): c.notices.append(n)
                    case .caughtUp: c.caughtUp += 1
                    case .recovered: break
                    }
                    if done(c) { return }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TailTestTimeout(records: c.records.count, notices: c.notices)
            }
            try await group.next()
            group.cancelAll()
        }
        return c
    }

    struct TailTestTimeout: Error, CustomStringConvertible {
        let records: Int
        let notices: [String]
        var description: String { "tail timed out with \(records) records, notices \(notices)" }
    }

    static func records(_ n: Int, tag: String) -> [MockCluster.Record] {
        var out: [MockCluster.Record] = []
        for i in 0..<n {
            let key: [UInt8]? = i % 4 == 3 ? nil : Array("\(tag)-k\(i)".utf8)
            let value: [UInt8] = i % 5 == 4 ? [0xFF, 0x00, UInt8(i)] : Array("{\"\(tag)\":\(i)}".utf8)
            let headers: [MockCluster.Header] = i % 2 == 0 ? [MockCluster.Header("h", "v\(i)"), MockCluster.Header("n", nil)] : []
            let ts: Int64 = 1_700_000_000_000 + Int64(i)
            out.append(MockCluster.Record(key: key, value: value, headers: headers, partition: Int32(i % 3), timestamp: ts))
        }
        return out
    }

    @Test(arguments: MockCluster.Compression.allCases)
    func beginningToEndWithEveryCodec(_ codec: MockCluster.Compression) async throws {
        try await withMockCluster { mock in
            let topic = "tail-\(codec.rawValue)"
            try await mock.createTopic(topic, partitions: 3)
            let sent = Self.records(30, tag: codec.rawValue)
            let deliveries = try await mock.produce(topic: topic, records: sent, compression: codec)
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let tail = KafkaTailService(client: client)
                let got = try await Self.collect(tail.tail(TailOptions(topic: topic, start: .beginning))) { $0.caughtUp > 0 }
                #expect(got.records.count == sent.count)
                var byPosition: [String: TailRecord] = [:]
                for r in got.records { byPosition["\(r.partition)/\(r.offset)"] = r }
                for (s, d) in zip(sent, deliveries) {
                    let r = try #require(byPosition["\(d.partition)/\(d.offset)"])
                    #expect(r.key == s.key && r.value == s.value && r.timestamp == s.timestamp)
                    #expect(r.headers == s.headers.map { RecordHeader(key: $0.name, value: $0.value) })
                    #expect(r.topic == topic && r.timestampType == .createTime)
                }
                // Offsets within each partition arrive in order.
                for p in 0..<3 {
                    let offs = got.records.filter { $0.partition == Int32(p) }.map(\.offset)
                    #expect(offs == offs.sorted())
                }
            }
        }
    }

    @Test func startPositionsAndLiveRecords() async throws {
        try await withMockCluster { mock in
            let topic = "tail-start"
            try await mock.createTopic(topic, partitions: 3)
            _ = try await mock.produce(topic: topic, records: Self.records(30, tag: "a"))
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let tail = KafkaTailService(client: client)
                // last 2 per partition
                let last = try await Self.collect(tail.tail(TailOptions(topic: topic, start: .last(2)))) { $0.caughtUp > 0 }
                #expect(last.records.count == 6)
                #expect(Set(last.records.map(\.offset)) == [8, 9])
                // explicit offset, one partition
                let off = try await Self.collect(tail.tail(TailOptions(topic: topic, start: .offset(7), partitions: [1]))) { $0.caughtUp > 0 }
                #expect(off.records.map(\.offset) == [7, 8, 9] && off.records.allSatisfy { $0.partition == 1 })
                // offset past the end clamps to the end
                let past = try await Self.collect(tail.tail(TailOptions(topic: topic, start: .offset(1000)))) { $0.caughtUp > 0 }
                #expect(past.records.isEmpty)
                // timestamp: the mock has no time index and answers -1 to every timestamp lookup
                // (Tests/Peers/README.md), so the tail starts at the end. (A broker that finds the time:
                // IndependentBrokerTailTests.timestampStartBeginsAtTheFirstRecordAtOrAfterIt.)
                let t: Int64 = 1_700_000_000_000 + 24
                let ts = try await Self.collect(tail.tail(TailOptions(topic: topic, start: .timestamp(t)))) { $0.caughtUp > 0 }
                #expect(ts.records.isEmpty, "\(ts.records.map(\.offset))")

                // From the end: nothing, then the records produced while tailing.
                let stream = tail.tail(TailOptions(topic: topic, start: .end))
                async let live = Self.collect(stream) { $0.records.count >= 5 }
                try await Task.sleep(for: .seconds(1))
                _ = try await mock.produce(topic: topic, records: Self.records(5, tag: "live"))
                let got = try await live
                #expect(got.caughtUp == 1)
                #expect(got.records.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }.allSatisfy { $0.hasPrefix("live-") })
            }
        }
    }

    @Test func followsLeaderChange() async throws {
        try await withMockCluster { mock in
            let topic = "tail-leader"
            try await mock.createTopic(topic, partitions: 1, replicationFactor: 3)
            try await mock.setLeader(topic: topic, partition: 0, broker: 1)
            _ = try await mock.produce(topic: topic, records: Self.records(3, tag: "x").map { var r = $0; r.partition = 0; return r })
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                var settings = TailSettings()
                settings.metadataRecheck = .seconds(2)
                let tail = KafkaTailService(client: client, settings: settings)
                let stream = tail.tail(TailOptions(topic: topic, start: .beginning))
                async let got = Self.collect(stream, timeout: .seconds(90)) { $0.records.count >= 6 }
                try await Task.sleep(for: .seconds(1))
                try await mock.setLeader(topic: topic, partition: 0, broker: 2)
                _ = try await mock.produce(topic: topic, records: Self.records(3, tag: "y").map { var r = $0; r.partition = 0; return r })
                let c = try await got
                #expect(c.records.map(\.offset) == [0, 1, 2, 3, 4, 5])
            }
        }
    }

    @Test func offsetOutOfRangeResetsWithANotice() async throws {
        try await withMockCluster { mock in
            let topic = "tail-oor"
            try await mock.createTopic(topic, partitions: 1)
            _ = try await mock.produce(topic: topic, records: Self.records(3, tag: "o").map { var r = $0; r.partition = 0; return r })
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                // The mock answers the next Fetch with OFFSET_OUT_OF_RANGE.
                try await mock.pushRequestErrors(apiKey: 1, codes: [1])
                let tail = KafkaTailService(client: client)
                let c = try await Self.collect(tail.tail(TailOptions(topic: topic, start: .beginning))) { $0.caughtUp > 0 }
                #expect(c.notices.contains { $0.contains("offset 0 out of range") && $0.contains("resuming at 0") }, "\(c.notices)")
                #expect(c.records.map(\.offset) == [0, 1, 2])
            }
        }
    }

    @Test func unknownTopicAndPartitionFailClearly() async throws {
        try await withMockCluster { mock in
            try await mock.createTopic("tail-known", partitions: 2)
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                let tail = KafkaTailService(client: client)
                await #expect(throws: UserFacingError.self) {
                    _ = try await Self.collect(tail.tail(TailOptions(topic: "tail-known", partitions: [5]))) { _ in true }
                }
            }
        }
    }
}
