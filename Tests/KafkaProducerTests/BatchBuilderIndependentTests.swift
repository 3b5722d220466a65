import Foundation
import KafkaRecords
import KafkaTestSupport
import Testing

/// The producer encodes each record into its partition's batch as it arrives (`RecordBatchBuilder`).
/// Its bytes are checked against kafka-python's batch builder given the same records, so the encoder
/// is never checked against our own decoder alone.
@Suite struct BatchBuilderIndependentTests {
    /// Builds the batch described in the JSON file named on argv with kafka-python and prints it as hex.
    static let builderScript = """
        import base64, json, sys
        from kafka.record.default_records import DefaultRecordBatchBuilder
        spec = json.load(open(sys.argv[1]))
        b = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=0, producer_id=spec["pid"],
                                      producer_epoch=spec["epoch"], base_sequence=spec["seq"], batch_size=1 << 30)
        raw = lambda v: None if v is None else base64.b64decode(v)
        for i, r in enumerate(spec["records"]):
            headers = [(k, raw(v)) for k, v in r["headers"]]
            if b.append(i, timestamp=r["ts"], key=raw(r["key"]), value=raw(r["value"]), headers=headers) is None:
                raise SystemExit("kafka-python refused record %d" % i)
        sys.stdout.write(bytes(b.build()).hex())
        """

    struct Sample {
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [RecordHeaderValue]
        var timestamp: Int64
    }

    /// Binary and empty keys, nulls, headers with null values and non-ASCII names, timestamps before the
    /// first one, and values long enough for 2- and 3-byte length varints.
    static func samples() -> [Sample] {
        var rng = SystemRandomNumberGenerator()
        var out: [Sample] = []
        let base: Int64 = 1_765_000_000_000
        for i in 0..<40 {
            let valueLength = [0, 1, 63, 64, 100, 8191, 8192, 20_000][i % 8]
            let key: [UInt8]? = i % 5 == 0 ? nil : (i % 7 == 0 ? [] : (0..<(i % 13)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let value: [UInt8]? = i % 9 == 4 ? nil : (0..<valueLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var headers: [RecordHeaderValue] = []
            if i % 3 == 0 { headers.append(RecordHeaderValue(key: "trace-\(i)", value: Array("id-\(i)".utf8))) }
            if i % 4 == 1 { headers.append(RecordHeaderValue(key: "ключ", value: nil)) }
            if i % 6 == 2 { headers.append(RecordHeaderValue(key: "", value: [0, 0xff])) }
            out.append(Sample(key: key, value: value, headers: headers, timestamp: base + Int64(i * 37) - (i % 4 == 3 ? 5_000 : 0)))
        }
        return out
    }

    @Test func batchesEqualKafkaPythonsForTheSameRecords() async throws {
        let samples = Self.samples()
        var builder = RecordBatchBuilder()
        for s in samples { try builder.append(key: s.key, value: s.value, headers: s.headers, timestamp: s.timestamp) }
        // kafka-python writes 0 where the broker fills in the leader epoch.
        let ours = try builder.build(producerId: 4711, producerEpoch: 3, baseSequence: 250, partitionLeaderEpoch: 0)
        // The producer's path: the header written in place over the same records, stamped twice as a retry is.
        var inPlace = builder
        _ = try inPlace.finish(producerId: 1, producerEpoch: 0, baseSequence: 0)
        #expect(try inPlace.finish(producerId: 4711, producerEpoch: 3, baseSequence: 250, partitionLeaderEpoch: 0) == ours)

        let b64 = { (v: [UInt8]?) -> Any in v.map { Data($0).base64EncodedString() } ?? NSNull() }
        let spec: [String: Any] = [
            "pid": 4711, "epoch": 3, "seq": 250,
            "records": samples.map { s in
                ["key": b64(s.key), "value": b64(s.value), "ts": s.timestamp,
                 "headers": s.headers.map { [$0.key, b64($0.value)] }] as [String: Any]
            },
        ]
        // A file: the records are larger than one command-line argument may be.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("builder-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: spec).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let theirs = try await ConfluentPeer.python(Self.builderScript, [file.path])
        #expect(ours.count == theirs.count / 2)
        let oursHex = ours.map { String(format: "%02x", $0) }.joined()
        if oursHex != theirs {
            let at = zip(oursHex, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(oursHex.count, theirs.count)
            Issue.record("the batches differ from byte \(at / 2) on (of \(ours.count) and \(theirs.count / 2))")
        }
    }

    @Test func recordsComeBackOutOfTheBuilderAsTheyWentIn() throws {
        let samples = Self.samples()
        var builder = RecordBatchBuilder()
        for s in samples { try builder.append(key: s.key, value: s.value, headers: s.headers, timestamp: s.timestamp) }
        let back = builder.records()
        #expect(back.count == samples.count)
        for (s, r) in zip(samples, back) {
            #expect(r.key == s.key && r.value == s.value && r.headers == s.headers && r.timestamp == s.timestamp)
        }
        #expect(builder.hasHeaders)
        #expect(builder.maxTimestamp == samples.map(\.timestamp).max())
    }
}
