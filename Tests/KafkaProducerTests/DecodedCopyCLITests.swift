import Foundation
import KafkaTestSupport
import Testing

/// `tail -o json | produce --format jsonl` when tail decoded values (Avro through the registry
/// simulator, records written by confluent-kafka's AvroSerializer into the librdkafka mock):
/// produce refuses the decoded lines instead of sending the decoded JSON as the record's bytes, and
/// `tail --raw -o json` gives lines that copy the topic byte for byte.
@Suite(.serialized) struct DecodedCopyCLITests {
    /// Made to fail once by disabling the `decodedByTail` check in JSONLineRecordReader: each line was
    /// refused only as "expected a string, null or {base64}", which names no cause and no fix (a value
    /// decoded to a JSON string would have been sent as that text: JSONLineRecordReaderTests).
    @Test func decodedLinesAreRefusedAndRawLinesCopyExactly() async throws {
        let registry = try await RegistrySim.start()
        defer { registry.stop() }
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("avro-src", partitions: 1, replicationFactor: 1)
            try await mock.createTopic("avro-dst", partitions: 1, replicationFactor: 1)
            try await mock.createTopic("avro-raw", partitions: 1, replicationFactor: 1)
            _ = try await SchemaProducer.produce(case: "evolution", topic: "avro-src", bootstrap: mock.bootstrap,
                                                 registry: registry.url, count: 5)
            let source = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "avro-src")
            #expect(source.count == 5 && source.allSatisfy { $0.value?.first == 0 }, "Confluent-framed values expected")

            let decoded = try await ProduceCLITests.kafscope(["tail", "avro-src", "--from", "beginning", "--exit-at-end", "-o", "json",
                                                              "--schema-registry", registry.url, "-b", mock.bootstrap])
            #expect(decoded.status == 0, "\(decoded.stderr)")
            #expect(decoded.stdout.contains(#""value_format":"avro""#), "\(decoded.stdout.prefix(400))")
            let decodedFile = try ProduceCLITests.temp("decoded.jsonl", Data(decoded.stdout.utf8))
            let refused = try await ProduceCLITests.kafscope(["produce", "avro-dst", "--format", "jsonl", "--file", decodedFile.path,
                                                              "--yes", "-b", mock.bootstrap])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("line 1: value was decoded by tail (value_format avro)"), "\(refused.stderr)")
            #expect(refused.stderr.contains("tail --raw -o json"), "\(refused.stderr)")
            let sent = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "avro-dst")
            #expect(sent.isEmpty, "altered bytes were sent: \(sent)")

            // --raw: no decoding although a registry is given; the copy is the source, byte for byte.
            let raw = try await ProduceCLITests.kafscope(["tail", "avro-src", "--from", "beginning", "--exit-at-end", "-o", "json", "--raw",
                                                          "--schema-registry", registry.url, "-b", mock.bootstrap])
            #expect(raw.status == 0, "\(raw.stderr)")
            #expect(!raw.stdout.contains("value_format"), "\(raw.stdout.prefix(400))")
            let rawFile = try ProduceCLITests.temp("raw.jsonl", Data(raw.stdout.utf8))
            let copied = try await ProduceCLITests.kafscope(["produce", "avro-raw", "--format", "jsonl", "--keep-timestamps",
                                                             "--file", rawFile.path, "--yes", "-b", mock.bootstrap])
            #expect(copied.status == 0, "\(copied.stderr)")
            let copy = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "avro-raw")
            #expect(copy == source, "the copy differs")

            // --raw cannot be combined with a decoding it would not do.
            let both = try await ProduceCLITests.kafscope(["tail", "avro-src", "--raw", "--value-format", "avro", "-b", mock.bootstrap])
            #expect(both.status != 0 && both.stderr.contains("--raw"), "\(both.stderr)")
        }
    }

    /// `--value-format text` over bytes that are not UTF-8: the JSON keeps them (base64), so the
    /// line copies exactly. Made to fail once by dropping `lossyText` in TailDecodedOutput: the value
    /// came out as text with U+FFFD where the bytes were.
    @Test func textFormatOverBinaryKeepsTheBytesInJSON() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("bin", partitions: 1, replicationFactor: 1)
            try await mock.produce(topic: "bin", records: [MockCluster.Record(key: Array("k".utf8), value: [0xff, 0x00, 0x41], partition: 0)])
            let out = try await ProduceCLITests.kafscope(["tail", "bin", "--from", "beginning", "--exit-at-end", "-o", "json",
                                                          "--value-format", "text", "-b", mock.bootstrap])
            #expect(out.status == 0, "\(out.stderr)")
            let line = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
            #expect((line["value"] as? [String: Any])?["base64"] as? String == "/wBB", "\(out.stdout)")
            #expect(line["value_format"] as? String == "text")
        }
    }
}
