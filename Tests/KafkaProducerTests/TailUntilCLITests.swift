import Foundation
import KafkaTestSupport
import Testing

/// `kafscope tail T --from X --until end|OFFSET|@TIMESTAMP` against the librdkafka mock: a bounded
/// window that ends by itself with exit status 0 once every partition reached its bound.
@Suite(.serialized) struct TailUntilCLITests {
    struct Line: Hashable { var partition: Int; var offset: Int; var value: String }

    static func lines(_ stdout: String) throws -> [Line] {
        try stdout.split(separator: "\n").map { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let p = o["partition"] as? Int, let off = o["offset"] as? Int else { throw PeerError("not a record: \(line)") }
            return Line(partition: p, offset: off, value: o["value"] as? String ?? "")
        }
    }

    /// 3 partitions: p0 and p1 hold 10 records, p2 holds 3; timestamps base + 1 s per record.
    static let base: Int64 = 1_700_000_000_000
    static func fill(_ mock: MockCluster, _ topic: String) async throws {
        try await mock.createTopic(topic, partitions: 3, replicationFactor: 1)
        var records: [MockCluster.Record] = []
        for (p, n) in [(0, 10), (1, 10), (2, 3)] {
            for i in 0..<n {
                records.append(MockCluster.Record(key: "k\(i)", value: "p\(p)-\(i)", partition: Int32(p), timestamp: base + Int64(i) * 1000))
            }
        }
        try await mock.produce(topic: topic, records: records)
    }

    static func tail(_ args: [String], _ mock: MockCluster) async throws -> CommandRunner.Output {
        try await ProduceCLITests.kafscope(["tail"] + args + ["-o", "json", "-b", mock.bootstrap])
    }

    @Test func untilEndReadsWhatWasThereAndExitsZero() async throws {
        try await MockCluster.with(brokers: 2) { mock in
            try await Self.fill(mock, "win")
            let out = try await Self.tail(["win", "--from", "beginning", "--until", "end"], mock)
            #expect(out.status == 0, "\(out.stderr)")
            let got = try Self.lines(out.stdout)
            #expect(got.count == 23)
            for (p, n) in [(0, 10), (1, 10), (2, 3)] {
                #expect(got.filter { $0.partition == p }.map(\.offset) == Array(0..<n), "partition \(p)")
            }
        }
    }

    /// `--until` without `--from` exports from the beginning. Made to fail once by going back to the
    /// start at the end (`from ?? "end"` in TailCommand.startText): no line, exit 0, an empty export.
    @Test func untilWithoutFromStartsAtTheBeginning() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await Self.fill(mock, "nofrom")
            let out = try await Self.tail(["nofrom", "--until", "end"], mock)
            #expect(out.status == 0, "\(out.stderr)")
            let got = try Self.lines(out.stdout)
            for (p, n) in [(0, 10), (1, 10), (2, 3)] {
                #expect(got.filter { $0.partition == p }.map(\.offset) == Array(0..<n), "partition \(p)")
            }
            #expect(out.stderr.contains("--until without --from: reading from the beginning"), "\(out.stderr)")
            // A time bound alone: every record before it (p0 and p1 offsets 0-4, p2 all 3).
            let before = try await Self.tail(["nofrom", "--until", "@\(Self.base + 5_000)"], mock)
            #expect(before.status == 0, "\(before.stderr)")
            #expect(try Self.lines(before.stdout).count == 13, "\(before.stdout)")
        }
    }

    @Test func untilAnOffsetStopsEachPartitionBeforeIt() async throws {
        try await MockCluster.with(brokers: 2) { mock in
            try await Self.fill(mock, "offs")
            let out = try await Self.tail(["offs", "--from", "2", "--until", "7"], mock)
            #expect(out.status == 0, "\(out.stderr)")
            let got = try Self.lines(out.stdout)
            #expect(got.filter { $0.partition == 0 }.map(\.offset) == [2, 3, 4, 5, 6])
            #expect(got.filter { $0.partition == 1 }.map(\.value) == ["p1-2", "p1-3", "p1-4", "p1-5", "p1-6"])
            // p2 ends at 3, before the bound: it stops at its end, and says so.
            #expect(got.filter { $0.partition == 2 }.map(\.offset) == [2])
            #expect(out.stderr.contains("partition 2 of offs ends at offset 3, before --until 7"), "\(out.stderr)")
            // --until before --from: an empty window, still a clean exit.
            let empty = try await Self.tail(["offs", "--from", "5", "--until", "3"], mock)
            #expect(empty.status == 0, "\(empty.stderr)")
            #expect(empty.stdout.isEmpty)
        }
    }

    @Test func untilATimestampStopsAtTheFirstRecordAtOrAfterIt() async throws {
        try await MockCluster.with(brokers: 2) { mock in
            try await Self.fill(mock, "times")
            // Records 0..5 of each partition are before base + 5.5 s; p2 has only 3, all before.
            let out = try await Self.tail(["times", "--from", "beginning", "--until", "@\(Self.base + 5_500)"], mock)
            #expect(out.status == 0, "\(out.stderr)")
            let got = try Self.lines(out.stdout)
            #expect(got.filter { $0.partition == 0 }.map(\.offset) == Array(0...5))
            #expect(got.filter { $0.partition == 1 }.map(\.offset) == Array(0...5))
            #expect(got.filter { $0.partition == 2 }.map(\.offset) == [0, 1, 2])
            // From an offset to a time given in ISO 8601: records 3 and 4. (The mock answers no offset for
            // a timestamp lookup, so --from @T would start at the end here; tansu's suite covers it.)
            let iso = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(Self.base + 5_000) / 1000))
            let mid = try await Self.tail(["times", "--from", "3", "--until", "@\(iso)", "--partitions", "0"], mock)
            #expect(mid.status == 0, "\(mid.stderr)")
            #expect(try Self.lines(mid.stdout).map(\.value) == ["p0-3", "p0-4"], "\(mid.stdout) \(mid.stderr)")
        }
    }

    @Test func badUntilIsAUsageError() async throws {
        let out = try await ProduceCLITests.kafscope(["tail", "t", "--until", "soon", "-b", "127.0.0.1:1"])
        #expect(out.status == 64 || out.status == 2, "\(out.status) \(out.stderr)")
        #expect(out.stderr.contains("--until must be end, OFFSET or @TIMESTAMP"), "\(out.stderr)")
    }
}
