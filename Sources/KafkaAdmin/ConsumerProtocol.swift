import KafkaWire

/// The classic consumer protocol's assignment blob (DescribeGroups MemberAssignment):
/// INT16 version, [topic STRING, [partition INT32]], user data BYTES (v1+ adds nothing we read).
enum ClassicAssignmentDecoder {
    /// Caps a peer-controlled count; an assignment of more partitions than this is malformed.
    static let maxEntries = 1_000_000

    static func decode(_ bytes: [UInt8]) throws -> [(topic: String, partitions: [Int32])] {
        if bytes.isEmpty { return [] }
        var r = WireReader(bytes)
        let version = try r.readInt16()
        guard version >= 0 else { throw WireError(.negativeLength(Int64(version)), context: "assignment version") }
        let topics = try r.readNonNullArrayCount(minElementSize: 6)
        guard topics <= maxEntries else { throw WireError.valueTooLarge(topics) }
        var out: [(String, [Int32])] = []
        out.reserveCapacity(topics)
        for _ in 0..<topics {
            let topic = try r.readString()
            let n = try r.readNonNullArrayCount(minElementSize: 4)
            guard n <= maxEntries else { throw WireError.valueTooLarge(n) }
            var parts: [Int32] = []
            parts.reserveCapacity(n)
            for _ in 0..<n { parts.append(try r.readInt32()) }
            out.append((topic, parts))
        }
        // User data and later-version fields follow; not needed.
        return out
    }
}
