// Implementation-only: the C shim stays out of KafkaWire's interface, so the modules above need no
// module map for it: with a plain or an `internal import`, test targets that @testable-import modules above
// (KafkaProtocolTests, EndToEndTests) failed a fresh build with "missing required module". Only its
// functions are called, no types cross, so the warning about library evolution does not apply.
@_implementationOnly import CCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), used by record batches v2.
/// The CPU's CRC-32C instruction where there is one, else slicing-by-8 (eight table lookups per 8 bytes).
public enum CRC32C {
    @usableFromInline
    static let table: [UInt32] = makeSlicingTables(polynomial: 0x82F6_3B78)

    static let hardware = kafscope_crc32c_hw_available() == 1

    /// CRC of `bytes`, continuing from `crc` (pass a previous result to checksum in pieces).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        if hardware, let base = bytes.baseAddress {
            return kafscope_crc32c_hw(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        return tableChecksum(bytes, continuing: crc)
    }

    /// The table version, whatever the CPU has (tests compare the two).
    public static func tableChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        table.withUnsafeBufferPointer { slicingBy8(bytes, crc: crc, table: $0) }
    }

    /// Whether `checksum` uses the CPU's instruction.
    public static var usesHardware: Bool { hardware }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    public static func checksum(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), used by legacy message sets (magic 0/1).
public enum CRC32 {
    @usableFromInline
    static let table: [UInt32] = makeSlicingTables(polynomial: 0xEDB8_8320)

    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        table.withUnsafeBufferPointer { slicingBy8(bytes, crc: crc, table: $0) }
    }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    public static func checksum(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}

/// 8 tables of 256 entries: table k maps a byte to its CRC contribution k bytes further on.
func makeSlicingTables(polynomial: UInt32) -> [UInt32] {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1 }
        t[i] = c
    }
    for i in 0..<256 {
        var c = t[i]
        for k in 1..<8 {
            c = (c >> 8) ^ t[Int(c & 0xFF)]
            t[k * 256 + i] = c
        }
    }
    return t
}

@inline(__always)
func slicingBy8(_ bytes: UnsafeRawBufferPointer, crc: UInt32, table t: UnsafeBufferPointer<UInt32>) -> UInt32 {
    var c = ~crc
    guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
    var p = base
    var n = bytes.count
    let tb = t.baseAddress!
    while n >= 8 {
        let lo = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ c
        let hi = UInt32(littleEndian: (p + 4).loadUnaligned(as: UInt32.self))
        c = tb[7 * 256 + Int(lo & 0xFF)]
            ^ tb[6 * 256 + Int((lo >> 8) & 0xFF)]
            ^ tb[5 * 256 + Int((lo >> 16) & 0xFF)]
            ^ tb[4 * 256 + Int(lo >> 24)]
            ^ tb[3 * 256 + Int(hi & 0xFF)]
            ^ tb[2 * 256 + Int((hi >> 8) & 0xFF)]
            ^ tb[1 * 256 + Int((hi >> 16) & 0xFF)]
            ^ tb[Int(hi >> 24)]
        p += 8
        n -= 8
    }
    while n > 0 {
        c = (c >> 8) ^ tb[Int((c ^ UInt32(p.load(as: UInt8.self))) & 0xFF)]
        p += 1
        n -= 1
    }
    return ~c
}
