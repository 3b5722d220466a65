/// Appends Kafka wire encodings (big-endian) to a byte array.
public struct WireWriter: Sendable {
    public var bytes: [UInt8]

    @inlinable
    public init(capacity: Int = 0) {
        bytes = []
        if capacity > 0 { bytes.reserveCapacity(capacity) }
    }

    @inlinable public var count: Int { bytes.count }

    @inlinable @inline(__always)
    mutating func storeBE<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func writeInt8(_ v: Int8) { bytes.append(UInt8(bitPattern: v)) }
    @inlinable public mutating func writeUInt8(_ v: UInt8) { bytes.append(v) }
    @inlinable public mutating func writeInt16(_ v: Int16) { storeBE(v) }
    @inlinable public mutating func writeUInt16(_ v: UInt16) { storeBE(v) }
    @inlinable public mutating func writeInt32(_ v: Int32) { storeBE(v) }
    @inlinable public mutating func writeUInt32(_ v: UInt32) { storeBE(v) }
    @inlinable public mutating func writeInt64(_ v: Int64) { storeBE(v) }
    @inlinable public mutating func writeUInt64(_ v: UInt64) { storeBE(v) }
    @inlinable public mutating func writeFloat64(_ v: Double) { storeBE(v.bitPattern) }
    @inlinable public mutating func writeBool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    @inlinable public mutating func writeUUID(_ v: KafkaUUID) {
        storeBE(v.high)
        storeBE(v.low)
    }

    /// Overwrites 4 bytes at `offset` (for size prefixes written after the body).
    @inlinable public mutating func setInt32(_ v: Int32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= bytes.count, "setInt32 outside the written bytes")
        let u = UInt32(bitPattern: v)
        bytes[offset] = UInt8(truncatingIfNeeded: u >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: u >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: u >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: u)
    }

    @inlinable public mutating func writeUnsignedVarint(_ v: UInt32) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inlinable public mutating func writeUnsignedVarlong(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inlinable public mutating func writeVarint(_ v: Int32) {
        writeUnsignedVarint(UInt32(bitPattern: (v << 1) ^ (v >> 31)))
    }

    @inlinable public mutating func writeVarlong(_ v: Int64) {
        writeUnsignedVarlong(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    /// Raw bytes, no length prefix.
    @inlinable public mutating func writeBytes(_ v: some Sequence<UInt8>) { bytes.append(contentsOf: v) }

    // MARK: strings

    /// INT16 length + UTF-8. Throws if longer than 32767 bytes.
    @inlinable public mutating func writeString(_ v: String) throws {
        let n = v.utf8.count
        guard n <= Int(Int16.max) else { throw WireError.valueTooLarge(n) }
        writeInt16(Int16(n))
        bytes.append(contentsOf: v.utf8)
    }

    @inlinable public mutating func writeNullableString(_ v: String?) throws {
        guard let v else { writeInt16(-1); return }
        try writeString(v)
    }

    /// UVARINT(length + 1) + UTF-8.
    @inlinable public mutating func writeCompactString(_ v: String) throws {
        let n = v.utf8.count
        guard n < Int(Int32.max) else { throw WireError.valueTooLarge(n) }
        writeUnsignedVarint(UInt32(n + 1))
        bytes.append(contentsOf: v.utf8)
    }

    @inlinable public mutating func writeCompactNullableString(_ v: String?) throws {
        guard let v else { writeUnsignedVarint(0); return }
        try writeCompactString(v)
    }

    // MARK: bytes

    /// INT32 length + bytes.
    @inlinable public mutating func writeBytesField(_ v: [UInt8]) throws {
        guard v.count <= Int(Int32.max) else { throw WireError.valueTooLarge(v.count) }
        writeInt32(Int32(v.count))
        bytes.append(contentsOf: v)
    }

    @inlinable public mutating func writeNullableBytes(_ v: [UInt8]?) throws {
        guard let v else { writeInt32(-1); return }
        try writeBytesField(v)
    }

    @inlinable public mutating func writeCompactBytes(_ v: [UInt8]) throws {
        guard v.count < Int(Int32.max) else { throw WireError.valueTooLarge(v.count) }
        writeUnsignedVarint(UInt32(v.count + 1))
        bytes.append(contentsOf: v)
    }

    @inlinable public mutating func writeCompactNullableBytes(_ v: [UInt8]?) throws {
        guard let v else { writeUnsignedVarint(0); return }
        try writeCompactBytes(v)
    }

    // MARK: arrays

    /// INT32 element count, nil = null (-1).
    @inlinable public mutating func writeArrayCount(_ count: Int?) throws {
        guard let count else { writeInt32(-1); return }
        guard count <= Int(Int32.max) else { throw WireError.valueTooLarge(count) }
        writeInt32(Int32(count))
    }

    /// UVARINT(count + 1), nil = null (0).
    @inlinable public mutating func writeCompactArrayCount(_ count: Int?) throws {
        guard let count else { writeUnsignedVarint(0); return }
        guard count < Int(Int32.max) else { throw WireError.valueTooLarge(count) }
        writeUnsignedVarint(UInt32(count + 1))
    }
}
