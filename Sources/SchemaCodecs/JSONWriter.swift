import Foundation

/// Appends compact JSON text to a byte buffer. Decoders write straight into it, so a record is
/// rendered without building an intermediate tree. Strings are escaped so that nothing a record
/// contains (control characters, ESC) survives as a raw byte that could drive a terminal.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always) mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func null() { raw("null") }
    mutating func bool(_ b: Bool) { if b { raw("true") } else { raw("false") } }

    mutating func int(_ v: Int64) {
        if v >= 0 && v < 10 { bytes.append(UInt8(48 + v)); return }
        var n = v.magnitude
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            repeat {
                buf[23 - count] = UInt8(48 + n % 10)
                n /= 10
                count += 1
            } while n > 0
            if v < 0 { bytes.append(45) }
            bytes.append(contentsOf: buf[(24 - count)...])
        }
    }

    mutating func uint(_ v: UInt64) {
        if v <= UInt64(Int64.max) { int(Int64(v)) } else { bytes.append(contentsOf: String(v).utf8) }
    }

    /// A quoted decimal integer (protobuf's 64-bit integers).
    mutating func quotedInt(_ v: Int64) { byte(34); int(v); byte(34) }
    mutating func quotedUInt(_ v: UInt64) { byte(34); uint(v); byte(34) }

    /// Finite numbers as the shortest round-trip text; NaN and infinities as strings (JSON has none).
    mutating func double(_ d: Double) {
        if d.isNaN { raw("\"NaN\""); return }
        if d.isInfinite { if d < 0 { raw("\"-Infinity\"") } else { raw("\"Infinity\"") }; return }
        if d == d.rounded(.towardZero), abs(d) < 1e15 { int(Int64(d)); return }
        bytes.append(contentsOf: d.description.utf8)
    }

    mutating func float(_ f: Float) {
        if f.isNaN { raw("\"NaN\""); return }
        if f.isInfinite { if f < 0 { raw("\"-Infinity\"") } else { raw("\"Infinity\"") }; return }
        if f == f.rounded(.towardZero), abs(f) < 1e7 { int(Int64(f)); return }
        bytes.append(contentsOf: f.description.utf8)
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string from UTF-8 bytes; invalid UTF-8 is replaced (U+FFFD), never passed through.
    mutating func string<C: Collection>(utf8 s: C) where C.Element == UInt8 {
        byte(34)
        var clean = true
        for b in s where b < 0x20 || b == 34 || b == 92 || b >= 0x7F { clean = false; break }
        if clean { bytes.append(contentsOf: s); byte(34); return }
        let str = String(decoding: s, as: UTF8.self)
        for u in str.unicodeScalars { escaped(u) }
        byte(34)
    }

    /// A JSON string from `source[range]` (no slice object, so no reference counting per string).
    mutating func string(utf8 source: [UInt8], _ range: Range<Int>) {
        source.withUnsafeBufferPointer { string(utf8: UnsafeBufferPointer(rebasing: $0[range])) }
    }

    mutating func string(_ s: String) {
        byte(34)
        for u in s.unicodeScalars { escaped(u) }
        byte(34)
    }

    @inline(__always) private mutating func escaped(_ u: Unicode.Scalar) {
        switch u.value {
        case 34: raw("\\\"")
        case 92: raw("\\\\")
        case 10: raw("\\n")
        case 13: raw("\\r")
        case 9: raw("\\t")
        case 0..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029:
            // C0/C1 controls and line separators escaped: a terminal never sees them raw.
            raw("\\u")
            let v = Int(u.value)
            bytes.append(Self.hex[(v >> 12) & 15]); bytes.append(Self.hex[(v >> 8) & 15])
            bytes.append(Self.hex[(v >> 4) & 15]); bytes.append(Self.hex[v & 15])
        default:
            bytes.append(contentsOf: String(u).utf8)
        }
    }

    static let b64: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding, quoted.
    mutating func base64<C: Collection>(_ data: C) where C.Element == UInt8 {
        byte(34)
        var it = data.makeIterator()
        while let a = it.next() {
            let b = it.next(), c = it.next()
            bytes.append(Self.b64[Int(a >> 2)])
            bytes.append(Self.b64[Int((a & 3) << 4 | (b ?? 0) >> 4)])
            if let b { bytes.append(Self.b64[Int((b & 15) << 2 | (c ?? 0) >> 6)]) } else { byte(61) }
            if let c { bytes.append(Self.b64[Int(c & 63)]) } else { byte(61) }
        }
        byte(34)
    }
}
