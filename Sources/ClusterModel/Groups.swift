import LagHealth

public struct GroupSummary: Sendable, Hashable {
    public var group: String
    /// "classic", "consumer" (KIP-848) or "unknown" when the broker cannot say.
    public var type: String
    /// e.g. Stable, Empty, PreparingRebalance, Assigning, Reconciling, Dead; "Unknown" when unsupported.
    public var state: String
    /// Assignment strategy (range, roundrobin, uniform ...), when known.
    public var protocolName: String?
    public var members: Int?
    /// Total lag over partitions with a committed offset; nil when not computable.
    public var lag: Int64?
    public var coordinator: Int32?
    /// How much of `lag` this refresh could read (see `LagCompleteness`).
    public var lagCompleteness: LagCompleteness
    /// Why the lag is partial: which partitions and what failed (empty when complete).
    public var lagErrors: [SourceError]
    /// Status, rates and ETA from the samples kafscope took of this group (nil: never sampled).
    public var health: GroupHealth?
    /// How old the next record the group will read is (seconds; 0 caught up); nil when unknown.
    public var lagSeconds: Double?
    /// `lagSeconds` is the largest of the partitions whose time lag was read, and some lagging
    /// partition's was not (its record's timestamp or end offset unread): the real one is at least it.
    public var lagSecondsPartial = false
    /// Set when this refresh could not read the group's committed offsets: the lag, state and
    /// members are the last ones read, and this says why they are not fresh.
    public var staleReason: String?
    /// Set on the rows of a first, ListGroups-only answer: members, lag and status are still being read.
    public var detailsPending = false

    public init(group: String, type: String = "unknown", state: String = "Unknown", protocolName: String? = nil,
                members: Int? = nil, lag: Int64? = nil, coordinator: Int32? = nil,
                lagCompleteness: LagCompleteness = .complete, lagErrors: [SourceError] = [], health: GroupHealth? = nil,
                lagSeconds: Double? = nil) {
        self.health = health
        self.lagSeconds = lagSeconds
        self.group = group
        self.type = type
        self.state = state
        self.protocolName = protocolName
        self.members = members
        self.lag = lag
        self.coordinator = coordinator
        self.lagCompleteness = lagCompleteness
        self.lagErrors = lagErrors
    }

    /// `lag_partial`: some partition's lag was not read in this refresh.
    public var lagPartial: Bool { lagCompleteness != .complete }
}

/// Whether a group's total lag counts every partition it has committed offsets on. A partition
/// whose end offset cannot be read (its leader is down) never counts as zero: its last end offset
/// read within the freshness limit stands in for it (`estimated`), else it is left out and the
/// total is only a lower bound (`partial`).
public enum LagCompleteness: String, Sendable, Hashable {
    /// Every partition's end offset was read in this refresh.
    case complete
    /// Every partition is counted, some from an end offset remembered from an earlier refresh.
    case estimated
    /// Some partitions could not be counted at all: the total is a lower bound.
    case partial
}

public struct TopicPartitions: Sendable, Hashable {
    public var topic: String
    public var partitions: [Int32]
    public init(topic: String, partitions: [Int32]) {
        self.topic = topic
        self.partitions = partitions
    }
}

public struct GroupMember: Sendable, Hashable {
    public var memberId: String
    public var instanceId: String?
    public var clientId: String
    public var host: String
    public var assignments: [TopicPartitions]

    public init(memberId: String, instanceId: String? = nil, clientId: String, host: String,
                assignments: [TopicPartitions] = []) {
        self.memberId = memberId
        self.instanceId = instanceId
        self.clientId = clientId
        self.host = host
        self.assignments = assignments
    }
}

/// One row of `kafka-consumer-groups.sh --describe`.
public struct GroupOffsetRow: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// nil when the group has no committed offset for this partition.
    public var committed: Int64?
    /// High watermark (ListOffsets latest, read_uncommitted).
    public var end: Int64?
    /// end - committed when both are known.
    public var lag: Int64?
    public var memberId: String?
    public var clientId: String?
    public var host: String?
    /// Seconds since `end` was read, when this refresh could not read it and an earlier value stands in.
    public var endAge: Double?
    /// Now minus the timestamp of the record at `committed` (0 when caught up); nil when unknown.
    public var lagSeconds: Double?
    /// Status, rates and ETA of this partition from the samples taken so far.
    public var health: PartitionHealth?
    /// This partition's lag at each sample kafscope took this session, oldest first (filled for
    /// one group's detail; empty in group lists).
    public var lagHistory: [Int64] = []

    public init(topic: String, partition: Int32, committed: Int64?, end: Int64?, lag: Int64?,
                memberId: String? = nil, clientId: String? = nil, host: String? = nil, endAge: Double? = nil) {
        self.endAge = endAge
        self.topic = topic
        self.partition = partition
        self.committed = committed
        self.end = end
        self.lag = lag
        self.memberId = memberId
        self.clientId = clientId
        self.host = host
    }
}

extension GroupOffsetRow {
    /// Some of `rows` have a time lag and some lagging row (committed, not caught up) has none: the
    /// largest is only a lower bound.
    public static func timeLagPartial(_ rows: [GroupOffsetRow]) -> Bool {
        rows.contains { $0.lagSeconds != nil } && rows.contains { $0.committed != nil && $0.lagSeconds == nil && $0.lag != 0 }
    }

    /// How many rows lack a time lag that they should have (see `timeLagPartial`).
    public static func timeLagsUnread(_ rows: [GroupOffsetRow]) -> Int {
        rows.filter { $0.committed != nil && $0.lagSeconds == nil && $0.lag != 0 }.count
    }
}

public struct GroupDetail: Sendable, Hashable {
    public var group: String
    public var type: String
    public var state: String
    public var protocolName: String?
    public var protocolType: String?
    public var coordinator: Int32?
    /// Members, or why they are unknown (e.g. DescribeGroups not supported by this broker).
    public var members: FieldState<[GroupMember]>
    public var offsets: [GroupOffsetRow]
    public var lag: Int64?
    /// How much of `lag` this refresh could read; the partitions that failed are in `errors`.
    public var lagCompleteness: LagCompleteness
    public var errors: [SourceError]
    /// Why the committed offsets could not be read this time (coordinator unreachable, OffsetFetch
    /// failed); nil when they were. `offsets` is then not "no committed offsets" but unknown.
    public var offsetsError: String?
    /// Status, rates and ETA per partition and for the group, from the samples taken so far.
    public var health: GroupHealth?
    /// The largest time lag over its partitions (seconds), nil when unknown.
    public var lagSeconds: Double?

    /// `lagSeconds` leaves out a partition with committed offsets whose time lag is unknown (the
    /// timestamp at its committed offset, or its end offset, was not read): it is a lower bound.
    public var lagSecondsPartial: Bool { GroupOffsetRow.timeLagPartial(offsets) }

    public init(group: String, type: String = "unknown", state: String = "Unknown", protocolName: String? = nil,
                protocolType: String? = nil, coordinator: Int32? = nil,
                members: FieldState<[GroupMember]> = .value([]), offsets: [GroupOffsetRow] = [], lag: Int64? = nil,
                lagCompleteness: LagCompleteness = .complete, errors: [SourceError] = [], offsetsError: String? = nil) {
        self.lagCompleteness = lagCompleteness
        self.group = group
        self.type = type
        self.state = state
        self.protocolName = protocolName
        self.protocolType = protocolType
        self.coordinator = coordinator
        self.members = members
        self.offsets = offsets
        self.lag = lag
        self.errors = errors
        self.offsetsError = offsetsError
    }

    /// `lag_partial`: some partition's lag was not read in this refresh.
    public var lagPartial: Bool { lagCompleteness != .complete }
}

extension GroupDetail {
    /// The group seen from one topic (the topic detail's consuming groups): lag, time lag, rates,
    /// ETA and status over that topic's partitions only; a failure to read the group's offsets stays
    /// the group's ERROR.
    public func summary(onTopic topic: String) -> GroupSummary {
        let rows = offsets.filter { $0.topic == topic }
        let lags = rows.compactMap(\.lag)
        var completeness = LagCompleteness.complete
        if rows.contains(where: { $0.committed != nil && $0.end == nil }) {
            completeness = .partial
        } else if rows.contains(where: { $0.committed != nil && $0.endAge != nil }) {
            completeness = .estimated
        }
        let health = self.health.map { h in
            GroupHealth(group: group, partitions: h.partitions.filter { $0.key.topic == topic },
                        groupError: offsetsError == nil ? nil : h.reason)
        }
        var count: Int? = nil
        if case .value(let m) = members { count = m.count }
        var s = GroupSummary(group: group, type: type, state: state, protocolName: protocolName, members: count,
                             lag: lags.isEmpty ? nil : lags.reduce(0, +), coordinator: coordinator,
                             lagCompleteness: completeness,
                             lagErrors: errors.filter { $0.message.hasPrefix("lag partial:") && $0.message.contains(topic) },
                             health: health, lagSeconds: rows.compactMap(\.lagSeconds).max())
        s.lagSecondsPartial = GroupOffsetRow.timeLagPartial(rows)
        s.staleReason = offsetsError
        return s
    }
}
