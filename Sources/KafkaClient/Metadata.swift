import KafkaWire

public struct BrokerMetadata: Sendable, Hashable {
    public var nodeId: Int32
    public var host: String
    public var port: Int32
    public var rack: String?

    public var advertised: HostAddress { HostAddress(host: host, port: Int(port)) }
}

public struct PartitionMetadata: Sendable, Hashable {
    public var partition: Int32
    public var errorCode: Int16
    /// -1 when there is no leader.
    public var leader: Int32
    public var leaderEpoch: Int32
    public var replicas: [Int32]
    public var isr: [Int32]
    public var offlineReplicas: [Int32]
}

public struct TopicMetadata: Sendable, Hashable {
    public var name: String
    public var topicId: KafkaUUID?
    public var isInternal: Bool
    public var errorCode: Int16
    /// Sorted by partition number.
    public var partitions: [PartitionMetadata]
}

extension TopicMetadata {
    /// Leader of one partition, nil when unknown or leaderless.
    public func leader(of partition: Int32) -> Int32? {
        // Partitions are sorted and nearly always numbered 0..<n: index directly, else search.
        let i = partition >= 0 && Int(partition) < partitions.count && partitions[Int(partition)].partition == partition
            ? Int(partition) : partitions.firstIndex { $0.partition == partition }
        guard let i, partitions[i].leader >= 0 else { return nil }
        return partitions[i].leader
    }
}

/// One Metadata response, indexed.
public struct ClusterMetadata: Sendable, Hashable {
    public var clusterId: String?
    /// As Metadata reports it (on KRaft a random live broker; DescribeQuorum knows the real one).
    public var controllerId: Int32?
    public var brokers: [Int32: BrokerMetadata]
    public var topics: [String: TopicMetadata]
    /// Which broker answered (nil: a bootstrap address).
    public var answeredBy: Int32?
    public var fetchedAtNanos: UInt64

    public var sortedBrokers: [BrokerMetadata] { brokers.values.sorted { $0.nodeId < $1.nodeId } }

    /// Leader of a partition, nil when unknown or leaderless.
    public func leader(topic: String, partition: Int32) -> Int32? {
        topics[topic]?.leader(of: partition)
    }
}
