public struct BrokerInfo: Sendable, Hashable {
    public var id: Int32
    /// Advertised host and port, as the cluster reports them.
    public var host: String
    public var port: Int32
    public var rack: String?
    public var isController: Bool
    public var leaderCount: Int
    public var partitionCount: Int
    /// `host:port` actually dialled after host aliases, when it differs or is known.
    public var dialed: String?
    /// Why this broker could not be reached (DNS, refused, timeout, TLS, SASL), with the fix.
    public var error: String?

    public init(id: Int32, host: String, port: Int32, rack: String? = nil, isController: Bool = false,
                leaderCount: Int = 0, partitionCount: Int = 0, dialed: String? = nil, error: String? = nil) {
        self.id = id
        self.host = host
        self.port = port
        self.rack = rack
        self.isController = isController
        self.leaderCount = leaderCount
        self.partitionCount = partitionCount
        self.dialed = dialed
        self.error = error
    }
}

public struct QuorumReplica: Sendable, Hashable {
    public var replicaId: Int32
    public var logEndOffset: Int64
    /// Leader log end offset minus this replica's, as kafka-metadata-quorum.sh shows.
    public var lag: Int64
    public var lastFetchTimestamp: Int64?
    public var lastCaughtUpTimestamp: Int64?

    public init(replicaId: Int32, logEndOffset: Int64, lag: Int64, lastFetchTimestamp: Int64? = nil,
                lastCaughtUpTimestamp: Int64? = nil) {
        self.replicaId = replicaId
        self.logEndOffset = logEndOffset
        self.lag = lag
        self.lastFetchTimestamp = lastFetchTimestamp
        self.lastCaughtUpTimestamp = lastCaughtUpTimestamp
    }
}

public struct QuorumInfo: Sendable, Hashable {
    public var leaderId: Int32
    public var leaderEpoch: Int32
    public var highWatermark: Int64
    public var voters: [QuorumReplica]
    public var observers: [QuorumReplica]

    public init(leaderId: Int32, leaderEpoch: Int32, highWatermark: Int64, voters: [QuorumReplica],
                observers: [QuorumReplica]) {
        self.leaderId = leaderId
        self.leaderEpoch = leaderEpoch
        self.highWatermark = highWatermark
        self.voters = voters
        self.observers = observers
    }
}

public struct ClusterOverview: Sendable, Hashable {
    public var clusterId: String?
    /// The controller as Metadata reports it; on KRaft the quorum leader is the real one.
    public var controllerId: Int32?
    public var brokers: [BrokerInfo]
    public var quorum: FieldState<QuorumInfo>
    public var topicCount: Int
    public var partitionCount: Int
    public var underReplicatedPartitions: Int
    public var offlinePartitions: Int
    /// Partitions whose preferred leader (first replica) is not the current leader, as a fraction.
    public var leaderImbalance: Double
    public var errors: [SourceError]

    public init(clusterId: String? = nil, controllerId: Int32? = nil, brokers: [BrokerInfo] = [],
                quorum: FieldState<QuorumInfo> = .unsupported("not queried"), topicCount: Int = 0,
                partitionCount: Int = 0, underReplicatedPartitions: Int = 0, offlinePartitions: Int = 0,
                leaderImbalance: Double = 0, errors: [SourceError] = []) {
        self.clusterId = clusterId
        self.controllerId = controllerId
        self.brokers = brokers
        self.quorum = quorum
        self.topicCount = topicCount
        self.partitionCount = partitionCount
        self.underReplicatedPartitions = underReplicatedPartitions
        self.offlinePartitions = offlinePartitions
        self.leaderImbalance = leaderImbalance
        self.errors = errors
    }
}
