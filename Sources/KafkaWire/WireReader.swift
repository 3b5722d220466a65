/// A bounds-checked cursor over Kafka wire bytes (big-endian). Every read throws `WireError`
/// on short or malformed input; nothing here can trap on hostile bytes.
public struct WireReader: Sendable {
    @usableFromInline let storage: [UInt8]
    @usableFromInline var position: Int
    @usableFromInline let end: Int

    @inlinable
    public init(_ bytes: [UInt8]) {
        storage = bytes
        position = 0
        end = bytes.count
    }

    public init(_ bytes: ArraySlice<UInt8>) {
        self.init(Array(bytes))
    }

    @usableFromInline
    init(storage: [UInt8], position: Int, end: Int) {
        self.storage = storage
        self.position = position
        self.end = end
    }

    /// Bytes not yet read.
    @inlinable public var remaining: Int { end - position }
    @inlinable public var isAtEnd: Bool { position >= end }
    /// How many bytes have been consumed since the start of this reader's window.
    @inlinable public var offset: Int { position }

    @inlinable @inline(__always)
    mutating func need(_ n: Int) throws {
        if _slowPath(n > end &- position) {
            throw WireError.truncated(needed: n, available: end &- position)
        }
    }

    @inlinable @inline(__always)
    mutating func loadBE<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        try need(size)
        let p = position
        position = p &+ size
        return storage.withUnsafeBytes { T(bigEndian: $0.loadUnaligned(fromByteOffset: p, as: T.self)) }
    }

    @inlinable public mutating func readInt8() throws -> Int8 { try loadBE(Int8.self) }
    @inlinable public mutating func readUInt8() throws -> UInt8 { try loadBE(UInt8.self) }
    @inlinable public mutating func readInt16() throws -> Int16 { try loadBE(Int16.self) }
    @inlinable public mutating func readUInt16() throws -> UInt16 { try loadBE(UInt16.self) }
    @inlinable public mutating func readInt32() throws -> Int32 { try loadBE(Int32.self) }
    @inlinable public mutating func readUInt32() throws -> UInt32 { try loadBE(UInt32.self) }
    @inlinable public mutating func readInt64() throws -> Int64 { try loadBE(Int64.self) }
    @inlinable public mutating func readUInt64() throws -> UInt64 { try loadBE(UInt64.self) }

    @inlinable public mutating func readFloat64() throws -> Double {
        Double(bitPattern: try loadBE(UInt64.self))
    }

    /// Any non-zero byte is true, as in Kafka's Java reader.
    @inlinable public mutating func readBool() throws -> Bool { try loadBE(UInt8.self) != 0 }

    @inlinable public mutating func readUUID() throws -> KafkaUUID {
        let h = try loadBE(UInt64.self)
        let l = try loadBE(UInt64.self)
        return KafkaUUID(high: h, low: l)
    }

    /// Protobuf-style unsigned varint, at most 5 bytes, must fit in 32 bits.
    @inlinable public mutating func readUnsignedVarint() throws -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let b = try loadBE(UInt8.self)
            if shift == 28 {
                // Fifth byte: only 4 payload bits left and no continuation allowed.
                guard b & 0xF0 == 0 else { throw WireError.invalidVarint }
                return result | UInt32(b) << 28
            }
            result |= UInt32(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Unsigned varint of up to 10 bytes (64 bits).
    @inlinable public mutating func readUnsignedVarlong() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try loadBE(UInt8.self)
            if shift == 63 {
                guard b & 0xFE == 0 else { throw WireError.invalidVarint }
                return result | UInt64(b) << 63
            }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Zigzag-encoded signed varint (records format).
    @inlinable public mutating func readVarint() throws -> Int32 {
        let u = try readUnsignedVarint()
        return Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// Zigzag-encoded signed varlong (records format).
    @inlinable public mutating func readVarlong() throws -> Int64 {
        let u = try readUnsignedVarlong()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// Reads exactly `count` raw bytes.
    @inlinable public mutating func readBytes(count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw WireError.negativeLength(Int64(count)) }
        try need(count)
        let p = position
        position = p &+ count
        return Array(storage[p..<(p &+ count)])
    }

    @inlinable public mutating func skip(count: Int) throws {
        guard count >= 0 else { throw WireError.negativeLength(Int64(count)) }
        try need(count)
        position &+= count
    }

    /// A reader over the next `count` bytes (shares storage, no copy); advances this reader past them.
    @inlinable public mutating func subReader(count: Int) throws -> WireReader {
        guard count >= 0 else { throw WireError.negativeLength(Int64(count)) }
        try need(count)
        let sub = WireReader(storage: storage, position: position, end: position &+ count)
        position &+= count
        return sub
    }

    /// The unread bytes, without consuming them.
    public var remainingBytes: [UInt8] { Array(storage[position..<end]) }

    // MARK: strings

    @inlinable @inline(__always)
    mutating func readUTF8(count: Int) throws -> String {
        try need(count)
        let p = position
        position = p &+ count
        if count == 0 { return "" }
        let s: String? = storage.withUnsafeBufferPointer { buf in
            String(validating: UnsafeBufferPointer(rebasing: buf[p..<(p &+ count)]), as: UTF8.self)
        }
        guard let s else { throw WireError.invalidUTF8 }
        return s
    }

    @inlinable @inline(__always)
    mutating func int16Length(nullable: Bool) throws -> Int? {
        let n = try readInt16()
        if n < 0 {
            if n == -1 && nullable { return nil }
            throw n == -1 ? WireError.unexpectedNull : WireError.negativeLength(Int64(n))
        }
        return Int(n)
    }

    @inlinable @inline(__always)
    mutating func int32Length(nullable: Bool) throws -> Int? {
        let n = try readInt32()
        if n < 0 {
            if n == -1 && nullable { return nil }
            throw n == -1 ? WireError.unexpectedNull : WireError.negativeLength(Int64(n))
        }
        if _slowPath(Int(n) > remaining) {
            throw WireError.lengthTooLarge(length: Int64(n), available: remaining)
        }
        return Int(n)
    }

    /// UVARINT(length + 1), 0 = null.
    @inlinable @inline(__always)
    mutating func compactLength(nullable: Bool) throws -> Int? {
        let n = try readUnsignedVarint()
        if n == 0 {
            if nullable { return nil }
            throw WireError.unexpectedNull
        }
        let len = Int(n) - 1
        if _slowPath(len > remaining) {
            throw WireError.lengthTooLarge(length: Int64(len), available: remaining)
        }
        return len
    }

    /// INT16 length, then UTF-8; -1 (null) is rejected.
    @inlinable public mutating func readString() throws -> String {
        try readUTF8(count: try int16Length(nullable: false)!)
    }

    /// INT16 length (-1 = null), then UTF-8.
    @inlinable public mutating func readNullableString() throws -> String? {
        guard let n = try int16Length(nullable: true) else { return nil }
        return try readUTF8(count: n)
    }

    /// UVARINT(length + 1), then UTF-8; 0 (null) is rejected.
    @inlinable public mutating func readCompactString() throws -> String {
        try readUTF8(count: try compactLength(nullable: false)!)
    }

    @inlinable public mutating func readCompactNullableString() throws -> String? {
        guard let n = try compactLength(nullable: true) else { return nil }
        return try readUTF8(count: n)
    }

    // MARK: bytes

    /// INT32 length, then bytes; -1 (null) is rejected.
    @inlinable public mutating func readBytesField() throws -> [UInt8] {
        try readBytes(count: try int32Length(nullable: false)!)
    }

    @inlinable public mutating func readNullableBytes() throws -> [UInt8]? {
        guard let n = try int32Length(nullable: true) else { return nil }
        return try readBytes(count: n)
    }

    @inlinable public mutating func readCompactBytes() throws -> [UInt8] {
        try readBytes(count: try compactLength(nullable: false)!)
    }

    @inlinable public mutating func readCompactNullableBytes() throws -> [UInt8]? {
        guard let n = try compactLength(nullable: true) else { return nil }
        return try readBytes(count: n)
    }

    // MARK: arrays

    /// INT32 element count (-1 = null). Counts that `remaining` bytes could not hold at
    /// `minElementSize` bytes each (at least 1) are rejected before anything is allocated.
    @inlinable public mutating func readArrayCount(minElementSize: Int = 1) throws -> Int? {
        let n = try readInt32()
        if n < 0 {
            if n == -1 { return nil }
            throw WireError.negativeLength(Int64(n))
        }
        try checkCount(Int(n), minElementSize: minElementSize)
        return Int(n)
    }

    /// Like `readArrayCount` but null is an error.
    @inlinable public mutating func readNonNullArrayCount(minElementSize: Int = 1) throws -> Int {
        guard let n = try readArrayCount(minElementSize: minElementSize) else { throw WireError.unexpectedNull }
        return n
    }

    /// UVARINT(count + 1), 0 = null; same capacity check as `readArrayCount`.
    @inlinable public mutating func readCompactArrayCount(minElementSize: Int = 1) throws -> Int? {
        let n = try readUnsignedVarint()
        if n == 0 { return nil }
        let count = Int(n) - 1
        try checkCount(count, minElementSize: minElementSize)
        return count
    }

    @inlinable public mutating func readNonNullCompactArrayCount(minElementSize: Int = 1) throws -> Int {
        guard let n = try readCompactArrayCount(minElementSize: minElementSize) else { throw WireError.unexpectedNull }
        return n
    }

    @inlinable @inline(__always)
    func checkCount(_ count: Int, minElementSize: Int) throws {
        let size = max(1, minElementSize)
        if _slowPath(count > remaining / size) {
            throw WireError.lengthTooLarge(length: Int64(count), available: remaining)
        }
    }
}
