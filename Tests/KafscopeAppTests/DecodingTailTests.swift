import ClusterModel
import Foundation
import KafkaTestSupport
@testable import KafscopeApp
import SchemaRegistry
import Testing

/// The TUI's decoding tail over the registry simulator: a partition whose schema is slow to fetch
/// holds only its own records; the other partitions' records reach the screen first.
@Suite(.timeLimit(.minutes(3))) struct DecodingTailTests {
    /// One batch holding both partitions' records, then the end of the stream.
    struct OneBatch: TailService {
        let records: [TailRecord]
        func tail(_ options: TailOptions) -> AsyncThrowingStream<TailEvent, Error> {
            AsyncThrowingStream { c in
                c.yield(.records(records))
                c.finish()
            }
        }
    }

    func register(_ registry: RegistrySim, _ subject: String, _ schema: String) async throws -> Int {
        let data = try await registry.control("POST", "/subjects/\(subject)/versions", body: ["schema": schema])
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? Int, "\(String(decoding: data, as: UTF8.self))")
    }

    func framed(_ id: Int, _ payload: [UInt8]) -> [UInt8] {
        [0, UInt8(id >> 24 & 0xFF), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)] + payload
    }

    @Test func aSlowSchemaHoldsOnlyItsOwnPartition() async throws {
        let registry = try await RegistrySim.start()
        defer { registry.stop() }
        let slowID = try await register(registry, "orders-value", "\"string\"")
        let fastID = try await register(registry, "clicks-value", "\"long\"")
        #expect(slowID != fastID)
        // The slow schema is held by the simulator until the test has seen a batch: if the fast
        // partition's record were held with the slow one, no batch would come and the hold would end
        // only at the simulator's 100 s bound, with the records in one batch.
        _ = try await registry.control("POST", "/__sim/inject", body: ["path": "/schemas/ids/\(slowID)", "hold": "slow", "count": 1])
        let client = try SchemaRegistryClient(endpoint: try RegistryEndpoint(url: registry.url, timeout: .seconds(60)))
        let decoder = RecordDecoder(cache: SchemaCache(client: client))
        let records = [
            TailRecord(topic: "t", partition: 0, offset: 5, timestamp: 0, timestampType: .createTime, key: nil, value: framed(slowID, [0x04, 0x68, 0x69])),
            TailRecord(topic: "t", partition: 1, offset: 9, timestamp: 0, timestampType: .createTime, key: nil, value: framed(fastID, [0x0E])),
            TailRecord(topic: "t", partition: 0, offset: 6, timestamp: 0, timestampType: .createTime, key: nil, value: framed(slowID, [0x02, 0x21])),
        ]
        var batches: [[TailRecord]] = []
        for try await event in DecodingTailService(inner: OneBatch(records: records), decoder: decoder).tail(TailOptions(topic: "t")) {
            if case .records(let r) = event {
                batches.append(r)
                if batches.count == 1 { _ = try await registry.control("POST", "/__sim/release", body: ["name": "slow"]) }
            }
        }
        await client.shutdown()
        #expect(batches.map { $0.map(\.partition) } == [[1], [0, 0]], "partition 1 first, partition 0's records in order after")
        #expect(batches.first?.first?.decodedValue?.json == "7")
        #expect(batches.last?.map { $0.decodedValue?.json } == ["\"hi\"", "\"!\""])
        #expect(batches.last?.map(\.offset) == [5, 6])
    }
}
