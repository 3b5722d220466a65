/// The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the payload.
/// Protobuf payloads start with the message-index path (zig-zag varints: a count, then the
/// indexes; a count of 0 stands for the path [0], the first message of the file).
public struct ConfluentFrame: Sendable, Hashable {
    public var schemaID: Int32
    /// Offset of the payload (after the schema id) in the record bytes.
    public var payloadOffset: Int

    /// nil when the bytes cannot be Confluent-framed (too short, or a first byte other than 0).
    public static func detect(_ bytes: [UInt8]) -> ConfluentFrame? {
        guard bytes.count >= 5, bytes[0] == 0 else { return nil }
        let id = Int32(bitPattern: UInt32(bytes[1]) << 24 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 8 | UInt32(bytes[4]))
        return ConfluentFrame(schemaID: id, payloadOffset: 5)
    }

    /// Reads the Protobuf message-index path at `offset`; returns the path and the offset after it.
    public static func messageIndexes(_ bytes: [UInt8], at offset: Int) throws -> (path: [Int], next: Int) {
        var cursor = ByteReader(bytes, from: offset)
        let count = try cursor.zigzagLong()
        if count == 0 { return ([0], cursor.position) }
        guard count > 0, count <= 64 else {
            throw DecodeError("bad Protobuf message-index count \(count) after the schema id")
        }
        var path: [Int] = []
        for _ in 0..<count {
            let i = try cursor.zigzagLong()
            guard i >= 0, i < 100_000 else { throw DecodeError("bad Protobuf message index \(i)") }
            path.append(Int(i))
        }
        return (path, cursor.position)
    }
}

/// A bounds-checked reader over record bytes (varints, zig-zag, fixed-width little-endian).
struct ByteReader {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], from: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = from
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - position }
    var atEnd: Bool { position >= end }

    @inline(__always) mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw DecodeError("truncated varint at byte \(position)") }
            let b = bytes[position]
            position += 1
            if shift == 63 && b > 1 { throw DecodeError("varint longer than 64 bits at byte \(position - 1)") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw DecodeError("varint longer than 10 bytes at byte \(position - 1)") }
        }
    }

    @inline(__always) mutating func zigzagLong() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    @inline(__always) mutating func fixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw DecodeError("truncated 4-byte value at byte \(position)") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    @inline(__always) mutating func fixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw DecodeError("truncated 8-byte value at byte \(position)") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// A range of `count` bytes, checked against what is left.
    @inline(__always) mutating func take(_ count: Int, what: StaticString = "bytes") throws -> Range<Int> {
        guard count >= 0, count <= end - position else {
            throw DecodeError("\(what) of length \(count) runs past the end (byte \(position), \(end - position) left)")
        }
        defer { position += count }
        return position..<(position + count)
    }
}
