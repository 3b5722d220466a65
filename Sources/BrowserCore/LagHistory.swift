import DequeModule

/// Where a group's lag is heading, from its last samples.
public enum LagTrend: Sendable, Hashable {
    case unknown, flat, shrinking, growing
}

/// Total lag per group, sampled on every group-list refresh since kafscope started.
/// Bounded: `limit` samples per group, `maxGroups` groups (least recently sampled go).
public struct LagHistory: Sendable {
    public struct Series: Sendable {
        public var samples: Deque<Int64>
        public var lastAt: Double
    }

    public private(set) var series: [String: Series] = [:]
    public let limit: Int
    public let maxGroups: Int

    public init(limit: Int = 120, maxGroups: Int = 2_000) {
        self.limit = max(2, limit)
        self.maxGroups = max(1, maxGroups)
    }

    public mutating func record(group: String, lag: Int64, at time: Double) {
        var s = series[group] ?? Series(samples: [], lastAt: time)
        // Two loads finishing at the same instant are one sample.
        if s.lastAt == time, !s.samples.isEmpty { s.samples.removeLast() }
        s.samples.append(lag)
        while s.samples.count > limit { s.samples.removeFirst() }
        s.lastAt = time
        series[group] = s
        if series.count > maxGroups { evictOldest() }
    }

    private mutating func evictOldest() {
        let excess = series.count - maxGroups
        guard excess > 0 else { return }
        let victims = series.sorted { $0.value.lastAt < $1.value.lastAt }.prefix(excess).map(\.key)
        for v in victims { series[v] = nil }
    }

    public func samples(_ group: String) -> [Int64] { series[group].map { Array($0.samples) } ?? [] }

    /// Growing: the lag rose over each of the last two intervals. Shrinking: fell over
    /// each. Flat otherwise (with at least three samples).
    public func trend(_ group: String) -> LagTrend {
        guard let s = series[group]?.samples, s.count >= 3 else { return .unknown }
        let a = s[s.count - 3], b = s[s.count - 2], c = s[s.count - 1]
        if b > a && c > b { return .growing }
        if b < a && c < b { return .shrinking }
        return .flat
    }
}
