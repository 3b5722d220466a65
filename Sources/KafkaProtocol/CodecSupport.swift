import KafkaWire

// Helpers the generated codecs call; `flexible` picks the compact (UVARINT) encodings.

@inline(__always)
func requireNonNull<T>(_ value: T?, _ message: String, _ field: String, _ version: Int16) throws -> T {
    guard let value else { throw KafkaCodecError.nullNotAllowed(message: message, field: field, version: version) }
    return value
}

extension WireReader {
    @inline(__always)
    mutating func readString(flexible: Bool) throws -> String {
        flexible ? try readCompactString() : try readString()
    }

    @inline(__always)
    mutating func readNullableString(flexible: Bool) throws -> String? {
        flexible ? try readCompactNullableString() : try readNullableString()
    }

    @inline(__always)
    mutating func readBytesField(flexible: Bool) throws -> [UInt8] {
        flexible ? try readCompactBytes() : try readBytesField()
    }

    @inline(__always)
    mutating func readNullableBytes(flexible: Bool) throws -> [UInt8]? {
        flexible ? try readCompactNullableBytes() : try readNullableBytes()
    }

    @inline(__always)
    mutating func readArray<T>(flexible: Bool, minElementSize: Int, _ element: (inout WireReader) throws -> T) throws -> [T] {
        let n = flexible
            ? try readNonNullCompactArrayCount(minElementSize: minElementSize)
            : try readNonNullArrayCount(minElementSize: minElementSize)
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    @inline(__always)
    mutating func readNullableArray<T>(flexible: Bool, minElementSize: Int, _ element: (inout WireReader) throws -> T) throws -> [T]? {
        let count = flexible
            ? try readCompactArrayCount(minElementSize: minElementSize)
            : try readArrayCount(minElementSize: minElementSize)
        guard let n = count else { return nil }
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }

    /// Nullable struct: INT8 -1 = null, else the struct follows.
    @inline(__always)
    mutating func readNullableStruct<T>(_ body: (inout WireReader) throws -> T) throws -> T? {
        let marker = try readInt8()
        if marker < 0 { return nil }
        return try body(&self)
    }

    /// Number of entries in a tag section; each needs at least 2 bytes (tag + size).
    @inline(__always)
    mutating func readTagCount() throws -> Int {
        let n = try readUnsignedVarint()
        if n == 0 { return 0 }
        guard Int(n) <= remaining / 2 else {
            throw WireError.lengthTooLarge(length: Int64(n), available: remaining)
        }
        return Int(n)
    }

    /// A tag section for a struct with no known tagged fields.
    @inline(__always)
    mutating func readUnknownTaggedFields() throws -> [UnknownTaggedField] {
        let n = try readTagCount()
        if n == 0 { return [] }
        var out: [UnknownTaggedField] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            let tag = try readUnsignedVarint()
            let size = try readUnsignedVarint()
            out.append(UnknownTaggedField(tag: tag, data: try readBytes(count: Int(size))))
        }
        return out
    }
}

extension WireWriter {
    @inline(__always)
    mutating func writeString(_ v: String, flexible: Bool) throws {
        if flexible { try writeCompactString(v) } else { try writeString(v) }
    }

    @inline(__always)
    mutating func writeNullableString(_ v: String?, flexible: Bool) throws {
        if flexible { try writeCompactNullableString(v) } else { try writeNullableString(v) }
    }

    @inline(__always)
    mutating func writeBytesField(_ v: [UInt8], flexible: Bool) throws {
        if flexible { try writeCompactBytes(v) } else { try writeBytesField(v) }
    }

    @inline(__always)
    mutating func writeNullableBytes(_ v: [UInt8]?, flexible: Bool) throws {
        if flexible { try writeCompactNullableBytes(v) } else { try writeNullableBytes(v) }
    }

    @inline(__always)
    mutating func writeArray<T>(_ v: [T], flexible: Bool, _ element: (T, inout WireWriter) throws -> Void) throws {
        if flexible { try writeCompactArrayCount(v.count) } else { try writeArrayCount(v.count) }
        for e in v { try element(e, &self) }
    }

    @inline(__always)
    mutating func writeNullableArray<T>(_ v: [T]?, flexible: Bool, _ element: (T, inout WireWriter) throws -> Void) throws {
        guard let v else {
            if flexible { try writeCompactArrayCount(nil) } else { try writeArrayCount(nil) }
            return
        }
        try writeArray(v, flexible: flexible, element)
    }

    @inline(__always)
    mutating func writeNullableStruct<T>(_ v: T?, _ body: (T, inout WireWriter) throws -> Void) throws {
        guard let v else { writeInt8(-1); return }
        writeInt8(1)
        try body(v, &self)
    }

    /// A tag section: count, then (tag, size, data) in ascending tag order.
    mutating func writeTaggedFields(_ fields: [UnknownTaggedField]) throws {
        writeUnsignedVarint(UInt32(fields.count))
        if fields.isEmpty { return }
        var sorted = fields
        if !zip(fields, fields.dropFirst()).allSatisfy({ $0.tag < $1.tag }) {
            sorted.sort { $0.tag < $1.tag }
        }
        for f in sorted {
            guard f.data.count < Int(Int32.max) else { throw WireError.valueTooLarge(f.data.count) }
            writeUnsignedVarint(f.tag)
            writeUnsignedVarint(UInt32(f.data.count))
            writeBytes(f.data)
        }
    }
}
