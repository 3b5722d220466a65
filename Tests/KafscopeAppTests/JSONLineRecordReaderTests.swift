import Foundation
import KafkaRecords
import Testing
@testable import KafscopeApp

/// `produce --format jsonl`'s line reader (JSONLineRecordReader): the fields of `tail -o json`'s
/// objects, JSON as strict as JSONSerialization (which it replaced), and never a trap.
@Suite struct JSONLineRecordReaderTests {
    typealias Fields = JSONLineRecordReader.Fields

    static func read(_ line: String, partition: Bool = true, timestamp: Bool = true) -> JSONLineRecordReader.Outcome {
        JSONLineRecordReader.read(ArraySlice(line.utf8), partition: partition, timestamp: timestamp)
    }

    static func record(_ key: [UInt8]?, _ value: [UInt8]?, _ headers: [RecordHeaderValue] = [], partition: Int32? = nil,
                       timestamp: Int64? = nil) -> JSONLineRecordReader.Outcome {
        .record(Fields(key: key, value: value, headers: headers, partition: partition, timestamp: timestamp))
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Made to fail once by decoding `\b` as 0x07 (the escapes line read a wrong value).
    @Test func stringsDecodeEveryEscape() {
        #expect(Self.read(#"{"key":"a\"b\\c\/d\b\f\n\r\t","value":"\u00e9\u00E9\ud83d\ude00\uD83D\uDE00\u0000\u2028"}"#,
                          partition: false, timestamp: false)
                == Self.record(Self.bytes("a\"b\\c/d\u{08}\u{0C}\n\r\t"), Self.bytes("éé😀😀\u{0}\u{2028}")))
        // Raw UTF-8 passes unchanged, DEL and noncharacters included.
        #expect(Self.read("{\"value\":\"é😀\u{7F}\u{FFFE}\u{10FFFF}\"}", partition: false, timestamp: false)
                == Self.record(nil, Self.bytes("é😀\u{7F}\u{FFFE}\u{10FFFF}")))
    }

    /// Lines `tail -o json` wrote with a decoder: a side decoded to JSON or text is refused (its
    /// bytes are not the record's); raw sides (text, binary, null, or an error keeping the bytes) are
    /// read. Made to fail once by removing the decodedByTail check from `read`.
    @Test func sidesTailDecodedAreRefused() {
        let avro = Self.read(#"{"key":"k","key_format":"text","value":{"id":1},"value_format":"avro","value_schema_id":1}"#,
                             partition: false, timestamp: false)
        guard case .invalid(let why) = avro else { Issue.record("accepted: \(avro)"); return }
        #expect(why.hasPrefix("value was decoded by tail (value_format avro)") && why.contains("tail --raw -o json"), "\(why)")
        for (format, side) in [("protobuf", "key"), ("json-schema", "value"), ("json", "value"), ("hex", "key"), ("base64", "value")] {
            let line = "{\"key\":\"a\",\"value\":\"b\",\"\(side)_format\":\"\(format)\"}"
            #expect(Self.read(line, partition: false, timestamp: false)
                    == .invalid("\(side) was decoded by tail (\(side)_format \(format)), not the record's bytes: "
                                + "export with `kafscope tail --raw -o json` to copy records"), "\(line)")
        }
        // Names written with escapes are the same names.
        #expect(Self.read(#"{"value":"x","value\u005fformat":"avro"}"#, partition: false, timestamp: false) != Self.record(nil, Self.bytes("x")))
        // The bytes themselves: guessed text, binary as base64, null, or a decoding that failed and kept them.
        #expect(Self.read(#"{"key":"k","key_format":"text","value":{"base64":"AAE="},"value_format":"binary"}"#,
                          partition: false, timestamp: false) == Self.record(Self.bytes("k"), [0, 1]))
        #expect(Self.read(#"{"key":null,"key_format":"null","value":{"base64":"AAAAMDk="},"value_format":"confluent","value_error":"not found"}"#,
                          partition: false, timestamp: false) == Self.record(nil, [0, 0, 0, 0x30, 0x39]))
        #expect(Self.read(#"{"value":"x","value_format":"avro","value_error":null}"#, partition: false, timestamp: false)
                != Self.record(nil, Self.bytes("x")))
    }

    /// Made to fail once by letting the first of two "value" members win.
    @Test func fieldsNullAbsentDuplicatesAndUnknownOnes() {
        let line = #"{"topic":"t","x":{"a":[1,{"b":[true,false,null,"}]"]}],"c":-1.5e-3},"key":null,"value":"v1","# +
            #""value":"v2","headers":[],"partition":2,"offset":7,"timestamp":1700000000000,"timestamp_type":"CreateTime"}"#
        #expect(Self.read(line) == Self.record(nil, Self.bytes("v2"), partition: 2, timestamp: 1_700_000_000_000))
        // Absent key and value are null too; names written with escapes are the same names.
        #expect(Self.read(#"{"k\u0065y":"K","\u0076alue":{"base64":"AAE="}}"#, partition: false, timestamp: false)
                == Self.record(Self.bytes("K"), [0, 1]))
        #expect(Self.read("{}", partition: false, timestamp: false) == Self.record(nil, nil))
        // Trailing commas and whitespace as Foundation's parser took them; one BOM before the object.
        #expect(Self.read("\u{FEFF} \t{ \"value\" : \"v\" , \"a\" : [ 1 , ] , } \r", partition: false, timestamp: false)
                == Self.record(nil, Self.bytes("v")))
    }

    /// Made to fail once by skipping the "every element an object" check (a list holding a number
    /// gave "a header has no string key").
    @Test func headersAndBase64() {
        let line = #"{"value":null,"headers":[{"key":"a","value":"1"},{"key":"b","value":null},{"key":"c"},"# +
            #"{"value":{"base64":"/w==","extra":[1]},"key":"d","key":"e"}]}"#
        #expect(Self.read(line, partition: false, timestamp: false)
                == Self.record(nil, nil, [RecordHeaderValue(key: "a", value: Self.bytes("1")), RecordHeaderValue(key: "b", value: nil),
                                          RecordHeaderValue(key: "c", value: nil), RecordHeaderValue(key: "e", value: [0xFF])]))
        let refusals: [(String, String)] = [
            (#"{"headers":{}}"#, "headers must be a list of {key, value}"),
            (#"{"headers":null}"#, "headers must be a list of {key, value}"),
            (#"{"headers":[{"key":1},2]}"#, "headers must be a list of {key, value}"),
            (#"{"headers":[{"key":1}]}"#, "a header has no string key"),
            (#"{"headers":[{"value":"x"}]}"#, "a header has no string key"),
            (#"{"headers":[{"key":"h","value":3}]}"#, "header h: expected a string, null or {\"base64\": \"...\"}"),
            (#"{"key":{"base64":"A"}}"#, "key: expected a string, null or {\"base64\": \"...\"}"),
            (#"{"key":{"base64":null}}"#, "key: expected a string, null or {\"base64\": \"...\"}"),
            (#"{"value":{"b64":"AA=="}}"#, "value: expected a string, null or {\"base64\": \"...\"}"),
            (#"{"value":[]}"#, "value: expected a string, null or {\"base64\": \"...\"}"),
            (#"{"value":true}"#, "value: expected a string, null or {\"base64\": \"...\"}"),
            // The key's refusal comes before the value's and the headers'.
            (#"{"headers":5,"value":5,"key":5}"#, "key: expected a string, null or {\"base64\": \"...\"}"),
        ]
        for (line, why) in refusals {
            #expect(Self.read(line, partition: false, timestamp: false) == .invalid(why), "\(line)")
        }
        // Base64 as Foundation decodes it: padding required, trailing bits ignored, "" is no bytes.
        for (text, expected) in [("", [UInt8]()), ("AB==", [0]), ("AAB=", [0, 0]), ("QUJD", [65, 66, 67]), ("AA", nil),
                                 ("AA=", nil), (" AA==", nil), ("AA==AA==", nil), ("Q-_D", nil)] as [(String, [UInt8]?)] {
            #expect(JSONCursor.base64Decoded(Array(text.utf8)) == expected.map { $0 }, "\(text)")
            #expect(JSONCursor.base64Decoded(Array(text.utf8)) == Data(base64Encoded: text).map { Array($0) }, "\(text)")
        }
    }

    /// Made to fail once by reading partitions with Int32(truncatingIfNeeded:) (2147483648 was read as
    /// -2147483648, as NSNumber did).
    @Test func partitionsAndTimestampsAreIntegersInRange() {
        func partition(_ text: String) -> JSONLineRecordReader.Outcome {
            Self.read("{\"partition\":\(text)}", partition: true, timestamp: false)
        }
        for (text, p) in [("0", 0), ("7", 7), ("-1", -1), ("1.0", 1), ("1e2", 100), ("1E+2", 100), ("0.5e1", 5), ("-0", 0),
                          ("2147483647", Int32.max), ("-2147483648", Int32.min), ("12.50e1", 125)] as [(String, Int32)] {
            #expect(partition(text) == Self.record(nil, nil, partition: p), "\(text)")
        }
        for text in ["1.5", "2147483648", "true", "\"3\"", "null", "[1]", "1e-1", "1.0000000000000001", "4294967297",
                     "12345678901234567890123"] {
            #expect(partition(text) == .invalid("--keep-partitions: no partition number"), "\(text)")
        }
        #expect(Self.read("{}", partition: true, timestamp: false) == .invalid("--keep-partitions: no partition number"))
        // Not asked for: not read, whatever it holds.
        #expect(Self.read(#"{"partition":"x","timestamp":-5}"#, partition: false, timestamp: false) == Self.record(nil, nil))
        func timestamp(_ text: String) -> JSONLineRecordReader.Outcome {
            Self.read("{\"timestamp\":\(text)}", partition: false, timestamp: true)
        }
        for (text, t) in [("0", 0), ("1700000000000", 1_700_000_000_000), ("9223372036854775807", Int64.max), ("1.7e12", 1_700_000_000_000),
                          ("-0.0", 0)] as [(String, Int64)] {
            #expect(timestamp(text) == Self.record(nil, nil, timestamp: t), "\(text)")
        }
        for text in ["-1", "9223372036854775808", "18446744073709551615", "1.5", "false", "1e19"] {
            #expect(timestamp(text) == .invalid("--keep-timestamps: no timestamp"), "\(text)")
        }
    }

    /// Made to fail once by accepting a leading zero in numbers ("01" read as 1).
    @Test func whatJSONSerializationRefusedIsNotAnObject() {
        let refused = [
            "", "[]", "[{}]", "\"s\"", "1", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{,}", "{\"a\":1,,}", "{\"a\":[,]}", "{\"a\":[1,,]}",
            "{'a':1}", "{a:1}", "{\"a\":1} x", "{\"a\":1}{}", "\u{0C}{}", "{\"a\":\u{0B}1}", "{\"a\":01}", "{\"a\":-01}", "{\"a\":1.}",
            "{\"a\":.5}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":-}", "{\"a\":1.2.3}", "{\"a\":1e5e3}", "{\"a\":NaN}", "{\"a\":tru}",
            "{\"a\":nul}", "{\"a\":1E400}", "{\"a\":1e309}", "{\"a\":" + String(repeating: "9", count: 309) + "}",
            "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\u00\"}", "{\"a\":\"\\x\"}",
            "{\"a\":\"\u{01}\"}", "{\"a\":\"\t\"}", "{\"a\":\"abc}", "{\"a\":\"abc\\\"}", " \u{FEFF}{}", "\u{FEFF}\u{FEFF}{}",
        ]
        for line in refused {
            #expect(Self.read(line, partition: false, timestamp: false) == .invalid("not a JSON object"), "\(line.debugDescription)")
        }
        // Invalid UTF-8 anywhere (a lone byte, an overlong, a surrogate, past U+10FFFF, a cut sequence).
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]] {
            let line = Array(#"{"value":"a"#.utf8) + bad + Array(#"b"}"#.utf8)
            #expect(JSONLineRecordReader.read(line[...], partition: false, timestamp: false) == .invalid("not a JSON object"), "\(bad)")
        }
        // A number past a Double's range refused the line only where a later duplicate name did not
        // replace it (Foundation converted numbers after building its dictionaries).
        #expect(Self.read(#"{"a":{"b":1e400}}"#, partition: false, timestamp: false) == .invalid("not a JSON object"))
        #expect(Self.read(#"{"a":1e400,"a":1,"value":"v"}"#, partition: false, timestamp: false) == Self.record(nil, Self.bytes("v")))
        #expect(Self.read(#"{"a":{"b":1e400,"b":2},"x":[{"c":[1E+999]},0],"x":0}"#, partition: false, timestamp: false)
                == Self.record(nil, nil))
        // Numbers a Double holds pass, wherever they are.
        #expect(Self.read("{\"a\":1e308,\"b\":1e-400,\"c\":" + String(repeating: "9", count: 308) + "}", partition: false,
                          timestamp: false) == Self.record(nil, nil))
    }

    /// Made to fail once by comparing the depth with <= (513 nested containers were taken).
    @Test func nestingUpTo512AndNoTrapOnDeeperOnes() {
        func nested(_ n: Int) -> String { "{\"a\":" + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "}" }
        #expect(Self.read(nested(511), partition: false, timestamp: false) == Self.record(nil, nil))
        #expect(Self.read(nested(512), partition: false, timestamp: false) == .invalid("not a JSON object"))
        // Far deeper than any stack would take recursively, objects and arrays mixed: refused, not a crash.
        let deep = "{\"a\":" + String(repeating: "[{\"b\":", count: 200_000)
        #expect(Self.read(deep, partition: false, timestamp: false) == .invalid("not a JSON object"))
        // 70 deep (past the first 64 levels the stack keeps in a word), then closed.
        let mixed = "{\"a\":" + String(repeating: "[{\"b\":", count: 35) + "1" + String(repeating: "}]", count: 35) + ",\"value\":\"v\"}"
        #expect(Self.read(mixed, partition: false, timestamp: false) == Self.record(nil, Self.bytes("v")))
    }

    /// A value starting with U+FEFF survives the round trip (JSONSerialization dropped the BOM at the
    /// start of a string and after an escape). Made to fail once by skipping EF BB BF at string starts.
    @Test func aByteOrderMarkInsideAStringIsKept() {
        #expect(Self.read("{\"key\":\"\u{FEFF}k\",\"value\":\"\\n\u{FEFF}v\"}", partition: false, timestamp: false)
                == Self.record(Self.bytes("\u{FEFF}k"), Self.bytes("\n\u{FEFF}v")))
        // A name with a BOM is another name.
        #expect(Self.read("{\"\u{FEFF}key\":\"k\"}", partition: false, timestamp: false) == Self.record(nil, nil))
    }

    /// Lines JSONSerialization read as UTF-16 or UTF-32 (from NULs or a BOM) are refused. Made to
    /// fail once by taking NUL for whitespace ("{\0}\0" was read as an empty object).
    @Test func utf16AndUtf32LinesAreRefused() {
        func le(_ s: String) -> [UInt8] { s.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        func be(_ s: String) -> [UInt8] { s.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
        let lines: [[UInt8]] = [le("{}"), le("{\"value\":\"v\"}"), [0xFF, 0xFE] + le("{}"), [0xFE, 0xFF] + be("{}"),
                                [0, 0, 0xFE, 0xFF] + Array("{}".unicodeScalars.flatMap { [0, 0, 0, UInt8($0.value)] })]
        for line in lines {
            #expect(JSONLineRecordReader.read(line[...], partition: false, timestamp: false) == .invalid("not a JSON object"))
        }
    }
}
