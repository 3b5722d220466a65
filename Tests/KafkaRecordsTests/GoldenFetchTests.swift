import Foundation
import Testing
@testable import KafkaRecords

/// Fixtures captured by scripts/capture-fetch-golden: Fetch v4 responses from librdkafka's mock cluster
/// holding batches that librdkafka's producer wrote, and the records that were produced.
struct GoldenFixture {
    struct Response: Decodable {
        let fetch_offset: Int64
        let records_start: Int
        let records_length: Int
        let high_watermark: Int64
    }
    struct Header: Decodable { let key: String; let value: String? }
    struct Record: Decodable {
        let offset: Int64
        let timestamp: Int64
        let key: String?
        let value: String?
        let headers: [Header]
    }
    struct Doc: Decodable {
        let codec: String
        let responses: [Response]
        let records: [Record]
    }

    let doc: Doc
    let blob: [UInt8]

    init(_ name: String) throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let json = try Data(contentsOf: dir.appendingPathComponent("fetch-\(name).json"))
        doc = try JSONDecoder().decode(Doc.self, from: json)
        blob = [UInt8](try Data(contentsOf: dir.appendingPathComponent("fetch-\(name).bin")))
    }

    func recordSet(_ r: Response) -> ArraySlice<UInt8> { blob[r.records_start..<(r.records_start + r.records_length)] }
}

func unb64(_ s: String?) -> [UInt8]? { s.map { [UInt8](Data(base64Encoded: $0)!) } }

@Suite struct GoldenFetchTests {
    @Test(arguments: ["none", "gzip", "snappy", "lz4", "zstd"])
    func librdkafkaBatchesDecodeExactly(_ codec: String) throws {
        let fx = try GoldenFixture(codec)
        #expect(fx.doc.responses.count >= 2, "several batches")
        var got: [DecodedRecord] = []
        var fetchOffset: Int64 = 0
        for r in fx.doc.responses {
            #expect(r.fetch_offset == fetchOffset, "the fetch loop advances exactly to nextFetchOffset")
            let set = try RecordSet.decode(fx.recordSet(r), fetchOffset: fetchOffset)
            #expect(!set.endedWithPartialBatch && set.bytesConsumed == r.records_length)
            #expect(set.batches.allSatisfy { $0.compression.description == codec && $0.magic == 2 })
            got += set
            fetchOffset = set.nextFetchOffset
        }
        #expect(fetchOffset == fx.doc.responses.last!.high_watermark)
        try #require(got.count == fx.doc.records.count)
        for (g, w) in zip(got, fx.doc.records) {
            #expect(g.offset == w.offset)
            #expect(g.timestamp == w.timestamp)
            #expect(g.timestampType == .createTime)
            #expect(g.key == unb64(w.key))
            #expect(g.value == unb64(w.value))
            #expect(g.headers == w.headers.map { RecordHeaderValue(key: $0.key, value: unb64($0.value)) })
        }
    }

    @Test func librdkafkaTransactionMarkers() throws {
        let fx = try GoldenFixture("txn")
        // librdkafka's mock cluster writes its transaction markers with a zero CRC (real brokers do not;
        // librdkafka consumers skip CRC checks by default). The decoder must say so, naming the batch.
        #expect(throws: RecordDecodeError.self) { try RecordSet.decode(fx.recordSet(fx.doc.responses[1])) }
        do {
            _ = try RecordSet.decode(fx.recordSet(fx.doc.responses[1]))
        } catch {
            guard case let .checksumMismatch(offset, _, expected, _) = error else { Issue.record("\(error)"); return }
            #expect(offset == 3 && expected == 0)
        }
        // The data batches the producer wrote carry valid CRCs.
        _ = try RecordSet.decode(fx.recordSet(fx.doc.responses[0]))
        _ = try RecordSet.decode(fx.recordSet(fx.doc.responses[2]))

        var all: [DecodedRecordSet] = []
        var fetchOffset: Int64 = 0
        for r in fx.doc.responses {
            let set = try RecordSet.decode(fx.recordSet(r), fetchOffset: fetchOffset,
                                           options: RecordDecodeOptions(verifyChecksums: false, includeControlRecords: true))
            all.append(set)
            fetchOffset = set.nextFetchOffset
        }
        let records = all.flatMap { $0 }
        #expect(records.compactMap { r in r.controlType.map { "\(r.offset):\($0)" } } == ["3:ABORT", "7:COMMIT"])
        let data = records.filter { $0.controlType == nil }
        #expect(data.map(\.offset) == fx.doc.records.map(\.offset))
        #expect(data.map(\.value) == fx.doc.records.map { unb64($0.value) })
        #expect(data.allSatisfy { $0.batch.isTransactional && $0.batch.producerId >= 0 })

        // read_committed as a broker would answer it: AbortedTransactions lists the aborted transaction
        // (offsets 0...3, marker included) in responses whose range overlaps it, i.e. fetches from offset <= 3.
        let pid = try #require(data.first?.batch.producerId)
        var committed: [Int64] = []
        var skippedControl = 0
        fetchOffset = 0
        for r in fx.doc.responses {
            let set = try RecordSet.decode(fx.recordSet(r), fetchOffset: fetchOffset, options: RecordDecodeOptions(
                verifyChecksums: false, readCommitted: true,
                abortedTransactions: r.fetch_offset <= 3 ? [AbortedTransaction(producerId: pid, firstOffset: 0)] : []))
            committed += set.map(\.offset)
            skippedControl += set.skippedControlRecords
            fetchOffset = set.nextFetchOffset
        }
        #expect(committed == [4, 5, 6])
        #expect(skippedControl == 2)
        #expect(fetchOffset == 8)
    }

    /// A fetch loop's record sets, concatenated, decode in one call too.
    @Test func concatenatedRecordSets() throws {
        let fx = try GoldenFixture("snappy")
        let blob = fx.doc.responses.flatMap { fx.recordSet($0) }
        let d = try RecordSet.decode(blob)
        #expect(d.map(\.offset) == fx.doc.records.map(\.offset))
        #expect(d.batches.count == fx.doc.responses.count)
    }
}
