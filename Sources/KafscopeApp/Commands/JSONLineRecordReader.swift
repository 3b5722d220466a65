import Foundation
import KafkaRecords

/// Reads one line of `kafscope tail -o json` (one JSON object) into what `produce --format jsonl`
/// sends: key, value, headers, and the partition and timestamp when asked for.
///
/// It replaces JSONSerialization, whose dictionary, NSNumbers and Strings per line were most of the
/// round trip's CPU time, and accepts and refuses what it did, so existing files read the same:
/// - JSON in UTF-8, one optional BOM before the object, trailing commas in objects and arrays
///   (Foundation's parser takes them), at most 512 nested containers, numbers that overflow a
///   Double refused wherever they are; unknown fields skipped whatever they hold; the last of
///   duplicate keys wins;
/// - bytes: a string is its UTF-8, `{"base64": "..."}` its decoding as `Data(base64Encoded:)`
///   decodes, null or absent nil.
/// Deliberate differences, each a refusal of a value that was silently changed, or bytes kept:
/// - a partition or timestamp must be an integer in range: NSNumber truncated 1.5 to 1, wrapped
///   2147483648 to -2147483648 and read `true` as 1;
/// - a U+FEFF at the start of a string, or right after an escape, is kept (Foundation dropped it,
///   so a value starting with one did not survive the round trip);
/// - UTF-16 and UTF-32 lines are refused (JSONSerialization guessed them from NULs and BOMs).
/// One refusal of its own: a line where `tail` decoded the key or value (`value_format` avro,
/// protobuf, json-schema, json, hex or base64, without `value_error`) holds decoded JSON or text in
/// place of the record's bytes; sending it would write altered bytes (see `decodedByTail`).
enum JSONLineRecordReader {
    struct Fields: Equatable {
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [RecordHeaderValue]
        var partition: Int32?
        var timestamp: Int64?
    }

    enum Outcome: Equatable {
        case record(Fields)
        /// Why the line is not a record; the same reasons the JSONSerialization reader gave.
        case invalid(String)
    }

    static let notAnObject = "not a JSON object"

    /// `partition`/`timestamp`: whether to read them (--keep-partitions / --keep-timestamps); a
    /// field that is not read cannot refuse the line.
    static func read(_ line: ArraySlice<UInt8>, partition: Bool, timestamp: Bool) -> Outcome {
        line.withUnsafeBufferPointer { buf -> Outcome in
            guard let base = buf.baseAddress else { return .invalid(notAnObject) }
            var cursor = JSONCursor(base, count: buf.count)
            guard let top = cursor.topLevelFields() else { return .invalid(notAnObject) }
            // A number past a Double's range refused the line only where it survived duplicate
            // names (Foundation converted numbers after building the dictionaries): rare enough to
            // let JSONSerialization itself decide.
            if cursor.sawOverflowingNumber,
               (try? JSONSerialization.jsonObject(with: Data(buffer: buf), options: [])) == nil {
                return .invalid(notAnObject)
            }
            let json = JSONCursor(base, count: buf.count)
            if let why = json.decodedByTail("key", top.keyFormat, top.keyError)
                ?? json.decodedByTail("value", top.valueFormat, top.valueError) {
                return .invalid(why)
            }
            do throws(JSONFieldRefusal) {
                var fields = Fields(key: nil, value: nil, headers: [], partition: nil, timestamp: nil)
                fields.key = try json.bytes(top.key, field: "key")
                fields.value = try json.bytes(top.value, field: "value")
                fields.headers = try json.headers(top.headers)
                if partition {
                    guard let t = top.partition, let n = json.integer(t), let p = Int32(exactly: n) else {
                        return .invalid("--keep-partitions: no partition number")
                    }
                    fields.partition = p
                }
                if timestamp {
                    guard let t = top.timestamp, let n = json.integer(t), n >= 0 else {
                        return .invalid("--keep-timestamps: no timestamp")
                    }
                    fields.timestamp = n
                }
                return .record(fields)
            } catch {
                return .invalid(error.reason)
            }
        }
    }
}

/// A refusal of one field, worded for the line's report.
struct JSONFieldRefusal: Error {
    var reason: String
}

/// Where a JSON value lies in the line: its first byte says its kind (`"`, `{`, `[`, `t`, `f`, `n`,
/// `-` or a digit); a string's range includes its quotes.
struct JSONToken {
    var start: Int
    var end: Int
    /// A string holding backslash escapes (else its bytes are its content, as they are).
    var escaped: Bool
}

/// The fields of the top-level object the record reader looks at (the last of duplicates).
struct JSONRecordFieldTokens {
    var key: JSONToken?
    var value: JSONToken?
    var headers: JSONToken?
    var partition: JSONToken?
    var timestamp: JSONToken?
    /// What `tail -o json` with a decoder adds: how each side was read, and why it could not be.
    var keyFormat: JSONToken?
    var valueFormat: JSONToken?
    var keyError: JSONToken?
    var valueError: JSONToken?
}

/// A position in one line's bytes. The first pass (`topLevelFields`) checks the whole line as
/// JSONSerialization would; the field readers then walk values it has already checked. Every read
/// is bounds-checked against `count`: no input can make it read outside the line or trap.
struct JSONCursor {
    let p: UnsafePointer<UInt8>
    let count: Int
    var i = 0
    /// A number too large for a Double was skipped (JSONSerialization refused it, see `read`).
    private(set) var sawOverflowingNumber = false

    init(_ p: UnsafePointer<UInt8>, count: Int, at i: Int = 0) {
        self.p = p
        self.count = count
        self.i = i
    }

    /// JSONSerialization's limit on nested arrays and objects (the top-level object counts).
    static let maximumDepth = 512

    // MARK: - The first pass: is the line a JSON object, and where are its fields

    mutating func topLevelFields() -> JSONRecordFieldTokens? {
        if count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
        skipWhitespace()
        guard i < count, p[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        var fields = JSONRecordFieldTokens()
        skipWhitespace()
        guard i < count else { return nil }
        if p[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard i < count, p[i] == UInt8(ascii: "\"") else { return nil }
                let keyStart = i
                var keyEscaped = false
                guard skipString(escaped: &keyEscaped) else { return nil }
                let name = JSONToken(start: keyStart, end: i, escaped: keyEscaped)
                skipWhitespace()
                guard i < count, p[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                skipWhitespace()
                let valueStart = i
                var valueEscaped = false
                guard skipValue(depth: 1, escaped: &valueEscaped) else { return nil }
                let value = JSONToken(start: valueStart, end: i, escaped: valueEscaped)
                switch recordField(name) {
                case 1: fields.key = value
                case 2: fields.value = value
                case 3: fields.headers = value
                case 4: fields.partition = value
                case 5: fields.timestamp = value
                case 6: fields.keyFormat = value
                case 7: fields.valueFormat = value
                case 8: fields.keyError = value
                case 9: fields.valueError = value
                default: break
                }
                skipWhitespace()
                guard i < count else { return nil }
                if p[i] == UInt8(ascii: "}") { i += 1; break }
                guard p[i] == UInt8(ascii: ",") else { return nil }
                i += 1
                skipWhitespace()
                if i < count && p[i] == UInt8(ascii: "}") { i += 1; break }
            }
        }
        skipWhitespace()
        return i == count ? fields : nil
    }

    /// 1 key, 2 value, 3 headers, 4 partition, 5 timestamp, 6 key_format, 7 value_format, 8 key_error,
    /// 9 value_error, 0 any other name.
    private func recordField(_ name: JSONToken) -> Int {
        if name.escaped {
            let decoded = string(name)
            return decoded.withUnsafeBufferPointer { Self.recordField($0.baseAddress, $0.count) }
        }
        return Self.recordField(p + name.start + 1, name.end - name.start - 2)
    }

    private static func recordField(_ q: UnsafePointer<UInt8>?, _ n: Int) -> Int {
        guard let q else { return 0 }
        func equals(_ s: StaticString) -> Bool { n == s.utf8CodeUnitCount && memcmp(q, s.utf8Start, n) == 0 }
        switch n {
        case 3: return equals("key") ? 1 : 0
        case 5: return equals("value") ? 2 : 0
        case 7: return equals("headers") ? 3 : 0
        case 9: return equals("partition") ? 4 : equals("timestamp") ? 5 : equals("key_error") ? 8 : 0
        case 10: return equals("key_format") ? 6 : 0
        case 11: return equals("value_error") ? 9 : 0
        case 12: return equals("value_format") ? 7 : 0
        default: return 0
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < count {
            switch p[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    /// Past one value starting at `i` (after whitespace), nested containers included, without
    /// recursion (a line of 100,000 `[` must not take the stack). `depth`: containers already open.
    /// `escaped`: set when the value is a string holding escapes.
    mutating func skipValue(depth: Int, escaped: inout Bool) -> Bool {
        guard i < count else { return false }
        // The common cases first: a scalar, no container bookkeeping.
        switch p[i] {
        case UInt8(ascii: "\""): return skipString(escaped: &escaped)
        case UInt8(ascii: "{"), UInt8(ascii: "["): break
        default: return skipScalar()
        }
        var open = ContainerStack()
        var unused = false
        while true {
            // A value is expected at i.
            skipWhitespace()
            guard i < count else { return false }
            let b = p[i]
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                guard depth + open.count < Self.maximumDepth else { return false }
                i += 1
                skipWhitespace()
                guard i < count else { return false }
                if b == UInt8(ascii: "{") {
                    if p[i] == UInt8(ascii: "}") {
                        i += 1
                    } else {
                        open.push(object: true)
                        guard skipMemberName() else { return false }
                        continue
                    }
                } else {
                    if p[i] == UInt8(ascii: "]") {
                        i += 1
                    } else {
                        open.push(object: false)
                        continue
                    }
                }
            } else if b == UInt8(ascii: "\"") {
                guard skipString(escaped: &unused) else { return false }
            } else {
                guard skipScalar() else { return false }
            }
            // After a value: close containers or go on to the next member or element.
            var next = false
            while !next {
                if open.count == 0 { return true }
                skipWhitespace()
                guard i < count else { return false }
                let inObject = open.topIsObject
                let c = p[i]
                if c == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    open.pop()
                    continue
                }
                guard c == UInt8(ascii: ",") else { return false }
                i += 1
                skipWhitespace()
                guard i < count else { return false }
                // Foundation's parser takes a trailing comma before the closing bracket or brace.
                if p[i] == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    open.pop()
                    continue
                }
                if inObject { guard skipMemberName() else { return false } }
                next = true
            }
        }
    }

    /// `"name" :` and the whitespace after it.
    private mutating func skipMemberName() -> Bool {
        guard i < count, p[i] == UInt8(ascii: "\"") else { return false }
        var unused = false
        guard skipString(escaped: &unused) else { return false }
        skipWhitespace()
        guard i < count, p[i] == UInt8(ascii: ":") else { return false }
        i += 1
        return true
    }

    private mutating func skipScalar() -> Bool {
        switch p[i] {
        case UInt8(ascii: "t"): return skipLiteral("true")
        case UInt8(ascii: "f"): return skipLiteral("false")
        case UInt8(ascii: "n"): return skipLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return skipNumber()
        default: return false
        }
    }

    private mutating func skipLiteral(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard count - i >= n, memcmp(p + i, s.utf8Start, n) == 0 else { return false }
        i += n
        return true
    }

    /// RFC 8259's grammar (no leading zeros, digits after `.` and `e`); notes a value past a
    /// Double's range (1e400).
    private mutating func skipNumber() -> Bool {
        let start = i
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < count, isDigit(p[i]) else { return false }
        let integerStart = i
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < count && isDigit(p[i]) { i += 1 }
        }
        let integerDigits = i - integerStart
        var plain = true
        if i < count && p[i] == UInt8(ascii: ".") {
            i += 1
            guard i < count, isDigit(p[i]) else { return false }
            while i < count && isDigit(p[i]) { i += 1 }
        }
        if i < count && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            plain = false
            i += 1
            if i < count && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < count, isDigit(p[i]) else { return false }
            while i < count && isDigit(p[i]) { i += 1 }
        }
        // Below 10^308 without an exponent: finite. Otherwise ask Double (rare).
        if plain && integerDigits <= 308 { return true }
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        if !(Double(text)?.isFinite ?? false) { sawOverflowingNumber = true }
        return true
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    /// Past a string whose opening quote is at `i`: valid UTF-8, no raw control characters, only
    /// JSON's escapes, `\u` surrogates in pairs.
    mutating func skipString(escaped: inout Bool) -> Bool {
        i += 1
        while true {
            // Eight plain bytes at a time: no quote, backslash, control character or non-ASCII byte.
            while count - i >= 8 {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if Self.hasSpecialByte(w) { break }
                i += 8
            }
            guard i < count else { return false }
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return true
            }
            if b == UInt8(ascii: "\\") {
                escaped = true
                guard skipEscape() else { return false }
            } else if b < 0x20 {
                return false
            } else if b < 0x80 {
                i += 1
            } else {
                guard skipUTF8Sequence() else { return false }
            }
        }
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `w` is below 0x20, a quote, a backslash or 0x80 and above (exact, no
    /// false negatives: the classic has-zero-byte tests).
    @inline(__always)
    private static func hasSpecialByte(_ w: UInt64) -> Bool {
        let below20 = (w &- ones &* 0x20) & ~w
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        return (below20 | hasQuote | hasBackslash | w) & highs != 0
    }

    /// One escape at `i` (the backslash).
    private mutating func skipEscape() -> Bool {
        guard count - i >= 2 else { return false }
        switch p[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 2
            return true
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: i + 2) else { return false }
            i += 6
            switch unit & 0xFC00 {
            case 0xD800:
                guard count - i >= 2, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u"),
                      let low = hex4(at: i + 2), low & 0xFC00 == 0xDC00 else { return false }
                i += 6
                return true
            case 0xDC00:
                return false
            default:
                return true
            }
        default:
            return false
        }
    }

    /// Four hex digits at `at`, or nil.
    private func hex4(at: Int) -> UInt32? {
        guard count - at >= 4 else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = Self.hexValue(p[at + k]) else { return nil }
            v = v << 4 | d
        }
        return v
    }

    private static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// One well-formed UTF-8 sequence at `i`.
    private mutating func skipUTF8Sequence() -> Bool {
        guard let length = UTF8Sequence.validLength(p, at: i, count: count) else { return false }
        i += length
        return true
    }

    // MARK: - Reading checked values

    /// Why a line cannot be sent as it is, when `tail -o json` wrote this side decoded: its
    /// `SIDE_format` names a decoding (avro, protobuf, json-schema, json, hex, base64) and no
    /// `SIDE_error` says the raw bytes were kept. `text`, `binary` and `null` are the bytes
    /// themselves (UTF-8 text, base64, null). Nil when the side holds the record's bytes.
    func decodedByTail(_ side: String, _ format: JSONToken?, _ error: JSONToken?) -> String? {
        guard let format, p[format.start] == UInt8(ascii: "\"") else { return nil }
        if let error, p[error.start] != UInt8(ascii: "n") { return nil }
        let name = string(format)
        if name.elementsEqual("text".utf8) || name.elementsEqual("binary".utf8) || name.elementsEqual("null".utf8) { return nil }
        let shown = TextTable.clean(String(decoding: name.prefix(40), as: UTF8.self))
        return "\(side) was decoded by tail (\(side)_format \(shown)), not the record's bytes: "
            + "export with `kafscope tail --raw -o json` to copy records"
    }

    /// A checked string's content, escapes decoded, as UTF-8.
    func string(_ t: JSONToken) -> [UInt8] {
        let inner = max(0, t.end - t.start - 2)
        if !t.escaped { return Array(UnsafeBufferPointer(start: p + t.start + 1, count: inner)) }
        var out: [UInt8] = []
        out.reserveCapacity(inner)
        var k = t.start + 1
        let end = t.end - 1
        while k < end {
            let b = p[k]
            guard b == UInt8(ascii: "\\"), k + 1 < end else {
                out.append(b)
                k += 1
                continue
            }
            let e = p[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(at: k) else { return out }
                k += 4
                if scalar & 0xFC00 == 0xD800, let low = hex4(at: k + 2) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                }
                guard let s = Unicode.Scalar(scalar), let encoded = UTF8.encode(s) else { return out }
                out.append(contentsOf: encoded)
            default: out.append(e)  // " \ /
            }
        }
        return out
    }

    /// A field's bytes: a string's UTF-8, `{"base64": "..."}` decoded, null or absent nil.
    func bytes(_ t: JSONToken?, field: @autoclosure () -> String) throws(JSONFieldRefusal) -> [UInt8]? {
        guard let t else { return nil }
        switch p[t.start] {
        case UInt8(ascii: "n"): return nil
        case UInt8(ascii: "\""): return string(t)
        case UInt8(ascii: "{"):
            var base64: JSONToken?
            forEachMember(of: t) { name, value in
                if isName(name, "base64") { base64 = value }
            }
            if let b = base64, p[b.start] == UInt8(ascii: "\""), let decoded = Self.base64Decoded(string(b)) {
                return decoded
            }
        default: break
        }
        throw JSONFieldRefusal(reason: "\(field()): expected a string, null or {\"base64\": \"...\"}")
    }

    /// `[{key, value}]`: every element an object, each with a string key.
    func headers(_ t: JSONToken?) throws(JSONFieldRefusal) -> [RecordHeaderValue] {
        guard let t else { return [] }
        let notAList = JSONFieldRefusal(reason: "headers must be a list of {key, value}")
        guard p[t.start] == UInt8(ascii: "[") else { throw notAList }
        var items: [JSONToken] = []
        var allObjects = true
        forEachElement(of: t) { item in
            if p[item.start] != UInt8(ascii: "{") { allObjects = false }
            items.append(item)
        }
        guard allObjects else { throw notAList }
        var out: [RecordHeaderValue] = []
        out.reserveCapacity(items.count)
        for item in items {
            var key: JSONToken?
            var value: JSONToken?
            forEachMember(of: item) { name, v in
                if isName(name, "key") { key = v } else if isName(name, "value") { value = v }
            }
            guard let key, p[key.start] == UInt8(ascii: "\"") else {
                throw JSONFieldRefusal(reason: "a header has no string key")
            }
            let name = String(decoding: string(key), as: UTF8.self)
            out.append(RecordHeaderValue(key: name, value: try bytes(value, field: "header \(name)")))
        }
        return out
    }

    /// A checked number's value when it is an integer that fits an Int64 (`1e3` and `2.0` are;
    /// `1.5` is not), else nil; nil too for anything but a number.
    func integer(_ t: JSONToken) -> Int64? {
        var k = t.start
        let end = t.end
        guard k < end else { return nil }
        let negative = p[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        guard k < end, isDigit(p[k]) else { return nil }
        let intStart = k
        while k < end && isDigit(p[k]) { k += 1 }
        let intEnd = k
        var fracStart = k, fracEnd = k
        if k < end && p[k] == UInt8(ascii: ".") {
            k += 1
            fracStart = k
            while k < end && isDigit(p[k]) { k += 1 }
            fracEnd = k
        }
        var exponent = 0
        if k < end && (p[k] == UInt8(ascii: "e") || p[k] == UInt8(ascii: "E")) {
            k += 1
            var expNegative = false
            if k < end && (p[k] == UInt8(ascii: "+") || p[k] == UInt8(ascii: "-")) {
                expNegative = p[k] == UInt8(ascii: "-")
                k += 1
            }
            while k < end && isDigit(p[k]) {
                // Past a million the answer no longer changes (zero stays zero, else out of range).
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(p[k] - UInt8(ascii: "0")) }
                k += 1
            }
            if expNegative { exponent = -exponent }
        }
        // The digits as one run (integer part then fraction); digit n weighs 10^(intCount-1-n+exponent).
        let intCount = intEnd - intStart
        let total = intCount + (fracEnd - fracStart)
        func digit(_ n: Int) -> UInt64 {
            UInt64(p[n < intCount ? intStart + n : fracStart + n - intCount] - UInt8(ascii: "0"))
        }
        var first = 0
        while first < total && digit(first) == 0 { first += 1 }
        if first == total { return 0 }
        var last = total - 1
        while digit(last) == 0 { last -= 1 }
        let trailingZeros = intCount - 1 - last + exponent
        guard trailingZeros >= 0, intCount - first + exponent <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for n in first...last {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(digit(n))
            guard !o1 && !o2 else { return nil }
            magnitude = a
        }
        for _ in 0..<trailingZeros {
            let (m, o) = magnitude.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            magnitude = m
        }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Whether a member name (a checked string token) is `name`.
    func isName(_ t: JSONToken, _ name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        if !t.escaped { return t.end - t.start - 2 == n && memcmp(p + t.start + 1, name.utf8Start, n) == 0 }
        let decoded = string(t)
        return decoded.count == n && decoded.withUnsafeBufferPointer { memcmp($0.baseAddress!, name.utf8Start, n) == 0 }
    }

    /// Each member of a checked object, in order.
    func forEachMember(of t: JSONToken, _ body: (JSONToken, JSONToken) -> Void) {
        var c = JSONCursor(p, count: t.end, at: t.start + 1)
        c.skipWhitespace()
        while c.i < c.count && c.p[c.i] == UInt8(ascii: "\"") {
            let nameStart = c.i
            var nameEscaped = false
            guard c.skipString(escaped: &nameEscaped) else { return }
            let name = JSONToken(start: nameStart, end: c.i, escaped: nameEscaped)
            c.skipWhitespace()
            c.i += 1  // the colon
            c.skipWhitespace()
            let valueStart = c.i
            var valueEscaped = false
            guard c.skipValue(depth: 0, escaped: &valueEscaped) else { return }
            body(name, JSONToken(start: valueStart, end: c.i, escaped: valueEscaped))
            c.skipWhitespace()
            c.i += 1  // the comma or the closing brace
            c.skipWhitespace()
        }
    }

    /// Each element of a checked array, in order.
    func forEachElement(of t: JSONToken, _ body: (JSONToken) -> Void) {
        var c = JSONCursor(p, count: t.end, at: t.start + 1)
        c.skipWhitespace()
        while c.i < c.count && c.p[c.i] != UInt8(ascii: "]") {
            let start = c.i
            var escaped = false
            guard c.skipValue(depth: 0, escaped: &escaped) else { return }
            body(JSONToken(start: start, end: c.i, escaped: escaped))
            c.skipWhitespace()
            c.i += 1  // the comma or the closing bracket
            c.skipWhitespace()
        }
    }

    // MARK: - Base64

    /// As `Data(base64Encoded:)` decodes (Foundation's rules, padding required): canonical input
    /// here, anything unusual handed to Foundation itself so the answer stays its answer.
    static func base64Decoded(_ text: [UInt8]) -> [UInt8]? {
        let n = text.count
        if n == 0 { return [] }
        guard n % 4 == 0 else { return foundationBase64(text) }
        var padding = 0
        if text[n - 1] == UInt8(ascii: "=") { padding = text[n - 2] == UInt8(ascii: "=") ? 2 : 1 }
        let out = [UInt8](unsafeUninitializedCapacity: n / 4 * 3) { buf, written in
            written = 0
            var k = 0
            var ok = true
            let values = base64Values
            text.withUnsafeBufferPointer { t in
                while k < n {
                    let a = values[Int(t[k])], b = values[Int(t[k + 1])]
                    let c = values[Int(t[k + 2])], d = values[Int(t[k + 3])]
                    let last = k + 4 == n
                    if a | b | c | d < 64 {
                        buf[written] = a << 2 | b >> 4
                        buf[written + 1] = b << 4 | c >> 2
                        buf[written + 2] = c << 6 | d
                        written += 3
                    } else if last && padding == 2 && a | b < 64 {
                        buf[written] = a << 2 | b >> 4
                        written += 1
                    } else if last && padding == 1 && a | b | c < 64 {
                        buf[written] = a << 2 | b >> 4
                        buf[written + 1] = b << 4 | c >> 2
                        written += 2
                    } else {
                        ok = false
                        return
                    }
                    k += 4
                }
            }
            if !ok { written = 0 }
        }
        // Not canonical: Foundation decides (and decodes) it.
        if out.count != n / 4 * 3 - padding { return foundationBase64(text) }
        return out
    }

    private static func foundationBase64(_ text: [UInt8]) -> [UInt8]? {
        Data(base64Encoded: String(decoding: text, as: UTF8.self)).map { Array($0) }
    }

    /// The 6-bit value of each base64 character; 0xFF for any other byte (padding included).
    private static let base64Values: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (v, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(v)
        }
        return t
    }()
}

/// Open arrays and objects of `skipValue`, a bit each (set: an object); no allocation until 64 deep.
struct ContainerStack {
    private var low: UInt64 = 0
    private var deeper: [Bool] = []
    private(set) var count = 0

    mutating func push(object: Bool) {
        if count < 64 {
            if object { low |= 1 << UInt64(count) } else { low &= ~(1 << UInt64(count)) }
        } else {
            deeper.append(object)
        }
        count += 1
    }

    mutating func pop() {
        count -= 1
        if count >= 64 { deeper.removeLast() }
    }

    var topIsObject: Bool {
        let top = count - 1
        return top < 64 ? low & (1 << UInt64(top)) != 0 : deeper[top - 64]
    }
}
