import KafkaClient

/// The last end offset read per partition, with when it was read, so that a group refresh whose
/// ListOffsets failed for a partition (its leader down) can still count that partition's lag from
/// a recent value instead of dropping it (which made the total lag look smaller: issue 13 item 4).
actor EndOffsetMemory {
    private var ends: [TopicPartitionKey: (offset: Int64, at: Double)] = [:]
    /// Bounds the memory on clusters with huge partition counts; oldest reads go first.
    private let limit: Int

    init(limit: Int = 200_000) { self.limit = max(1, limit) }

    /// Stores this refresh's ends (read at `now`) and answers the remembered ends of the `missing`
    /// partitions that are at most `maxAge` seconds old, with their age.
    func update(_ read: PartitionMap<Int64>, missing: [TopicPartitionKey], now: Double,
                maxAge: Double) -> [TopicPartitionKey: (offset: Int64, age: Double)] {
        for (topic, values) in read.byTopic {
            for (p, offset) in values { ends[TopicPartitionKey(topic, p)] = (offset, now) }
        }
        if ends.count > limit {
            for (k, _) in ends.sorted(by: { $0.value.at < $1.value.at }).prefix(ends.count - limit) { ends[k] = nil }
        }
        var out: [TopicPartitionKey: (offset: Int64, age: Double)] = [:]
        for k in missing {
            guard let e = ends[k] else { continue }
            let age = max(0, now - e.at)
            if age <= maxAge { out[k] = (e.offset, age) }
        }
        return out
    }
}

extension KafkaClientClock {
    /// Seconds on this clock (monotonic for `.system`).
    var seconds: Double { Double(nowNanos()) / 1e9 }
}
