/// Well-formed UTF-8 one sequence at a time (Unicode table 3-7: no overlong forms, surrogates or
/// values past U+10FFFF), for the byte scanners that read and write JSON lines.
enum UTF8Sequence {
    /// The length of the well-formed multi-byte sequence at `p[i]` (a byte >= 0x80), or nil.
    @inline(__always)
    static func validLength(_ p: UnsafePointer<UInt8>, at i: Int, count: Int) -> Int? {
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch p[i] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard count - i >= length else { return nil }
        let b1 = p[i + 1]
        guard b1 >= low && b1 <= high else { return nil }
        for k in 2..<length where p[i + k] & 0xC0 != 0x80 { return nil }
        return length
    }

    /// The scalar of a sequence `validLength` accepted.
    @inline(__always)
    static func scalar(_ p: UnsafePointer<UInt8>, at i: Int, length: Int) -> UInt32 {
        var scalar = UInt32(p[i]) & (0xFF >> (length + 1))
        for k in 1..<length { scalar = scalar << 6 | UInt32(p[i + k] & 0x3F) }
        return scalar
    }
}
