import Testing
@testable import KafkaProducer

/// murmur2 as Kafka's Java client computes it (values from its Utils tests and librdkafka's rdmurmur2.c).
@Suite struct PartitionerTests {
    @Test func murmur2MatchesJavaForKnownKeys() {
        let cases: [(String, Int32)] = [
            ("21", -973_932_308), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971), ("abc", 479_470_107),
            ("kafka", -798_503_068),
        ]
        for (key, expected) in cases {
            #expect(Murmur2Partitioner.murmur2(Array(key.utf8)) == expected, "\(key)")
        }
    }

    @Test func partitionMasksTheSignBitLikeJava() {
        // murmur2("21") is negative: Java's toPositive masks the sign (abs would differ).
        let h = UInt32(bitPattern: -973_932_308) & 0x7fff_ffff
        #expect(Murmur2Partitioner.partition(forKey: Array("21".utf8), partitionCount: 7) == Int32(h % 7))
        #expect(Murmur2Partitioner.partition(forKey: [], partitionCount: 5) >= 0)
    }

    @Test func stickyKeepsOnePartitionUntilItsBatchIsSent() {
        var s = StickyPartitioner(seed: 3)
        let a = s.partition(topic: "t", leaders: [1, 2, 3, 1])
        #expect(s.partition(topic: "t", leaders: [1, 2, 3, 1]) == a)
        s.batchSent(topic: "t", partition: a)
        #expect(s.partition(topic: "t", leaders: [1, 2, 3, 1]) != a)
        // Only partitions with a leader are picked.
        var t = StickyPartitioner(seed: 0)
        for _ in 0..<10 {
            let p = t.partition(topic: "u", leaders: [-1, -1, 3, -1])
            #expect(p == 2)
            t.batchSent(topic: "u", partition: p)
        }
    }
}
