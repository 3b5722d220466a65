import KafkaProtocol
import KafkaWire

// The scriptable state of a fake Kafka cluster (modelled on franz-go's kfake): topology, configs,
// KRaft quorum and groups. Tests build one, start a `FakeCluster` with it and may change it between
// calls with `FakeCluster.update`.

struct FakePartition: Sendable {
    /// -1 = no leader (offline partition).
    var leader: Int32
    var replicas: [Int32]
    var isr: [Int32]
    var offlineReplicas: [Int32] = []
    var leaderEpoch: Int32 = 5
    var earliest: Int64 = 0
    var latest: Int64 = 0
    /// Bytes of each (online) replica on disk, as DescribeLogDirs reports it.
    var sizeBytes: Int64 = 0
    /// A broker that also holds a "future" replica (being moved between log dirs); must not be summed.
    var futureReplicaOn: Int32? = nil
}

struct FakeTopic: Sendable {
    var partitions: [FakePartition]
    var isInternal = false
    /// Dynamic topic overrides (DescribeConfigs source DYNAMIC_TOPIC_CONFIG).
    var configs: [String: String] = [:]
    var topicId = KafkaUUID(high: UInt64.random(in: 1...UInt64.max), low: UInt64.random(in: 1...UInt64.max))
}

struct FakeQuorumReplica: Sendable {
    var id: Int32
    var logEndOffset: Int64
    var lastFetchTimestamp: Int64 = -1
    var lastCaughtUpTimestamp: Int64 = -1
}

struct FakeQuorum: Sendable {
    var leaderId: Int32
    var leaderEpoch: Int32
    var highWatermark: Int64
    var voters: [FakeQuorumReplica]
    var observers: [FakeQuorumReplica]
}

struct FakeMember: Sendable {
    var memberId: String
    var instanceId: String? = nil
    var clientId: String
    var host: String
    /// Ordered (topic, partitions) as the assignor produced them.
    var assignment: [(topic: String, partitions: [Int32])] = []
}

enum FakeGroupType: String, Sendable {
    /// The classic protocol (JoinGroup/SyncGroup; DescribeGroups).
    case classic
    /// KIP-848 (ConsumerGroupHeartbeat; ConsumerGroupDescribe).
    case consumer
}

struct FakeGroup: Sendable {
    var type: FakeGroupType
    /// Classic: Stable, Empty, PreparingRebalance, ...; consumer: Assigning, Reconciling, Stable, Empty.
    var state: String
    var coordinator: Int32
    var protocolType = "consumer"
    /// Classic: the assignment strategy ("range"); consumer: the server assignor ("uniform").
    var protocolName = "range"
    var members: [FakeMember] = []
    /// topic → partition → committed offset.
    var committed: [String: [Int32: Int64]] = [:]
    var groupEpoch: Int32 = 3
}

struct FakeBrokerSpec: Sendable {
    var id: Int32
    var rack: String? = nil
    /// Supported range per API; an API missing here is not listed in ApiVersions.
    var apiVersions: [ApiKey: ClosedRange<Int16>] = FakeApiProfile.kraft
}

/// Typical ApiVersions tables.
enum FakeApiProfile {
    /// A recent KRaft broker (Kafka 4.x) for the APIs the fake implements.
    static let kraft: [ApiKey: ClosedRange<Int16>] = [
        .apiVersions: 0...4, .metadata: 0...12, .listOffsets: 0...8, .describeConfigs: 0...4,
        .describeLogDirs: 0...4, .describeQuorum: 0...2, .listGroups: 0...5, .describeGroups: 0...5,
        .consumerGroupDescribe: 0...0, .findCoordinator: 0...6, .offsetFetch: 0...9,
    ]
    /// A ZooKeeper-era broker (Kafka 2.8): no DescribeQuorum, no KIP-848, no batched
    /// FindCoordinator (v4) or multi-group OffsetFetch (v8), ListGroups without types.
    static let zookeeper28: [ApiKey: ClosedRange<Int16>] = [
        .apiVersions: 0...3, .metadata: 0...11, .listOffsets: 0...6, .describeConfigs: 0...4,
        .describeLogDirs: 0...2, .listGroups: 0...4, .describeGroups: 0...5,
        .findCoordinator: 0...3, .offsetFetch: 0...7,
    ]

    static func kraftWithout(_ without: ApiKey...) -> [ApiKey: ClosedRange<Int16>] {
        var t = kraft
        for k in without { t[k] = nil }
        return t
    }
}

struct FakeClusterState: Sendable {
    var clusterId = "fake-cluster-0001"
    /// What Metadata reports (on KRaft a random live broker, not the quorum leader).
    var controllerId: Int32 = -1
    var brokers: [FakeBrokerSpec]
    var topics: [String: FakeTopic] = [:]
    /// Static broker configs (server.properties) that topic configs inherit.
    var staticBrokerConfigs: [String: String] = [:]
    /// Kafka's defaults for topic-level configs.
    var defaultTopicConfigs: [String: String] = [
        "cleanup.policy": "delete", "retention.ms": "604800000", "min.insync.replicas": "1",
        "segment.bytes": "1073741824", "compression.type": "producer",
    ]
    var quorum: FakeQuorum? = nil
    var groups: [String: FakeGroup] = [:]
    var logDirs = ["/var/lib/kafka/data-0", "/var/lib/kafka/data-1"]

    init(brokers: [FakeBrokerSpec]) { self.brokers = brokers }

    func spec(_ id: Int32) -> FakeBrokerSpec? { brokers.first { $0.id == id } }

    /// Coordinator of a group id: the configured one, else a stable hash over the brokers.
    func coordinator(for group: String) -> Int32 {
        if let g = groups[group] { return g.coordinator }
        let h = group.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0x7fff_ffff }
        return brokers[h % brokers.count].id
    }

    /// Resolved topic config: topic override, else static broker config, else default
    /// (value, DescribeConfigs ConfigSource).
    func topicConfig(_ topic: FakeTopic) -> [(name: String, value: String, source: Int8)] {
        var names = Set(defaultTopicConfigs.keys)
        names.formUnion(topic.configs.keys)
        return names.sorted().map { n in
            if let v = topic.configs[n] { return (n, v, 1) }
            if let v = staticBrokerConfigs[n] { return (n, v, 4) }
            return (n, defaultTopicConfigs[n] ?? "", 5)
        }
    }
}

/// One request the fake answered (or refused).
struct FakeRequestRecord: Sendable, Hashable {
    var broker: Int32
    var apiKey: Int16
    var version: Int16
    var correlationId: Int32
    /// Groups, topics or coordinator keys the request named (for routing/batching assertions).
    var names: [String]

    var api: ApiKey? { ApiKey(rawValue: apiKey) }
}

/// An error answered instead of the normal result, `remaining` times.
struct FakeInjection: Sendable {
    var api: ApiKey
    var errorCode: Int16
    var remaining: Int
    /// nil = any broker.
    var broker: Int32?
    /// nil = any group/topic/key in the request (each matching item consumes one).
    var key: String?
}
