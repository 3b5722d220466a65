import ClusterModel
import Foundation
import Testing
@testable import KafscopeApp

/// A TailService that plays back fixed events.
struct ScriptedTail: TailService {
    let events: [TailEvent]
    func tail(_ options: TailOptions) -> AsyncThrowingStream<TailEvent, Error> {
        AsyncThrowingStream { c in
            for e in events { c.yield(e) }
            c.finish()
        }
    }
}

@Suite struct TailCommandTests {
    let records = [
        TailRecord(topic: "t", partition: 1, offset: 5, timestamp: 1_700_000_000_123, timestampType: .createTime,
                   key: Array("k".utf8), value: Array("{\"a\":\"é\"}".utf8),
                   headers: [RecordHeader(key: "h", value: [0xFF, 0x00]), RecordHeader(key: "n", value: nil)]),
        TailRecord(topic: "t", partition: 0, offset: 9, timestamp: 7, timestampType: .logAppendTime, key: nil, value: nil),
    ]

    @Test func jsonLineShape() throws {
        let line = TailCommand.recordJSON(records[0]).serialized()
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(obj.keys) == ["topic", "partition", "offset", "timestamp", "timestamp_type", "key", "value", "headers"])
        #expect(obj["partition"] as? Int == 1 && obj["offset"] as? Int == 5 && obj["timestamp"] as? Int == 1_700_000_000_123)
        #expect(obj["timestamp_type"] as? String == "create_time")
        #expect(obj["key"] as? String == "k" && obj["value"] as? String == "{\"a\":\"é\"}")
        let headers = try #require(obj["headers"] as? [[String: Any]])
        #expect((headers[0]["value"] as? [String: String])?["base64"] == "/wA=")
        #expect(headers[1]["value"] is NSNull)
        let second = TailCommand.recordJSON(records[1]).serialized()
        #expect(second.contains("\"key\":null") && second.contains("\"value\":null") && second.contains("log_append_time"))
    }

    @Test func fromParsing() throws {
        #expect(try TailCommand.parseStart("end") == .end)
        #expect(try TailCommand.parseStart("beginning") == .beginning)
        #expect(try TailCommand.parseStart("42") == .offset(42))
        #expect(try TailCommand.parseStart("-10") == .last(10))
        #expect(try TailCommand.parseStart("@1700000000000") == .timestamp(1_700_000_000_000))
        #expect(try TailCommand.parseStart("@2023-11-14T22:13:20Z") == .timestamp(1_700_000_000_000))
        #expect(throws: (any Error).self) { try TailCommand.parseStart("soon") }
        #expect(try TailCommand.parseUntil(nil) == nil)
        #expect(try TailCommand.parseUntil("end") == .end)
        #expect(try TailCommand.parseUntil("7") == .offset(7))
        #expect(try TailCommand.parseUntil("@2023-11-14T22:13:20Z") == .timestamp(1_700_000_000_000))
        #expect(throws: (any Error).self) { try TailCommand.parseUntil("-3") }
        #expect(throws: (any Error).self) { try TailCommand.parseUntil("beginning") }
        #expect(try TailCommand.parsePartitions("0, 2,2") == [0, 2])
        #expect(throws: (any Error).self) { try TailCommand.parsePartitions("a") }
    }

    @Test func streamsStopsAtMaxAndAtEnd() async throws {
        let tail = ScriptedTail(events: [.notice("hello"), .records(records), .caughtUp, .records(records)])
        let out = CommandRecorder()
        try await TailCommand.stream(tail, TailOptions(topic: "t"), format: .json, max: nil, exitAtEnd: true, console: out)
        #expect(out.stdout.split(separator: "\n").count == 2)
        #expect(out.stderr == "% hello\n")
        let max = CommandRecorder()
        try await TailCommand.stream(tail, TailOptions(topic: "t"), format: .table, max: 3, exitAtEnd: false, console: max)
        #expect(max.stdout == "{\"a\":\"é\"}\n\n{\"a\":\"é\"}\n")
    }
}
