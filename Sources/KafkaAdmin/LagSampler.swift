import ClusterModel
import LagHealth

/// The offset samples of every group read this session (each groups()/group() refresh is one
/// sample; no extra request is sent for them) and the status, rates and ETA judged from them.
actor LagSampler {
    private var tracker: LagTracker
    let rules: LagRules

    init(rules: LagRules, limit: Int = 240, maxGroups: Int = 2_000) {
        self.rules = rules
        tracker = LagTracker(limit: limit, maxGroups: maxGroups)
    }

    /// What one refresh read of a group, for the tracker.
    struct GroupReading: Sendable {
        var group: String
        var readings: [LagTracker.Reading]
        var hasActiveMembers: Bool?
        var groupError: String?
    }

    /// Records the refresh taken at `now` and answers every group's verdict.
    func record(_ groups: [GroupReading], at now: Double) -> [String: GroupHealth] {
        var out: [String: GroupHealth] = [:]
        for g in groups {
            tracker.record(group: g.group, at: now, readings: g.readings, hasActiveMembers: g.hasActiveMembers,
                           groupError: g.groupError)
            out[g.group] = tracker.health(group: g.group, now: now, rules: rules)
        }
        return out
    }

    func samples(group: String, key: PartitionKey) -> [OffsetSample] { tracker.samples(group: group, key: key) }
}

extension KafkaAdminService {
    /// A group's readings from its rows: a partition whose end offset was not read in this refresh
    /// (even when a remembered one stands in for the total) is a read error, so its verdict is ERROR
    /// and its rates are not skewed by a stale end.
    static func lagReading(group: String, rows: [GroupOffsetRow], failures: PartitionMap<String>,
                           members: FieldState<[GroupMember]>, groupError: String?) -> LagSampler.GroupReading {
        let readings = rows.map { r -> LagTracker.Reading in
            let key = PartitionKey(topic: r.topic, partition: r.partition)
            if r.end == nil || r.endAge != nil {
                let why = failures[r.topic, r.partition] ?? "end offset unreadable"
                return LagTracker.Reading(key: key, committed: r.committed, end: nil, error: "end offset unreadable: \(why)")
            }
            return LagTracker.Reading(key: key, committed: r.committed, end: r.end)
        }
        return LagSampler.GroupReading(group: group, readings: readings,
                                       hasActiveMembers: members.value.map { !$0.isEmpty }, groupError: groupError)
    }
}
