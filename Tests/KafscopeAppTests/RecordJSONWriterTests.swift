import ClusterModel
import Foundation
import Testing
@testable import KafscopeApp

/// RecordJSONWriter writes `tail -o json`'s lines byte for byte as the JSONValue reference
/// (`TailCommand.recordJSON(r).serialized()`) does, whatever the record holds.
@Suite struct RecordJSONWriterTests {
    static func reference(_ r: TailRecord) -> [UInt8] { Array(TailCommand.recordJSON(r).serialized().utf8) }

    static func record(key: [UInt8]? = nil, value: [UInt8]?, topic: String = "t", headers: [RecordHeader] = []) -> TailRecord {
        TailRecord(topic: topic, partition: 3, offset: 42, timestamp: 1_700_000_000_123, timestampType: .createTime,
                   key: key, value: value, headers: headers)
    }

    /// Made to fail once by leaving U+2028..U+202E unescaped in the writer (the sequences E2 80 A8..AE
    /// came out raw where the reference wrote \u2028..\u202e).
    @Test func everyOneTwoAndThreeByteValueIsWrittenAsTheReferenceWritesIt() {
        var checked = 0
        func check(_ bytes: [UInt8]) {
            let r = Self.record(value: bytes)
            let line = RecordJSONWriter.line(r)
            if line != Self.reference(r) {
                Issue.record("value \(bytes.map { String($0, radix: 16) }): \(String(decoding: line, as: UTF8.self))")
            }
            checked += 1
        }
        for a in 0...255 {
            check([UInt8(a)])
            for b in 0...255 { check([UInt8(a), UInt8(b)]) }
        }
        // Three-byte forms around every escaped scalar past ASCII (C1 controls are two bytes, above),
        // the surrogate range (ED A0..BF: not UTF-8) and overlongs (E0 80..9F).
        for lead: UInt8 in [0xD8, 0xE0, 0xE2, 0xED, 0xEF] {
            for b in 0...255 {
                for c: UInt8 in [0x41, 0x80, 0x8E, 0x8F, 0x9C, 0xA6, 0xA8, 0xA9, 0xAE, 0xAF, 0xBF, 0xC0] { check([lead, UInt8(b), c]) }
            }
        }
        for four: [UInt8] in [[0xF0, 0x9F, 0x98, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
                              [0xF5, 0x80, 0x80, 0x80], [0xF0, 0x9F, 0x98], [0xF0, 0x9F, 0x98, 0x41]] {
            check(four)
        }
        #expect(checked > 80_000)
    }

    /// Made to fail once by padding base64 with one '=' too few for lengths of 3n+1 (the binary
    /// values' lines differed from the reference's).
    @Test func generatedRecordsAreWrittenAsTheReferenceWritesThem() {
        var rng = SplitMix64(seed: 0x7461_696c_6a73_6f6e)
        var binary = 0, escaped = 0
        for _ in 0..<20_000 {
            let r = RecordGenerator.record(&rng)
            let line = RecordJSONWriter.line(r)
            let expected = Self.reference(r)
            if line != expected {
                Issue.record("\(r)\nwriter:    \(String(decoding: line, as: UTF8.self))\nreference: \(String(decoding: expected, as: UTF8.self))")
                return
            }
            if expected.count > 0, String(decoding: expected, as: UTF8.self).contains("\"base64\"") { binary += 1 }
            if String(decoding: expected, as: UTF8.self).contains("\\u") { escaped += 1 }
        }
        // Both the base64 and the escaping paths were exercised, many times.
        #expect(binary > 2_000 && escaped > 2_000, "binary \(binary), escaped \(escaped)")
    }

    /// `tail -o json` prints exactly the reference lines, even with a terminal control in the topic
    /// name and the values (they stay escaped JSON; nothing raw reaches the terminal). Made to fail
    /// once by writing the chunk without its newlines.
    @Test func tailPrintsTheReferenceLines() async throws {
        let records = [
            Self.record(key: [0xFF], value: Array("\u{1B}]52;c;x\u{07} \u{9B}2J \u{202E}abc".utf8), topic: "t\u{1B}[31m",
                        headers: [RecordHeader(key: "h\u{2028}", value: [0xC3]), RecordHeader(key: "n", value: nil)]),
            Self.record(value: nil),
            Self.record(key: [], value: Array(repeating: UInt8(ascii: "x"), count: 1000)),
        ]
        let console = CommandRecorder()
        try await TailCommand.stream(ScriptedTail(events: [.records(records), .caughtUp]), TailOptions(topic: "t"), format: .json,
                                     max: nil, exitAtEnd: true, console: console)
        let expected: [UInt8] = records.flatMap { Self.reference($0) + [UInt8(0x0A)] }
        #expect(Array(console.stdout.utf8) == expected)
        #expect(!console.stdout.unicodeScalars.contains { TerminalControlsCheck.isActive($0) && $0 != "\n" })
    }
}

/// The terminal-control rule the tail's output must satisfy (TerminalCore's, reached through the app).
enum TerminalControlsCheck {
    static func isActive(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || (0x7F..<0xA0).contains(v) || v == 0x61C || v == 0x200E || v == 0x200F
            || (0x2028...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}

/// Records with everything a topic can hold: text with every escaped scalar and its neighbours,
/// bytes that are not UTF-8, empty and null fields, headers, extreme numbers.
enum RecordGenerator {
    static func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

    static let scalars: [Unicode.Scalar] = {
        var values: [UInt32] = Array(0...0x21) + [0x22, 0x5C, 0x2F, 0x41, 0x7E, 0x7F, 0x80, 0x85, 0x9B, 0x9F, 0xA0, 0xE9,
                                                  0x61B, 0x61C, 0x61D, 0x200D, 0x200E, 0x200F, 0x2010, 0x2027, 0x2028, 0x2029,
                                                  0x202A, 0x202E, 0x202F, 0x2065, 0x2066, 0x2069, 0x206A, 0x4E2D, 0xFEFF,
                                                  0xFFFD, 0xFFFF, 0x1F600, 0x10FFFF]
        values += Array(repeating: 0x61, count: 40)  // plain text most of the time
        return values.compactMap(Unicode.Scalar.init)
    }()

    static func text(_ rng: inout SplitMix64, maxLength: Int = 40) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &rng) { s.append(pick(scalars, &rng)) }
        return String(s)
    }

    static func bytes(_ rng: inout SplitMix64) -> [UInt8]? {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return nil
        case 1: return []
        case 2, 3: return (0..<Int.random(in: 1...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 4:
            // Text with one byte broken somewhere.
            var b = Array(text(&rng).utf8) + [0x61]
            b[Int.random(in: 0..<b.count, using: &rng)] = pick([0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF4, 0xF8, 0xFF], &rng)
            return b
        default: return Array(text(&rng, maxLength: 120).utf8)
        }
    }

    static func record(_ rng: inout SplitMix64) -> TailRecord {
        let headers = (0..<pick([0, 0, 1, 3], &rng)).map { _ in RecordHeader(key: text(&rng, maxLength: 8), value: bytes(&rng)) }
        return TailRecord(topic: Int.random(in: 0..<4, using: &rng) == 0 ? text(&rng, maxLength: 12) : "orders",
                          partition: pick([0, 1, 9, 10, 11, Int32.max, Int32.min, -1], &rng),
                          offset: pick([0, 5, 99, 1_000_000, Int64.max, -1], &rng),
                          timestamp: pick([0, -1, 1_700_000_000_123, Int64.max, Int64.min, 7], &rng),
                          timestampType: pick([.createTime, .logAppendTime, .none], &rng),
                          key: bytes(&rng), value: bytes(&rng), headers: headers)
    }
}
