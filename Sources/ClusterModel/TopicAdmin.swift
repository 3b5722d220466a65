/// Topic, config and ACL administration (issue 18), implemented over KafkaAdmin. Each write method
/// sends once; confirmation, read-only mode and the audit line belong to the write flow around it.
/// `validateOnly` asks the broker for its verdict without applying anything.
public protocol TopicAdminService: Sendable {
    /// CreateTopics (to the controller); one outcome per topic, in request order.
    func createTopics(_ topics: [NewTopic], validateOnly: Bool) async throws -> [ResourceOutcome]
    /// DeleteTopics (to the controller); one outcome per name.
    func deleteTopics(_ names: [String]) async throws -> [ResourceOutcome]
    /// CreatePartitions: grows `topic` to `totalCount` partitions.
    func createPartitions(topic: String, totalCount: Int32, validateOnly: Bool) async throws -> ResourceOutcome
    /// DeleteRecords to each partition's leader: removes records before each offset (-1: the high watermark).
    func deleteRecords(topic: String, before: [Int32: Int64]) async throws -> [Int32: RecordDeletion]
    /// The partition count and end offsets a write is checked against (nil: the topic does not exist).
    func topicShape(_ topic: String) async throws -> TopicShape?
    /// DescribeConfigs with synonyms for one resource.
    func describeConfigs(_ resource: ConfigResource) async throws -> [ConfigEntry]
    /// IncrementalAlterConfigs for one resource (never the non-incremental AlterConfigs).
    func alterConfigs(_ resource: ConfigResource, changes: [ConfigChange], validateOnly: Bool) async throws -> ResourceOutcome
    /// DescribeAcls with one filter.
    func describeAcls(_ filter: AclFilter) async throws -> [AclBinding]
}

/// A topic to create. nil partitions or replication factor: the broker's default (CreateTopics v4+).
public struct NewTopic: Sendable, Hashable {
    public var name: String
    public var partitions: Int32?
    public var replicationFactor: Int16?
    /// In the order given (a key given twice is a usage error, caught before this).
    public var configs: [ConfigSetting]

    public init(name: String, partitions: Int32?, replicationFactor: Int16? = nil, configs: [ConfigSetting] = []) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// One `key=value`.
public struct ConfigSetting: Sendable, Hashable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    /// `K=V` from the command line or a form (the value may contain `=`).
    public static func parse(_ text: String) throws -> ConfigSetting {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw UserFacingError("'\(text)' is not KEY=VALUE")
        }
        let key = String(text[..<eq]).filter { $0 != " " }
        if key.isEmpty { throw UserFacingError("'\(text)' is not KEY=VALUE") }
        return ConfigSetting(key, String(text[text.index(after: eq)...]))
    }
}

/// The broker's refusal of one resource: Kafka's error name, code and (when given) its message.
public struct BrokerRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int16
    public var name: String
    public var message: String?

    public init(code: Int16, name: String, message: String?) {
        self.code = code
        self.name = name
        self.message = message
    }

    /// "POLICY_VIOLATION (44): replication factor must be at least 3"
    public var description: String {
        var s = "\(name) (\(code))"
        if let message, !message.isEmpty { s += ": \(message)" }
        return s
    }
}

/// What the broker said about one resource of a request.
public struct ResourceOutcome: Sendable, Hashable {
    public var name: String
    /// nil: accepted (or, with validateOnly, would be accepted).
    public var refusal: BrokerRefusal?
    /// What the broker reports it created / would create (CreateTopics v5+), for the preview.
    public var partitions: Int32?
    public var replicationFactor: Int16?

    public init(name: String, refusal: BrokerRefusal? = nil, partitions: Int32? = nil, replicationFactor: Int16? = nil) {
        self.name = name
        self.refusal = refusal
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }

    public var accepted: Bool { refusal == nil }
}

/// One partition's DeleteRecords answer.
public enum RecordDeletion: Sendable, Hashable {
    /// The partition's new log start offset.
    case deleted(lowWatermark: Int64)
    case refused(BrokerRefusal)
    /// No answer (leader unreachable, connection lost, API missing): the records may or may not be gone.
    case unanswered(String)
}

/// What a topic write is checked against.
public struct TopicShape: Sendable, Hashable {
    public var name: String
    public var partitionCount: Int32
    public var replicationFactor: Int
    /// Per partition: log start and high watermark (nil where the leader could not be read).
    public var earliest: [Int32: Int64]
    public var latest: [Int32: Int64]

    public init(name: String, partitionCount: Int32, replicationFactor: Int, earliest: [Int32: Int64] = [:], latest: [Int32: Int64] = [:]) {
        self.name = name
        self.partitionCount = partitionCount
        self.replicationFactor = replicationFactor
        self.earliest = earliest
        self.latest = latest
    }
}

/// Kafka's topic-name rules (the broker enforces them too; checking first gives a clear usage error).
public enum TopicNameRules {
    public static let maxLength = 249

    /// nil when legal, else why not.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "the topic name is empty" }
        if name == "." || name == ".." { return "a topic cannot be named '\(name)'" }
        if name.utf8.count > maxLength { return "the topic name is longer than \(maxLength) characters" }
        let legal = name.unicodeScalars.allSatisfy { s in
            (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "." || s == "_" || s == "-"
        }
        if !legal { return "topic names may only contain ASCII letters, digits, '.', '_' and '-'" }
        return nil
    }
}
