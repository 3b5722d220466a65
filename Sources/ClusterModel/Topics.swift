public struct TopicSummary: Sendable, Hashable {
    public var name: String
    public var isInternal: Bool
    public var partitions: Int
    public var replicationFactor: Int
    public var underReplicated: Int
    /// Partitions whose ISR is smaller than the topic's `min.insync.replicas`; nil when unknown.
    public var underMinIsr: Int?
    public var offline: Int
    /// Partitions whose leader (as the metadata names it) this client cannot reach: not served from
    /// here although the metadata looks fine (see `PartitionStatus.leaderUnreachable`).
    public var leaderUnreachable = 0
    /// Sum over partitions of latest - earliest; nil when offsets could not be read.
    public var messages: Int64?
    /// `messages` is the last count read, kept because this refresh could not read every partition.
    public var messagesStale = false
    /// Bytes on disk of all replicas (DescribeLogDirs); nil when unsupported or not loaded.
    public var sizeBytes: Int64?
    /// From a preliminary answer: messages, size and under-min-ISR are still being read.
    public var detailsPending = false

    public init(name: String, isInternal: Bool = false, partitions: Int, replicationFactor: Int,
                underReplicated: Int = 0, underMinIsr: Int? = nil, offline: Int = 0, messages: Int64? = nil,
                sizeBytes: Int64? = nil) {
        self.name = name
        self.isInternal = isInternal
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.underReplicated = underReplicated
        self.underMinIsr = underMinIsr
        self.offline = offline
        self.messages = messages
        self.sizeBytes = sizeBytes
    }
}

public struct PartitionInfo: Sendable, Hashable {
    public var partition: Int32
    /// -1 when the partition has no leader.
    public var leader: Int32
    public var leaderEpoch: Int32?
    public var replicas: [Int32]
    public var isr: [Int32]
    public var offlineReplicas: [Int32]
    public var earliest: Int64?
    public var latest: Int64?
    /// Kafka error name for this partition, if any (e.g. LEADER_NOT_AVAILABLE).
    public var error: String?

    public init(partition: Int32, leader: Int32, leaderEpoch: Int32? = nil, replicas: [Int32], isr: [Int32],
                offlineReplicas: [Int32] = [], earliest: Int64? = nil, latest: Int64? = nil, error: String? = nil) {
        self.partition = partition
        self.leader = leader
        self.leaderEpoch = leaderEpoch
        self.replicas = replicas
        self.isr = isr
        self.offlineReplicas = offlineReplicas
        self.earliest = earliest
        self.latest = latest
        self.error = error
    }

    public var isOffline: Bool { leader < 0 }
    public var isUnderReplicated: Bool { isr.count < replicas.count }
}

public enum ConfigSource: String, Sendable, Hashable, Codable {
    case topic = "dynamic_topic"
    case dynamicBroker = "dynamic_broker"
    case dynamicDefaultBroker = "dynamic_default_broker"
    case staticBroker = "static_broker"
    case defaultConfig = "default"
    case unknown
}

public struct ConfigEntry: Sendable, Hashable {
    public var name: String
    /// nil for sensitive values, which brokers never return.
    public var value: String?
    public var source: ConfigSource
    public var isSensitive: Bool
    public var readOnly: Bool
    /// Where else the value is defined, most specific first (DescribeConfigs with synonyms): what a
    /// deleted dynamic value falls back to.
    public var synonyms: [ConfigSynonym]

    public init(name: String, value: String?, source: ConfigSource, isSensitive: Bool = false, readOnly: Bool = false,
                synonyms: [ConfigSynonym] = []) {
        self.name = name
        self.value = value
        self.source = source
        self.isSensitive = isSensitive
        self.readOnly = readOnly
        self.synonyms = synonyms
    }

    public var isDefault: Bool { source == .defaultConfig || source == .staticBroker }
}

public struct TopicDetail: Sendable, Hashable {
    public var name: String
    public var isInternal: Bool
    public var topicId: String?
    public var partitions: [PartitionInfo]
    public var configs: FieldState<[ConfigEntry]>
    /// Groups with committed offsets on this topic.
    public var consumingGroups: FieldState<[String]>
    /// Each consuming group's lag, time lag, rates, ETA and status on this topic's partitions
    /// (`GroupDetail.summary(onTopic:)`); a group missing here could not be described.
    public var consumerLag: [String: GroupSummary] = [:]
    public var sizeBytes: Int64?
    public var errors: [SourceError]
    /// Brokers named as leader or replica that this client could not reach, or that the metadata no
    /// longer lists, with why: a partition led by one is not "ok" whatever its ISR says.
    public var unreachableBrokers: [Int32: String]

    public init(name: String, isInternal: Bool = false, topicId: String? = nil, partitions: [PartitionInfo],
                configs: FieldState<[ConfigEntry]> = .unsupported("not loaded"),
                consumingGroups: FieldState<[String]> = .unsupported("not loaded"), sizeBytes: Int64? = nil,
                errors: [SourceError] = [], unreachableBrokers: [Int32: String] = [:]) {
        self.name = name
        self.isInternal = isInternal
        self.topicId = topicId
        self.partitions = partitions
        self.configs = configs
        self.consumingGroups = consumingGroups
        self.sizeBytes = sizeBytes
        self.errors = errors
        self.unreachableBrokers = unreachableBrokers
    }

    /// Each partition's health label, with the unreachable brokers taken into account.
    public func status(of p: PartitionInfo) -> PartitionStatus { p.status(unreachable: Set(unreachableBrokers.keys)) }
}
