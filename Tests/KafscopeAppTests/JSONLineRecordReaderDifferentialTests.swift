import Foundation
import KafkaRecords
import Testing
@testable import KafscopeApp

/// JSONLineRecordReader against the reader it replaced (JSONSerialization, kept here as the oracle)
/// on generated `tail -o json` lines and on mutations of them: both read the same key, value,
/// headers, partition and timestamp, or both refuse with the same reason. Where the new reader is
/// deliberately stricter (see its doc comment) the test checks that stricter answer instead.
@Suite struct JSONLineRecordReaderDifferentialTests {
    typealias Outcome = JSONLineRecordReader.Outcome

    /// Made to fail once by letting the first of duplicate members win in JSONCursor.forEachMember
    /// (a header written {"key":"a","key":"b"} was named "a"; JSONSerialization said "b"), and once by
    /// dropping the trailing-comma rule in skipValue (mutated lines with `,]` were refused).
    @Test func agreesWithJSONSerializationOnGeneratedAndMutatedLines() {
        var rng = SplitMix64(seed: 0x6b61_6673_636f_7065)
        var tally = Tally()
        for _ in 0..<4_000 {
            let line = LineGenerator.line(&rng)
            compare(line, &tally)
            for _ in 0..<4 { compare(LineGenerator.mutated(line, &rng), &tally) }
        }
        // The generator reaches every kind of answer, so agreement is not agreement on nothing.
        #expect(tally.records > 3_000, "\(tally)")
        #expect(tally.refusals["not a JSON object", default: 0] > 3_000, "\(tally)")
        #expect(tally.refusals.count == 6, "\(tally)")
        #expect(tally.partitions > 1_000 && tally.timestamps > 1_000, "\(tally)")
        #expect(tally.mismatches == 0, "\(tally)")
    }

    struct Tally: CustomStringConvertible {
        var records = 0
        var refusals: [String: Int] = [:]
        var partitions = 0
        var timestamps = 0
        var skipped = 0
        var mismatches = 0
        var description: String {
            "records \(records), partitions \(partitions), timestamps \(timestamps), skipped \(skipped), mismatches \(mismatches), refusals \(refusals)"
        }
    }

    func compare(_ line: [UInt8], _ tally: inout Tally) {
        let new = JSONLineRecordReader.read(line[...], partition: false, timestamp: false)
        // Deliberate difference: lines JSONSerialization would read as UTF-16/32 are refused.
        if Legacy.detectsOtherEncoding(line) {
            #expect(new == .invalid(JSONLineRecordReader.notAnObject), "\(Self.show(line))")
            tally.skipped += 1
            return
        }
        // Deliberate difference: a raw U+FEFF inside the line is kept (Foundation dropped some); tested apart.
        if line.count > 3, Self.contains(line.dropFirst(), [0xEF, 0xBB, 0xBF]) {
            tally.skipped += 1
            return
        }
        let (old, object) = Legacy.read(line)
        guard new == old else {
            tally.mismatches += 1
            Issue.record("line \(Self.show(line)): new \(new), JSONSerialization \(old)")
            return
        }
        switch old {
        case .invalid(let why):
            tally.refusals[why.utf8.starts(with: "header ".utf8) ? "header NAME: ..." : why, default: 0] += 1
            // A refusal of key, value or headers comes before the partition's or the timestamp's.
            #expect(JSONLineRecordReader.read(line[...], partition: true, timestamp: true) == old, "\(Self.show(line))")
        case .record(let fields):
            tally.records += 1
            guard let object else { return }
            let partition = Legacy.integer(object["partition"], in: Int64(Int32.min)...Int64(Int32.max))
            let timestamp = Legacy.integer(object["timestamp"], in: 0...Int64.max)
            let both = JSONLineRecordReader.read(line[...], partition: true, timestamp: true)
            var agrees: Bool
            switch both {
            case .invalid("--keep-partitions: no partition number"):
                agrees = partition.mayRefuse
            case .invalid("--keep-timestamps: no timestamp"):
                agrees = partition.mayAccept && timestamp.mayRefuse
            case .record(let f):
                agrees = partition.mayAccept && timestamp.mayAccept && f.key == fields.key && f.value == fields.value
                    && f.headers == fields.headers
                if let p = partition.value { agrees = agrees && f.partition.map(Int64.init) == p }
                if let t = timestamp.value { agrees = agrees && f.timestamp == t }
                if case .exactly = partition { tally.partitions += 1 }
                if case .exactly = timestamp { tally.timestamps += 1 }
            default:
                agrees = false
            }
            if !agrees {
                tally.mismatches += 1
                Issue.record("line \(Self.show(line)): new \(both); JSONSerialization: \(fields), partition \(partition), timestamp \(timestamp)")
            }
        }
    }

    static func contains(_ hay: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard hay.count >= needle.count else { return false }
        var i = hay.startIndex
        while i <= hay.endIndex - needle.count {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    static func show(_ line: [UInt8]) -> String {
        String(validating: line, as: UTF8.self)?.debugDescription ?? "\(line)"
    }
}

/// The reader `produce --format jsonl` had before JSONLineRecordReader (ProduceInput.jsonRecord
/// with JSONSerialization), kept as the test's oracle.
enum Legacy {
    static func read(_ line: [UInt8]) -> (JSONLineRecordReader.Outcome, [String: Any]?) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line), options: []) as? [String: Any] else {
            return (.invalid("not a JSON object"), nil)
        }
        let key: [UInt8]?
        let value: [UInt8]?
        do {
            key = try bytes(object["key"], field: "key")
            value = try bytes(object["value"], field: "value")
        } catch { return (.invalid("\(error)"), object) }
        var headers: [RecordHeaderValue] = []
        if let list = object["headers"] {
            guard let items = list as? [[String: Any]] else { return (.invalid("headers must be a list of {key, value}"), object) }
            for h in items {
                guard let name = h["key"] as? String else { return (.invalid("a header has no string key"), object) }
                do { headers.append(RecordHeaderValue(key: name, value: try bytes(h["value"], field: "header \(name)"))) } catch {
                    return (.invalid("\(error)"), object)
                }
            }
        }
        return (.record(.init(key: key, value: value, headers: headers, partition: nil, timestamp: nil)), object)
    }

    static func bytes(_ v: Any?, field: String) throws -> [UInt8]? {
        switch v {
        case nil, is NSNull: return nil
        case let s as String: return Array(s.utf8)
        case let o as [String: Any]:
            guard let b = o["base64"] as? String, let d = Data(base64Encoded: b) else {
                throw CommandFailure("\(field): expected a string, null or {\"base64\": \"...\"}")
            }
            return Array(d)
        default:
            throw CommandFailure("\(field): expected a string, null or {\"base64\": \"...\"}")
        }
    }

    enum Integer: Equatable {
        /// An integer literal (an NSNumber from Int64 or UInt64) in range: the new reader reads it.
        case exactly(Int64)
        /// Parsed as a Double or Decimal with an integral value in range: the new reader may read
        /// it (1.0, 1e2: the same value) or refuse it (1.0000000000000001 is not an integer).
        case truncated(Int64)
        /// Anything else NSNumber would have truncated or wrapped: the new reader refuses or agrees.
        case ambiguous
        /// Not a number, a boolean, or an integer literal out of range: refused.
        case refused

        var mayRefuse: Bool { if case .exactly = self { return false } else { return true } }
        var mayAccept: Bool { self != .refused }
        var value: Int64? {
            switch self {
            case .exactly(let v), .truncated(let v): return v
            default: return nil
            }
        }
    }

    /// What the new reader may say of a partition or timestamp that JSONSerialization read as `v`.
    static func integer(_ v: Any?, in range: ClosedRange<Int64>) -> Integer {
        guard let n = v as? NSNumber, String(describing: type(of: n)) != "__NSCFBoolean" else { return .refused }
        switch String(cString: n.objCType) {
        case "c", "s", "i", "l", "q":
            return range.contains(n.int64Value) ? .exactly(n.int64Value) : .refused
        case "C", "S", "I", "L", "Q":
            return n.uint64Value <= UInt64(Int64.max) && range.contains(Int64(n.uint64Value)) ? .exactly(Int64(n.uint64Value)) : .refused
        default:
            // Exactly held by a Double (below 2^53), integral and in range.
            let d = n.doubleValue
            guard d.isFinite, d == d.rounded(), abs(d) < 9_007_199_254_740_992, range.contains(Int64(d)) else { return .ambiguous }
            return .truncated(Int64(d))
        }
    }

    /// Lines JSONSerialization may take for UTF-16 or UTF-32 (a NUL in the first four bytes, or
    /// their BOMs): never UTF-8 JSON, so the new reader must refuse them.
    static func detectsOtherEncoding(_ b: [UInt8]) -> Bool {
        if b.count >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)) { return true }
        return b.prefix(4).contains(0)
    }
}

/// Seeded, so a failure names a line that comes back on the next run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Lines shaped like `tail -o json`'s, with everything the format allows and much it does not.
enum LineGenerator {
    static func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    static func chance(_ p: Double, _ rng: inout SplitMix64) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    static func ws(_ rng: inout SplitMix64) -> String { chance(0.8, &rng) ? "" : pick([" ", "\t", "  ", "\r", " \n "], &rng) }

    /// String contents: plain text, every escape, \u forms (pairs, both cases), raw multi-byte UTF-8.
    static func stringBody(_ rng: inout SplitMix64) -> String {
        let parts = ["a", "xyz", "0", " ", "é", "😀", "\u{2028}", "\u{7F}", "\u{9B}", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n",
                     "\\r", "\\t", "\\u0041", "\\u00e9", "\\u00E9", "\\u0000", "\\u001b", "\\ud83d\\ude00", "\\uD83D\\uDE00",
                     "\\u2028", "\\uffff", "{", "}", "[", "]", ",", ":", "base64", "key", "value"]
        var s = ""
        for _ in 0..<Int.random(in: 0...6, using: &rng) { s += pick(parts, &rng) }
        return s
    }

    static func string(_ rng: inout SplitMix64) -> String { "\"" + stringBody(&rng) + "\"" }

    static func name(_ plain: String, _ rng: inout SplitMix64) -> String {
        guard chance(0.1, &rng), let first = plain.unicodeScalars.first else { return "\"" + plain + "\"" }
        // The same name with its first letter as a \u escape.
        return "\"" + String(format: "\\u%04x", first.value) + plain.dropFirst() + "\""
    }

    static func base64(_ rng: inout SplitMix64) -> String {
        let bytes = (0..<Int.random(in: 0...7, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var text = Data(bytes).base64EncodedString()
        if chance(0.08, &rng) {
            text = pick(["A", "AA", "AA=", "AB==", "AAB=", "A===", "====", "AAAA====", "QUJD\\n", "Q-_D", " QUJD", "QU=D",
                         "\\u0041A==", "AA==AA=="], &rng)
        }
        return "\"" + text + "\""
    }

    static func bytesValue(_ rng: inout SplitMix64) -> String {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0...2: return "null"
        case 3...11: return string(&rng)
        case 12...17:
            var members = ["\"base64\":" + base64(&rng)]
            if chance(0.2, &rng) { members.append("\"base64\":" + base64(&rng)) }
            if chance(0.2, &rng) { members.append("\"x\":" + scalar(&rng)) }
            if chance(0.05, &rng) { members = ["\"base64\":" + pick(["null", "1", "[]", "{}"], &rng)] }
            return "{" + members.shuffled(using: &rng).joined(separator: ",") + "}"
        case 18: return pick(["1", "true", "false", "[]", "{}", "[\"a\"]"], &rng)
        default: return "{" + (chance(0.5, &rng) ? "" : "\"b64\":\"AA==\"") + "}"
        }
    }

    static func number(_ rng: inout SplitMix64) -> String {
        pick(["0", "1", "7", "11", "-1", "-0", "1.0", "1e2", "1E+2", "0.5e1", "1.5", "-0.0", "2147483647", "2147483648",
              "-2147483648", "-2147483649", "4294967297", "1700000000000", "1.7e12", "9223372036854775807",
              "9223372036854775808", "18446744073709551615", "12345678901234567890123", "1e19", "1e-3", "1E400",
              "1e308", "123.456e-2", "0.0000001e7"], &rng)
    }

    static func scalar(_ rng: inout SplitMix64) -> String {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return string(&rng)
        case 1: return number(&rng)
        default: return pick(["true", "false", "null"], &rng)
        }
    }

    /// Any JSON value, nested a few levels, for fields the reader skips.
    static func anyValue(_ rng: inout SplitMix64, depth: Int = 0) -> String {
        guard depth < 4, chance(0.4, &rng) else { return scalar(&rng) }
        let n = Int.random(in: 0...3, using: &rng)
        let comma = chance(0.1, &rng) && n > 0 ? "," : ""
        if chance(0.5, &rng) {
            return "[" + (0..<n).map { _ in ws(&rng) + anyValue(&rng, depth: depth + 1) + ws(&rng) }.joined(separator: ",") + comma + "]"
        }
        return "{" + (0..<n).map { _ in ws(&rng) + string(&rng) + ws(&rng) + ":" + ws(&rng) + anyValue(&rng, depth: depth + 1) }
            .joined(separator: ",") + comma + "}"
    }

    static func headers(_ rng: inout SplitMix64) -> String {
        if chance(0.05, &rng) { return pick(["null", "{}", "1", "\"h\"", "[1]", "[{}, 2]"], &rng) }
        let items = (0..<Int.random(in: 0...3, using: &rng)).map { _ -> String in
            var members: [String] = []
            if !chance(0.03, &rng) { members.append(name("key", &rng) + ":" + (chance(0.03, &rng) ? scalar(&rng) : string(&rng))) }
            if chance(0.9, &rng) { members.append(name("value", &rng) + ":" + bytesValue(&rng)) }
            if chance(0.1, &rng) { members.append("\"key\":" + string(&rng)) }
            if chance(0.1, &rng) { members.append("\"other\":" + anyValue(&rng)) }
            return "{" + members.shuffled(using: &rng).joined(separator: ",") + "}"
        }
        return "[" + items.joined(separator: "," + ws(&rng)) + "]"
    }

    static func line(_ rng: inout SplitMix64) -> [UInt8] {
        var members: [String] = []
        func add(_ field: String, _ value: String) { members.append(name(field, &rng) + ws(&rng) + ":" + ws(&rng) + value) }
        if chance(0.9, &rng) { add("topic", string(&rng)) }
        if chance(0.9, &rng) { add("partition", chance(0.8, &rng) ? pick(["0", "1", "11", "3"], &rng) : chance(0.8, &rng) ? number(&rng) : scalar(&rng)) }
        if chance(0.9, &rng) { add("offset", number(&rng)) }
        if chance(0.9, &rng) { add("timestamp", chance(0.8, &rng) ? "1700000000123" : chance(0.8, &rng) ? number(&rng) : scalar(&rng)) }
        if chance(0.8, &rng) { add("timestamp_type", "\"CreateTime\"") }
        if chance(0.9, &rng) { add("key", bytesValue(&rng)) }
        if chance(0.9, &rng) { add("value", bytesValue(&rng)) }
        if chance(0.8, &rng) { add("headers", headers(&rng)) }
        for _ in 0..<Int.random(in: 0...2, using: &rng) where chance(0.3, &rng) { add(pick(["x", "extra", "Key", "keys"], &rng), anyValue(&rng)) }
        // Duplicates: the last one counts.
        if chance(0.1, &rng) { add(pick(["key", "value", "headers", "partition", "timestamp"], &rng), scalar(&rng)) }
        members.shuffle(using: &rng)
        let trailing = chance(0.05, &rng) ? "," : ""
        let text = (chance(0.03, &rng) ? "\u{FEFF}" : "") + ws(&rng) + "{" + ws(&rng) + members.joined(separator: "," + ws(&rng))
            + trailing + ws(&rng) + "}" + ws(&rng)
        return Array(text.utf8)
    }

    /// One to three byte-level edits: JSON syntax broken in every way a line can be.
    static func mutated(_ line: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = line
        let interesting: [UInt8] = Array("{}[]\",:\\ 0123456789.eE+-tfnu/".utf8) + [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let byte = chance(0.7, &rng) ? pick(interesting, &rng) : UInt8.random(in: 0...255, using: &rng)
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !b.isEmpty: b.remove(at: at)
            case 1: b.insert(byte, at: at)
            case 2 where !b.isEmpty: b[at] = byte
            case 3 where !b.isEmpty: b.removeSubrange(at...)  // cut short
            default:
                let len = Int.random(in: 1...8, using: &rng)
                if at + len <= b.count { b.insert(contentsOf: b[at..<(at + len)], at: at) }
            }
        }
        return b
    }
}
