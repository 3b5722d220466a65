import Foundation
import KafkaProducer
import KafkaRecords
import KafkaTestSupport
import Testing

/// The producer's core cases against tansu, a second broker implementation (kcat cannot talk to
/// tansu, so confluent-kafka is the reader here). tansu's ListOffsets answers a high watermark that a
/// multi-record batch advanced by one only, while Fetch returns every record: the reader here reads
/// to the end the fetches report (`untilEOF`), and the tail -> produce source is written one record
/// per batch so that `tail --until end` sees its true end.
@Suite(.serialized) struct ProducerTansuTests {
    @Test(arguments: RecordCompression.allCases)
    func everyCodecReadsBackWithConfluentKafka(_ codec: RecordCompression) async throws {
        try await TansuBroker.with { tansu in
            try await tansu.createTopic("codec", partitions: 3)
            let h = try ProducerHarness(bootstrap: tansu.bootstrap, config: ProducerConfig(compression: codec))
            let sent = ProducerPeerTests.records(topic: "codec", count: 200)
            await h.producer.send(sent)
            await h.finish()
            #expect(await h.producer.isIdempotent)
            let reports = h.reports
            #expect(reports.count == 200)
            let failed = reports.filter { if case .failure = $0.result { true } else { false } }
            #expect(failed.isEmpty, "\(failed.prefix(3))")
            let read = try await ConfluentPeer.consume(bootstrap: tansu.bootstrap, topic: "codec", untilEOF: true)
            #expect(read.count == 200)
            let byKey = Dictionary(read.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0) }, uniquingKeysWith: { a, _ in a })
            for (i, r) in sent.enumerated() {
                guard let m = byKey["k\(i)"] else { Issue.record("k\(i) missing"); continue }
                #expect(m.value == r.value, "k\(i)")
                #expect(m.timestamp == r.timestamp)
                #expect(m.headers == ["h", "nullh"])
                #expect(m.headerValues == [r.headers[0].value, nil])
                #expect(m.partition == Murmur2Partitioner.partition(forKey: r.key!, partitionCount: 3))
                #expect(reports[i].partition == m.partition)
                #expect((try? reports[i].result.get().offset) == m.offset, "k\(i): report and log disagree")
            }
        }
    }

    @Test func keysLandWhereLibrdkafkasMurmur2RandomPutsThem() async throws {
        try await TansuBroker.with { tansu in
            try await tansu.createTopic("ref", partitions: 5)
            try await tansu.createTopic("ours", partitions: 5)
            let n = 2_000
            let reference = try await ConfluentPeer.murmur2RandomPlacement(bootstrap: tansu.bootstrap, topic: "ref", keys: n)
            #expect(reference.count == n)
            let h = try ProducerHarness(bootstrap: tansu.bootstrap, config: ProducerConfig())
            await h.producer.send((0..<n).map { ProducerRecord(topic: "ours", key: Array("key-\($0)".utf8), value: [1]) })
            await h.finish()
            #expect(h.reports.count == n)
            #expect(h.reports.filter { reference["key-\($0.id)"] != $0.partition }.isEmpty)
            #expect(Set(h.reports.compactMap(\.partition)).count == 5)
        }
    }

    @Test func tailToProduceCopiesATopicByteForByte() async throws {
        try await TansuBroker.with { tansu in
            try await tansu.createTopic("src", partitions: 2)
            try await tansu.createTopic("dst", partitions: 2)
            var source: [MockCluster.Record] = []
            for i in 0..<60 {
                let key: [UInt8]? = i % 5 == 0 ? nil : [0xff, 0x00, UInt8(i), 0xc3]  // not UTF-8
                let value: [UInt8]? = i % 7 == 0 ? nil : (i % 2 == 0 ? Array("text \(i) ✓".utf8) : [0x80, 0x00, 0x0a, UInt8(i)])
                source.append(MockCluster.Record(key: key, value: value, headers: [.init("h", [0xfe, UInt8(i)]), .init("t", "x")],
                                                 partition: Int32(i % 2), timestamp: 1_600_000_000_000 + Int64(i)))
            }
            try await tansu.produce(topic: "src", records: source)
            let tail = try await ProduceCLITests.kafscope(["tail", "src", "--from", "beginning", "--until", "end", "-o", "json",
                                                           "-b", tansu.bootstrap])
            #expect(tail.status == 0, "\(tail.stderr)")
            let file = try ProduceCLITests.temp("tansu-roundtrip.jsonl", Data(tail.stdout.utf8))
            let produce = try await ProduceCLITests.kafscope(["produce", "dst", "--format", "jsonl", "--keep-partitions",
                                                              "--keep-timestamps", "--file", file.path, "--yes", "-b", tansu.bootstrap])
            #expect(produce.status == 0, "\(produce.stderr)")
            #expect(produce.stdout.contains("produced 60 records"), "\(produce.stdout)")
            let a = try await ConfluentPeer.consume(bootstrap: tansu.bootstrap, topic: "src", untilEOF: true)
            let b = try await ConfluentPeer.consume(bootstrap: tansu.bootstrap, topic: "dst", untilEOF: true)
            #expect(a.count == 60)
            #expect(a == b, "the copy differs")
        }
    }

    @Test func readOnlyIsRefusedBeforeAnythingIsSent() async throws {
        try await TansuBroker.with { tansu in
            try await tansu.createTopic("guarded", partitions: 1)
            let file = try ProduceCLITests.temp("tansu-guarded.txt", Data("x\n".utf8))
            let ro = try await ProduceCLITests.kafscope(["produce", "guarded", "--readonly", "--yes", "--file", file.path,
                                                         "-b", tansu.bootstrap])
            #expect(ro.status == 1)
            #expect(ro.stderr.contains("read-only"), "\(ro.stderr)")
            let read = try await ConfluentPeer.consume(bootstrap: tansu.bootstrap, topic: "guarded", untilEOF: true)
            #expect(read.isEmpty)
        }
    }
}
