/// Kafka's default key partitioner: murmur2 of the key bytes, exactly as the Java client
/// (`Utils.murmur2`, seed 0x9747b28c) and librdkafka's `murmur2`/`murmur2_random` compute it, so a
/// key lands on the partition a Java or librdkafka producer would pick for it.
public enum Murmur2Partitioner {
    /// The 32-bit murmur2 hash Kafka uses (signed, like Java's int).
    public static func murmur2(_ data: [UInt8]) -> Int32 {
        data.withUnsafeBufferPointer { murmur2($0) }
    }

    public static func murmur2(_ data: UnsafeBufferPointer<UInt8>) -> Int32 {
        let m: UInt32 = 0x5bd1_e995
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for i in 0..<blocks {
            let j = i * 4
            var k = UInt32(data[j]) | UInt32(data[j + 1]) << 8 | UInt32(data[j + 2]) << 16 | UInt32(data[j + 3]) << 24
            k = k &* m
            k ^= k >> 24
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = length & ~3
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// `toPositive(murmur2(key)) % partitionCount`: Java masks the sign bit rather than taking abs.
    public static func partition(forKey key: [UInt8], partitionCount: Int) -> Int32 {
        partition(forKey: key[...], partitionCount: partitionCount)
    }

    public static func partition(forKey key: ArraySlice<UInt8>, partitionCount: Int) -> Int32 {
        precondition(partitionCount > 0)
        let positive = UInt32(bitPattern: key.withUnsafeBufferPointer { murmur2($0) }) & 0x7fff_ffff
        return Int32(positive % UInt32(partitionCount))
    }
}

/// Where records without a key go: one partition until its batch is sent, then the next one
/// (Java's sticky partitioner, KIP-480), so null-key records still fill batches.
struct StickyPartitioner {
    private var current: [String: Int32] = [:]
    private var last: (topic: String, partition: Int32)?
    private var rotation: UInt32

    init(seed: UInt32) { rotation = seed }

    /// `leaders` is the topic's leader per partition (-1 = none): a new choice prefers partitions with one.
    mutating func partition(topic: String, leaders: [Int32]) -> Int32 {
        // The previous record's choice first: no hashing of the topic name for a run of records.
        if let last, last.topic == topic, Int(last.partition) < leaders.count { return last.partition }
        if let p = current[topic], Int(p) < leaders.count {
            last = (topic, p)
            return p
        }
        // Only when the sticky partition changes (once a batch), so the list is not built per record.
        let available = leaders.indices.filter { leaders[$0] >= 0 }.map { Int32($0) }
        let pool = available.isEmpty ? Array(0..<Int32(leaders.count)) : available
        rotation &+= 1
        let p = pool[Int(rotation % UInt32(pool.count))]
        current[topic] = p
        last = (topic, p)
        return p
    }

    /// The batch on `partition` went out: the next null-key record picks a new partition.
    mutating func batchSent(topic: String, partition: Int32) {
        if current[topic] == partition { current[topic] = nil }
        if last?.topic == topic { last = nil }
    }
}
