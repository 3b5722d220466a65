import Testing
@testable import KafkaWire

@Suite struct PrimitiveTests {
    @Test func fixedWidthIntegersRoundTripBigEndian() throws {
        var w = WireWriter()
        w.writeInt8(-128); w.writeInt8(127)
        w.writeInt16(Int16.min); w.writeInt16(0x0102)
        w.writeUInt16(0xFFFE)
        w.writeInt32(Int32.min); w.writeInt32(0x01020304)
        w.writeUInt32(0xDEADBEEF)
        w.writeInt64(Int64.min); w.writeInt64(0x0102030405060708)
        w.writeFloat64(-1.5); w.writeFloat64(.infinity)
        w.writeBool(true); w.writeBool(false)
        #expect(w.bytes[0...1] == [0x80, 0x7F])
        #expect(w.bytes[4...5] == [0x01, 0x02])
        #expect(Array(w.bytes[12...15]) == [0x01, 0x02, 0x03, 0x04])

        var r = WireReader(w.bytes)
        #expect(try r.readInt8() == -128)
        #expect(try r.readInt8() == 127)
        #expect(try r.readInt16() == Int16.min)
        #expect(try r.readInt16() == 0x0102)
        #expect(try r.readUInt16() == 0xFFFE)
        #expect(try r.readInt32() == Int32.min)
        #expect(try r.readInt32() == 0x01020304)
        #expect(try r.readUInt32() == 0xDEADBEEF)
        #expect(try r.readInt64() == Int64.min)
        #expect(try r.readInt64() == 0x0102030405060708)
        #expect(try r.readFloat64() == -1.5)
        #expect(try r.readFloat64() == .infinity)
        #expect(try r.readBool() == true)
        #expect(try r.readBool() == false)
        #expect(r.isAtEnd)
        #expect(r.remaining == 0)
    }

    @Test func boolTreatsAnyNonZeroAsTrue() throws {
        var r = WireReader([0x02, 0xFF, 0x00])
        #expect(try r.readBool())
        #expect(try r.readBool())
        #expect(try !r.readBool())
    }

    @Test func truncatedReadsThrowWithCounts() {
        var r = WireReader([0x00, 0x01, 0x02])
        #expect(throws: WireError.truncated(needed: 4, available: 3)) { try r.readInt32() }
        // A failed read consumes nothing.
        #expect(r.remaining == 3)
        var e = WireReader([])
        #expect(throws: WireError.truncated(needed: 1, available: 0)) { try e.readInt8() }
        #expect(throws: WireError.truncated(needed: 8, available: 0)) { try e.readInt64() }
        #expect(throws: WireError.truncated(needed: 8, available: 0)) { try e.readUUID() }
    }

    @Test func readerFromSliceStartsAtSliceStart() throws {
        let bytes: [UInt8] = [9, 9, 0, 0, 0, 7, 9]
        var r = WireReader(bytes[2..<6])
        #expect(r.remaining == 4)
        #expect(try r.readInt32() == 7)
        #expect(r.isAtEnd)
    }

    @Test func skipAndSubReader() throws {
        var r = WireReader([1, 2, 3, 4, 5, 6])
        try r.skip(count: 1)
        var sub = try r.subReader(count: 2)
        #expect(sub.remaining == 2)
        #expect(try sub.readInt16() == 0x0203)
        #expect(throws: WireError.self) { try sub.readInt8() }
        #expect(r.remaining == 3)
        #expect(throws: WireError.self) { try r.skip(count: 4) }
        #expect(throws: WireError.negativeLength(-1)) { try r.skip(count: -1) }
        #expect(throws: WireError.self) { try r.subReader(count: 4) }
        #expect(try r.readBytes(count: 3) == [4, 5, 6])
        #expect(try r.readBytes(count: 0) == [])
    }

    @Test func setInt32PatchesSizePrefix() {
        var w = WireWriter()
        w.writeInt32(0)
        w.writeBytes([1, 2, 3])
        w.setInt32(3, at: 0)
        #expect(w.bytes == [0, 0, 0, 3, 1, 2, 3])
    }
}

@Suite struct VarintTests {
    func encodeUnsigned(_ v: UInt32) -> [UInt8] {
        var w = WireWriter()
        w.writeUnsignedVarint(v)
        return w.bytes
    }

    @Test func unsignedVarintKnownEncodings() throws {
        #expect(encodeUnsigned(0) == [0x00])
        #expect(encodeUnsigned(1) == [0x01])
        #expect(encodeUnsigned(127) == [0x7F])
        #expect(encodeUnsigned(128) == [0x80, 0x01])
        #expect(encodeUnsigned(300) == [0xAC, 0x02])
        #expect(encodeUnsigned(16383) == [0xFF, 0x7F])
        #expect(encodeUnsigned(16384) == [0x80, 0x80, 0x01])
        #expect(encodeUnsigned(UInt32.max) == [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        for v: UInt32 in [0, 1, 127, 128, 255, 256, 16383, 16384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, UInt32.max] {
            var r = WireReader(encodeUnsigned(v))
            #expect(try r.readUnsignedVarint() == v)
            #expect(r.isAtEnd)
        }
    }

    @Test func zigzagVarintAndVarlong() throws {
        let cases: [(Int32, [UInt8])] = [(0, [0]), (-1, [1]), (1, [2]), (-2, [3]), (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01])]
        for (v, bytes) in cases {
            var w = WireWriter()
            w.writeVarint(v)
            #expect(w.bytes == bytes)
            var r = WireReader(bytes)
            #expect(try r.readVarint() == v)
        }
        for v: Int32 in [Int32.min, Int32.max, -300, 300] {
            var w = WireWriter()
            w.writeVarint(v)
            var r = WireReader(w.bytes)
            #expect(try r.readVarint() == v)
        }
        for v: Int64 in [0, -1, 1, Int64.min, Int64.max, 1 << 40, -(1 << 40)] {
            var w = WireWriter()
            w.writeVarlong(v)
            #expect(w.bytes.count <= 10)
            var r = WireReader(w.bytes)
            #expect(try r.readVarlong() == v)
            #expect(r.isAtEnd)
        }
        var w = WireWriter()
        w.writeVarlong(Int64.min)
        #expect(w.bytes == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    @Test func overlongVarintsAreRejected() {
        // Six bytes, or a fifth byte with bits beyond 32.
        var r1 = WireReader([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
        #expect(throws: WireError.invalidVarint) { try r1.readUnsignedVarint() }
        var r2 = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0x10])
        #expect(throws: WireError.invalidVarint) { try r2.readUnsignedVarint() }
        var r3 = WireReader([UInt8](repeating: 0xFF, count: 10) + [0x01])
        #expect(throws: WireError.invalidVarint) { try r3.readUnsignedVarlong() }
        var r4 = WireReader([UInt8](repeating: 0x80, count: 9) + [0x02])
        #expect(throws: WireError.invalidVarint) { try r4.readVarlong() }
    }

    @Test func truncatedVarintsThrow() {
        var r = WireReader([0x80, 0x80])
        #expect(throws: WireError.truncated(needed: 1, available: 0)) { try r.readUnsignedVarint() }
        var e = WireReader([])
        #expect(throws: WireError.self) { try e.readVarlong() }
    }
}

@Suite struct LengthPrefixedTests {
    @Test func stringsAllEncodings() throws {
        var w = WireWriter()
        try w.writeString("kui")
        try w.writeNullableString(nil)
        try w.writeNullableString("")
        try w.writeCompactString("héllo")
        try w.writeCompactNullableString(nil)
        try w.writeCompactNullableString("x")
        #expect(Array(w.bytes[0..<5]) == [0x00, 0x03, 0x6B, 0x75, 0x69])
        #expect(Array(w.bytes[5..<9]) == [0xFF, 0xFF, 0x00, 0x00])
        #expect(w.bytes[9] == 7) // "héllo" is 6 UTF-8 bytes, compact length + 1
        var r = WireReader(w.bytes)
        #expect(try r.readString() == "kui")
        #expect(try r.readNullableString() == nil)
        #expect(try r.readNullableString() == "")
        #expect(try r.readCompactString() == "héllo")
        #expect(try r.readCompactNullableString() == nil)
        #expect(try r.readCompactNullableString() == "x")
        #expect(r.isAtEnd)
    }

    @Test func nullWhereNotNullableThrows() {
        var r = WireReader([0xFF, 0xFF])
        #expect(throws: WireError.unexpectedNull) { try r.readString() }
        var c = WireReader([0x00])
        #expect(throws: WireError.unexpectedNull) { try c.readCompactString() }
        var b = WireReader([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: WireError.unexpectedNull) { try b.readBytesField() }
        var cb = WireReader([0x00])
        #expect(throws: WireError.unexpectedNull) { try cb.readCompactBytes() }
    }

    @Test func hostileLengthsThrow() {
        var neg = WireReader([0xFF, 0xFE, 0x41])
        #expect(throws: WireError.negativeLength(-2)) { try neg.readNullableString() }
        var long = WireReader([0x7F, 0xFF, 0x41])
        #expect(throws: WireError.truncated(needed: 32767, available: 1)) { try long.readString() }
        var huge = WireReader([0x7F, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: WireError.lengthTooLarge(length: Int64(Int32.max), available: 1)) { try huge.readBytesField() }
        var negBytes = WireReader([0x80, 0x00, 0x00, 0x00])
        #expect(throws: WireError.negativeLength(Int64(Int32.min))) { try negBytes.readNullableBytes() }
        var compactHuge = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x41])
        #expect(throws: WireError.self) { try compactHuge.readCompactNullableBytes() }
        var compactStr = WireReader([0x10, 0x41])
        #expect(throws: WireError.lengthTooLarge(length: 15, available: 1)) { try compactStr.readCompactString() }
    }

    @Test func invalidUTF8IsRejected() {
        var r = WireReader([0x00, 0x02, 0xC3, 0x28])
        #expect(throws: WireError.invalidUTF8) { try r.readString() }
        var c = WireReader([0x02, 0xFF])
        #expect(throws: WireError.invalidUTF8) { try c.readCompactNullableString() }
    }

    @Test func bytesAllEncodings() throws {
        var w = WireWriter()
        try w.writeBytesField([1, 2])
        try w.writeNullableBytes(nil)
        try w.writeCompactBytes([])
        try w.writeCompactNullableBytes(nil)
        try w.writeCompactNullableBytes([9])
        #expect(w.bytes == [0, 0, 0, 2, 1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x02, 0x09])
        var r = WireReader(w.bytes)
        #expect(try r.readBytesField() == [1, 2])
        #expect(try r.readNullableBytes() == nil)
        #expect(try r.readCompactBytes() == [])
        #expect(try r.readCompactNullableBytes() == nil)
        #expect(try r.readCompactNullableBytes() == [9])
    }

    @Test func stringTooLongForInt16Throws() {
        var w = WireWriter()
        let s = String(repeating: "a", count: 32768)
        #expect(throws: WireError.valueTooLarge(32768)) { try w.writeString(s) }
        #expect(throws: Never.self) { try w.writeCompactString(s) }
    }

    @Test func arrayCountsAreCappedByRemainingBytes() throws {
        var ok = WireReader([0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(try ok.readArrayCount(minElementSize: 4) == 2)
        var null = WireReader([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try null.readArrayCount() == nil)
        var null2 = WireReader([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: WireError.unexpectedNull) { try null2.readNonNullArrayCount() }
        var neg = WireReader([0xFF, 0xFF, 0xFF, 0xFE])
        #expect(throws: WireError.negativeLength(-2)) { try neg.readArrayCount() }
        // Count 3 of INT32 elements needs 12 bytes; only 8 remain.
        var short = WireReader([0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(throws: WireError.lengthTooLarge(length: 3, available: 8)) { try short.readArrayCount(minElementSize: 4) }
        var huge = WireReader([0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: WireError.self) { try huge.readArrayCount() }
        var compact = WireReader([0x03, 0xAA, 0xBB])
        #expect(try compact.readCompactArrayCount() == 2)
        var compactNull = WireReader([0x00])
        #expect(try compactNull.readCompactArrayCount() == nil)
        var compactHuge = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: WireError.self) { try compactHuge.readCompactArrayCount() }

        var w = WireWriter()
        try w.writeArrayCount(nil)
        try w.writeArrayCount(3)
        try w.writeCompactArrayCount(nil)
        try w.writeCompactArrayCount(3)
        #expect(w.bytes == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 3, 0x00, 0x04])
    }

    @Test func errorsDescribeThemselves() {
        #expect(WireError.truncated(needed: 4, available: 1).description.contains("needed 4"))
        #expect(WireError(.invalidUTF8, context: "topic name").description.contains("topic name"))
    }
}

@Suite struct UUIDAndChecksumTests {
    @Test func uuidRoundTripAndBase64url() throws {
        #expect(KafkaUUID.zero.description == "AAAAAAAAAAAAAAAAAAAAAA")
        let bytes: [UInt8] = (0..<16).map { UInt8($0 * 17) }
        let u = try #require(KafkaUUID(bytes: bytes))
        #expect(u.bytes == bytes)
        var w = WireWriter()
        w.writeUUID(u)
        #expect(w.bytes == bytes)
        var r = WireReader(w.bytes)
        #expect(try r.readUUID() == u)
        // 0xFF… encodes to '_' characters in base64url, never '/' or '+'.
        let ones = try #require(KafkaUUID(bytes: [UInt8](repeating: 0xFF, count: 16)))
        #expect(ones.description == "_____________________w")
        #expect(KafkaUUID(string: ones.description) == ones)
        #expect(KafkaUUID(string: u.description) == u)
        #expect(KafkaUUID(string: "short") == nil)
        #expect(KafkaUUID(bytes: [1, 2, 3]) == nil)
        // A known Kafka topic id string and its bytes.
        let known = try #require(KafkaUUID(string: "MdCMMLnqR7y6LBMlDvFWRQ"))
        #expect(known.description == "MdCMMLnqR7y6LBMlDvFWRQ")
        #expect(known.bytes[0] == 0x31)
    }

    @Test func crc32cKnownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func crc32cInstructionAgreesWithTheTables() {
        #expect(CRC32C.usesHardware, "this x86-64 machine has SSE 4.2: the instruction path should be the one in use")
        var rng = SystemRandomNumberGenerator()
        let data: [UInt8] = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        data.withUnsafeBytes { all in
            // Every start alignment and lengths around the 8-byte steps.
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4096 - start] {
                    let part = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    #expect(CRC32C.checksum(part, continuing: 0x1234_5678) == CRC32C.tableChecksum(part, continuing: 0x1234_5678))
                    #expect(CRC32C.checksum(part) == CRC32C.tableChecksum(part))
                }
            }
        }
    }

    @Test func crc32cIncrementalAndSliceAgree() {
        let data: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let a = CRC32C.checksum(data[0..<split])
            #expect(CRC32C.checksum(data[split...], continuing: a) == whole)
        }
        // Bytewise reference implementation.
        var c: UInt32 = 0xFFFF_FFFF
        for b in data {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        }
        #expect(whole == ~c)
    }

    @Test func crc32IEEEKnownVector() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func unknownTaggedFieldIsAValue() {
        let a = UnknownTaggedField(tag: 3, data: [1])
        #expect(a == UnknownTaggedField(tag: 3, data: [1]))
        #expect(a != UnknownTaggedField(tag: 4, data: [1]))
    }
}
