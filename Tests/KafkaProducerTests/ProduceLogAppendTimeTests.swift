import Foundation
import KafkaTestSupport
import Testing

/// A topic with `message.timestamp.type=LogAppendTime` stamps records with the broker's time, so a
/// copy made with `--keep-timestamps` does not keep them. The kafka-python fake broker answers Produce
/// as Kafka does (the append time for such a topic, -1 for others); kafscope must say so, not report a
/// faithful copy.
@Suite(.serialized) struct ProduceLogAppendTimeTests {
    static let appendTime: Int64 = 1_765_000_000_123

    static func scenario() -> [String: Any] {
        let partition: [String: Any] = ["leader": 1, "replicas": [1], "isr": [1], "log_start": 0, "end": 0]
        return [
            "append_time_ms": appendTime,
            "topics": [
                "stamped": ["partitions": [partition, partition], "configs": ["message.timestamp.type": "LogAppendTime"]],
                "plain": ["partitions": [partition, partition]],
            ],
        ]
    }

    static func jsonl() -> Data {
        Data("""
        {"partition":0,"timestamp":1600000000000,"key":"a","value":"one"}
        {"partition":1,"timestamp":1600000000001,"key":"b","value":"two"}

        """.utf8)
    }

    /// Made to fail once with the summary's `keptTimestamps` never set (no warning on stderr).
    @Test func keptTimestampsReplacedByTheBrokerAreReportedPerPartition() async throws {
        try await IndependentBroker.with(brokers: 1, scenario: Self.scenario()) { fake in
            let file = try ProduceCLITests.temp("lat.jsonl", Self.jsonl())
            let stamped = try await ProduceCLITests.kafscope(["produce", "stamped", "--format", "jsonl", "--keep-partitions", "--keep-timestamps",
                                                              "--file", file.path, "--yes", "-o", "json", "-b", fake.bootstrap])
            #expect(stamped.status == 0, "\(stamped.stderr)")
            #expect(stamped.stderr.contains("warning: the timestamps kept were replaced by the broker's append time on every partition (stamped uses LogAppendTime)"),
                    "\(stamped.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(stamped.stdout.utf8)) as? [String: Any], "\(stamped.stdout)")
            let partitions = try #require(json["partitions"] as? [[String: Any]])
            #expect(partitions.map { $0["log_append_time"] as? Bool } == [true, true], "\(partitions)")
            #expect(partitions.map { $0["first_offset"] as? Int } == [0, 0], "\(partitions)")

            // The records did reach the broker, with the timestamps sent (the broker stamps on append).
            let produced = try await fake.requests(apiKey: 0)
            let counts = produced.compactMap { $0.note["records"] as? [String: Int] }.reduce(into: [String: Int]()) { $0.merge($1, uniquingKeysWith: +) }
            #expect(counts == ["stamped:0": 1, "stamped:1": 1], "\(counts)")

            // Same input into a CreateTime topic: no warning, false in JSON.
            let plain = try await ProduceCLITests.kafscope(["produce", "plain", "--format", "jsonl", "--keep-partitions", "--keep-timestamps",
                                                            "--file", file.path, "--yes", "-o", "json", "-b", fake.bootstrap])
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(!plain.stderr.contains("append time"), "\(plain.stderr)")
            let plainJSON = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
            #expect((plainJSON["partitions"] as? [[String: Any]])?.map { $0["log_append_time"] as? Bool } == [false, false])

            // Without --keep-timestamps the broker's time is what was asked for: nothing to warn about.
            let lines = try ProduceCLITests.temp("lat.txt", Data("x\n".utf8))
            let fresh = try await ProduceCLITests.kafscope(["produce", "stamped", "--partition", "1", "--file", lines.path, "--yes",
                                                            "-b", fake.bootstrap])
            #expect(fresh.status == 0, "\(fresh.stderr)")
            #expect(!fresh.stderr.contains("append time") && !fresh.stdout.contains("append time"), "\(fresh.stderr)\(fresh.stdout)")
        }
    }
}
