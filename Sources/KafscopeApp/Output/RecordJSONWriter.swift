import ClusterModel
import TerminalCore

/// `tail -o json`'s line for a record, written straight into bytes: the text of
/// `TailCommand.recordJSON(r).serialized()` (the reference, still used by the decoding tail)
/// without its tree of JSONValues, Strings, Foundation base64 and scalar-by-scalar escaping, which
/// with the console's second look for terminal controls were most of the tail's CPU time.
///
/// Strings are escaped as `JSONValue.quote` escapes them: `"` `\` and the short escapes, every other
/// terminal control (TerminalControls.isActive: C0, DEL, C1, bidi controls, U+2028/9) as `\u00xx`,
/// so the line needs no further escaping before it reaches a terminal.
enum RecordJSONWriter {
    /// One line, without its newline.
    static func line(_ r: TailRecord) -> [UInt8] {
        var out: [UInt8] = []
        append(r, to: &out)
        return out
    }

    static func append(_ r: TailRecord, to out: inout [UInt8]) {
        // No reserveCapacity here: it reallocates to exactly what is asked, so calling it per record
        // of a chunk copied the whole chunk every time (quadratic); appends grow it geometrically.
        append(#"{"topic":"#, to: &out)
        appendString(r.topic, to: &out)
        append(#","partition":"#, to: &out)
        appendInteger(Int64(r.partition), to: &out)
        append(#","offset":"#, to: &out)
        appendInteger(r.offset, to: &out)
        append(#","timestamp":"#, to: &out)
        appendInteger(r.timestamp, to: &out)
        append(#","timestamp_type":"#, to: &out)
        appendString(r.timestampType.rawValue, to: &out)
        append(#","key":"#, to: &out)
        appendBytes(r.key, to: &out)
        append(#","value":"#, to: &out)
        appendBytes(r.value, to: &out)
        append(#","headers":["#, to: &out)
        for (n, h) in r.headers.enumerated() {
            append(n == 0 ? #"{"key":"# : #",{"key":"#, to: &out)
            appendString(h.key, to: &out)
            append(#","value":"#, to: &out)
            appendBytes(h.value, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        append("]}", to: &out)
    }

    @inline(__always)
    private static func append(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    static func appendInteger(_ v: Int64, to out: inout [UInt8]) {
        if v >= 0 && v < 10 {
            out.append(UInt8(ascii: "0") + UInt8(v))
            return
        }
        // Digits from the right into a 20-byte scratch (Int64.min has 19 digits and a sign).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var magnitude = v.magnitude
            var k = 20
            repeat {
                k -= 1
                buf[k] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            if v < 0 {
                k -= 1
                buf[k] = UInt8(ascii: "-")
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[k..<20]))
        }
    }

    /// Bytes as `TailCommand.bytesJSON` shows them: a string when they are UTF-8, else
    /// `{"base64": "..."}`; null stays null.
    static func appendBytes(_ b: [UInt8]?, to out: inout [UInt8]) {
        guard let b else {
            append("null", to: &out)
            return
        }
        let mark = out.count
        let valid = b.withUnsafeBufferPointer { appendQuoted($0, to: &out) }
        if !valid {
            out.removeSubrange(mark...)
            append(#"{"base64":""#, to: &out)
            b.withUnsafeBufferPointer { appendBase64($0, to: &out) }
            append("\"}", to: &out)
        }
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { _ = appendQuoted($0, to: &out) }
    }

    /// `"..."` with JSONValue.quote's escapes; false (and a partial write) when the bytes are not
    /// valid UTF-8.
    private static func appendQuoted(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        out.append(UInt8(ascii: "\""))
        guard let p = b.baseAddress else {
            out.append(UInt8(ascii: "\""))
            return true
        }
        let n = b.count
        var i = 0
        var plainFrom = 0
        func flush(_ upTo: Int) {
            if upTo > plainFrom { out.append(contentsOf: UnsafeBufferPointer(start: p + plainFrom, count: upTo - plainFrom)) }
        }
        while i < n {
            // Eight plain ASCII bytes at a time.
            while n - i >= 8 && !needsALook(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) { i += 8 }
            guard i < n else { break }
            let c = p[i]
            if c < 0x80 {
                if c >= 0x20 && c != 0x7F && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") {
                    i += 1
                    continue
                }
                flush(i)
                appendEscape(UInt32(c), to: &out)
                i += 1
                plainFrom = i
                continue
            }
            // A multi-byte sequence: checked (table 3-7 of Unicode), and escaped if it is a C1 or
            // bidi control or a line/paragraph separator.
            guard let length = UTF8Sequence.validLength(p, at: i, count: n) else { return false }
            let scalar = UTF8Sequence.scalar(p, at: i, length: length)
            if length <= 3, let s = Unicode.Scalar(scalar), TerminalControls.isActive(s) {
                flush(i)
                appendEscape(scalar, to: &out)
                plainFrom = i + length
            }
            i += length
        }
        flush(n)
        out.append(UInt8(ascii: "\""))
        return true
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether any of 8 bytes is below 0x20, a quote, a backslash, DEL or non-ASCII (the exact
    /// has-zero-byte tests).
    @inline(__always)
    private static func needsALook(_ w: UInt64) -> Bool {
        let below20 = (w &- ones &* 0x20) & ~w
        let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C), del = w ^ (ones &* 0x7F)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasDel = (del &- ones) & ~del
        return (below20 | hasQuote | hasBackslash | hasDel | w) & highs != 0
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, or `\u` and four lowercase hex digits.
    private static func appendEscape(_ scalar: UInt32, to out: inout [UInt8]) {
        let short: UInt8
        switch scalar {
        case 0x22: short = UInt8(ascii: "\"")
        case 0x5C: short = UInt8(ascii: "\\")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        default:
            let hex = hexDigits.utf8Start
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), hex[Int(scalar >> 12 & 0xF)], hex[Int(scalar >> 8 & 0xF)],
                                    hex[Int(scalar >> 4 & 0xF)], hex[Int(scalar & 0xF)]])
            return
        }
        out.append(UInt8(ascii: "\\"))
        out.append(short)
    }

    private static let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Standard base64 with padding and no line breaks (as Data.base64EncodedString()).
    static func appendBase64(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let n = b.count
        guard n > 0, let p = b.baseAddress else { return }
        let alphabet = base64Alphabet.utf8Start
        let start = out.count
        let length = (n + 2) / 3 * 4
        out.append(contentsOf: repeatElement(UInt8(ascii: "="), count: length))
        out.withUnsafeMutableBufferPointer { o in
            var k = start
            var i = 0
            while n - i >= 3 {
                let v = UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2])
                o[k] = alphabet[Int(v >> 18)]
                o[k + 1] = alphabet[Int(v >> 12 & 0x3F)]
                o[k + 2] = alphabet[Int(v >> 6 & 0x3F)]
                o[k + 3] = alphabet[Int(v & 0x3F)]
                i += 3
                k += 4
            }
            if n - i == 2 {
                let v = UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8
                o[k] = alphabet[Int(v >> 18)]
                o[k + 1] = alphabet[Int(v >> 12 & 0x3F)]
                o[k + 2] = alphabet[Int(v >> 6 & 0x3F)]
            } else if n - i == 1 {
                let v = UInt32(p[i]) << 16
                o[k] = alphabet[Int(v >> 18)]
                o[k + 1] = alphabet[Int(v >> 12 & 0x3F)]
            }
        }
    }
}
