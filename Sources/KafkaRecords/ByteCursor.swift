// A bounds-checked reader over raw memory for the record hot path (no ARC, no slicing).

/// Thrown by the cursor; the batch decoder turns it into a RecordDecodeError with context.
struct CursorError: Error {
    let reason: StaticString
}

struct ByteCursor {
    let base: UnsafePointer<UInt8>
    var pos: Int
    let end: Int

    init(base: UnsafePointer<UInt8>, pos: Int, end: Int) {
        self.base = base
        self.pos = pos
        self.end = end
    }

    var remaining: Int { end - pos }

    @inline(__always)
    mutating func u8() throws(CursorError) -> UInt8 {
        guard pos < end else { throw CursorError(reason: "unexpected end of data") }
        let b = base[pos]
        pos += 1
        return b
    }

    @inline(__always)
    mutating func int16() throws(CursorError) -> Int16 {
        guard end - pos >= 2 else { throw CursorError(reason: "unexpected end of data") }
        let v = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt16.self)
        pos += 2
        return Int16(bitPattern: UInt16(bigEndian: v))
    }

    @inline(__always)
    mutating func int32() throws(CursorError) -> Int32 {
        guard end - pos >= 4 else { throw CursorError(reason: "unexpected end of data") }
        let v = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt32.self)
        pos += 4
        return Int32(bitPattern: UInt32(bigEndian: v))
    }

    @inline(__always)
    mutating func int64() throws(CursorError) -> Int64 {
        guard end - pos >= 8 else { throw CursorError(reason: "unexpected end of data") }
        let v = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
        pos += 8
        return Int64(bitPattern: UInt64(bigEndian: v))
    }

    /// Zigzag varint (Kafka: at most 5 bytes; bits past 32 are dropped as the Java reader does).
    @inline(__always)
    mutating func varint() throws(CursorError) -> Int32 {
        guard pos < end else { throw CursorError(reason: "unexpected end of data") }
        let first = base[pos]
        if first < 0x80 {
            pos += 1
            let r = UInt32(first)
            return Int32(bitPattern: (r >> 1) ^ (0 &- (r & 1)))
        }
        // Two-byte values (64...8191 after zigzag) are common: lengths of 64-byte to 8 KiB fields.
        if end - pos >= 2 {
            let second = base[pos + 1]
            if second < 0x80 {
                pos += 2
                let r = UInt32(first & 0x7F) | UInt32(second) << 7
                return Int32(bitPattern: (r >> 1) ^ (0 &- (r & 1)))
            }
        }
        return try varintSlow()
    }

    @inline(never)
    mutating func varintSlow() throws(CursorError) -> Int32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            guard pos < end else { throw CursorError(reason: "unexpected end of data") }
            let b = base[pos]
            pos += 1
            result |= UInt32(b & 0x7F) &<< shift
            if b & 0x80 == 0 { break }
            shift += 7
            if shift > 28 { throw CursorError(reason: "varint longer than 5 bytes") }
        }
        return Int32(bitPattern: (result >> 1) ^ (0 &- (result & 1)))
    }

    /// Zigzag varlong (at most 10 bytes).
    @inline(__always)
    mutating func varlong() throws(CursorError) -> Int64 {
        guard pos < end else { throw CursorError(reason: "unexpected end of data") }
        let first = base[pos]
        if first < 0x80 {
            pos += 1
            let r = UInt64(first)
            return Int64(bitPattern: (r >> 1) ^ (0 &- (r & 1)))
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < end else { throw CursorError(reason: "unexpected end of data") }
            let b = base[pos]
            pos += 1
            result |= UInt64(b & 0x7F) &<< shift
            if b & 0x80 == 0 { break }
            shift += 7
            if shift > 63 { throw CursorError(reason: "varlong longer than 10 bytes") }
        }
        return Int64(bitPattern: (result >> 1) ^ (0 &- (result & 1)))
    }

    @inline(__always)
    mutating func skip(_ n: Int) throws(CursorError) {
        guard n >= 0, end - pos >= n else { throw CursorError(reason: "length runs past the end of the data") }
        pos += n
    }
}

/// Appends Kafka varints and big-endian integers (encoder side; not performance critical).
struct ByteSink {
    var bytes: [UInt8] = []

    mutating func int8(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }
    mutating func int16(_ v: Int16) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func int32(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func uint32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func int64(_ v: Int64) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }

    mutating func varint(_ v: Int32) {
        var u = UInt32(bitPattern: (v << 1) ^ (v >> 31))
        while u >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        bytes.append(UInt8(u))
    }

    mutating func varlong(_ v: Int64) {
        var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while u >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
            u >>= 7
        }
        bytes.append(UInt8(u))
    }

    static func varintSize(_ v: Int32) -> Int {
        var u = UInt32(bitPattern: (v << 1) ^ (v >> 31))
        var n = 1
        while u >= 0x80 { u >>= 7; n += 1 }
        return n
    }
}
