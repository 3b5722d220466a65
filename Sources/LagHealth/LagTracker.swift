import DequeModule

/// The offset samples kafscope took this session, per group and partition, and the verdicts
/// drawn from them. Bounded: `limit` samples per partition, `maxGroups` groups (least recently
/// sampled go first).
public struct LagTracker: Sendable {
    /// What one refresh read of a partition.
    public struct Reading: Sendable, Hashable {
        public var key: PartitionKey
        public var committed: Int64?
        public var end: Int64?
        /// Why this partition's offsets could not be read, if so.
        public var error: String?
        public init(key: PartitionKey, committed: Int64?, end: Int64?, error: String? = nil) {
            self.key = key
            self.committed = committed
            self.end = end
            self.error = error
        }
    }

    struct Series: Sendable {
        var partitions: [PartitionKey: Deque<OffsetSample>] = [:]
        var errors: [PartitionKey: String] = [:]
        var groupError: String?
        var hasActiveMembers: Bool?
        var lastAt: Double
    }

    private var groups: [String: Series] = [:]
    public let limit: Int
    public let maxGroups: Int

    public init(limit: Int = 240, maxGroups: Int = 2_000) {
        self.limit = max(2, limit)
        self.maxGroups = max(1, maxGroups)
    }

    /// Records one refresh of a group. Partitions the group no longer has are forgotten; a
    /// partition that failed keeps its earlier samples (its verdict is ERROR until it reads again).
    public mutating func record(group: String, at time: Double, readings: [Reading], hasActiveMembers: Bool?,
                                groupError: String? = nil) {
        var s = groups[group] ?? Series(lastAt: time)
        s.lastAt = time
        s.hasActiveMembers = hasActiveMembers
        s.groupError = groupError
        guard groupError == nil else {
            groups[group] = s
            evict()
            return
        }
        let keys = Set(readings.map(\.key))
        s.partitions = s.partitions.filter { keys.contains($0.key) }
        s.errors = [:]
        for r in readings {
            if let e = r.error {
                s.errors[r.key] = e
                continue
            }
            var d = s.partitions[r.key] ?? []
            // Two reads stamped with the same instant are one sample: the later wins.
            if let last = d.last, last.at == time { d.removeLast() }
            d.append(OffsetSample(at: time, committed: r.committed, end: r.end))
            while d.count > limit { d.removeFirst() }
            s.partitions[r.key] = d
        }
        groups[group] = s
        evict()
    }

    /// The verdict on `group` at `now`; nil when it was never sampled.
    public func health(group: String, now: Double, rules: LagRules = LagRules()) -> GroupHealth? {
        guard let s = groups[group] else { return nil }
        let keys = Set(s.partitions.keys).union(s.errors.keys)
        let parts = keys.map { key in
            PartitionEvaluator.evaluate(key, samples: Array(s.partitions[key] ?? []), now: now,
                                        hasActiveMembers: s.hasActiveMembers, readError: s.errors[key], rules: rules)
        }
        return GroupHealth(group: group, partitions: parts, groupError: s.groupError)
    }

    public func samples(group: String, key: PartitionKey) -> [OffsetSample] {
        groups[group]?.partitions[key].map(Array.init) ?? []
    }

    public var sampledGroups: [String] { groups.keys.sorted() }

    private mutating func evict() {
        let excess = groups.count - maxGroups
        guard excess > 0 else { return }
        for victim in groups.sorted(by: { $0.value.lastAt < $1.value.lastAt }).prefix(excess).map(\.key) {
            groups[victim] = nil
        }
    }
}
