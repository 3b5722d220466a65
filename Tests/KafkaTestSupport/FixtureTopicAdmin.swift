import ClusterModel
import Foundation

/// A topic administrator for BrowserCore tests (issue 18): configs per resource that
/// IncrementalAlterConfigs changes as Kafka would (SET makes a value the resource's own, DELETE falls
/// back to the first synonym below), topics created and deleted, partitions added, records deleted,
/// and refusals set per resource. Every request is logged, validate-only ones marked.
public final class FixtureTopicAdmin: TopicAdminService, @unchecked Sendable {
    // @unchecked: all state is behind `lock`.
    private let lock = NSLock()
    private var configs: [ConfigResource: [ConfigEntry]]
    private var shapes: [String: TopicShape]
    private var refusals: [String: BrokerRefusal] = [:]
    private var log: [String] = []
    private var aclLog: [String] = []
    private var aclRefusal: BrokerRefusal?
    private var configFailure: String?

    public init() {
        let topicDefaults = [
            ConfigEntry(name: "cleanup.policy", value: "delete", source: .defaultConfig),
            ConfigEntry(name: "min.insync.replicas", value: "2", source: .topic,
                        synonyms: [ConfigSynonym(name: "min.insync.replicas", value: "2", source: .topic),
                                   ConfigSynonym(name: "min.insync.replicas", value: "1", source: .defaultConfig)]),
            ConfigEntry(name: "retention.ms", value: "604800000", source: .staticBroker,
                        synonyms: [ConfigSynonym(name: "log.retention.ms", value: "604800000", source: .staticBroker)]),
            ConfigEntry(name: "segment.bytes", value: "1073741824", source: .defaultConfig),
            ConfigEntry(name: "message.format.version", value: "3.0-IV1", source: .defaultConfig, readOnly: true),
        ]
        configs = [
            .topic("orders"): topicDefaults,
            .broker(1): (Self.brokerConfigs(1) + [
                ConfigEntry(name: "listener.name.internal.scram-sha-256.sasl.jaas.config", value: nil, source: .dynamicBroker,
                            isSensitive: true),
            ]).sorted { $0.name < $1.name },
            .broker(2): Self.brokerConfigs(2),
            .broker(3): Self.brokerConfigs(3),
            .brokerDefault: [ConfigEntry(name: "log.cleaner.threads", value: "1", source: .defaultConfig)],
        ]
        shapes = ["orders": TopicShape(name: "orders", partitionCount: 6, replicationFactor: 3,
                                       earliest: Dictionary(uniqueKeysWithValues: (0..<6).map { (Int32($0), Int64(100)) }),
                                       latest: Dictionary(uniqueKeysWithValues: (0..<6).map { (Int32($0), Int64(205_761)) }))]
    }

    /// A broker's configs at every level: static read-only ones, a dynamic cluster default over static
    /// and default synonyms, a dynamic per-broker value (broker 1), sensitive ones, a null value.
    static func brokerConfigs(_ id: Int32) -> [ConfigEntry] {
        let pw = "listener.name.internal.ssl.keystore.password"
        return [
            ConfigEntry(name: "broker.id", value: String(id), source: .staticBroker, readOnly: true,
                        synonyms: [ConfigSynonym(name: "broker.id", value: String(id), source: .staticBroker)]),
            ConfigEntry(name: "log.dirs", value: "/var/lib/kafka/data", source: .staticBroker, readOnly: true,
                        synonyms: [ConfigSynonym(name: "log.dirs", value: "/var/lib/kafka/data", source: .staticBroker)]),
            ConfigEntry(name: "log.retention.ms", value: "86400000", source: .dynamicDefaultBroker,
                        synonyms: [ConfigSynonym(name: "log.retention.ms", value: "86400000", source: .dynamicDefaultBroker),
                                   ConfigSynonym(name: "log.retention.hours", value: "168", source: .staticBroker),
                                   ConfigSynonym(name: "log.retention.hours", value: "168", source: .defaultConfig)]),
            ConfigEntry(name: "log.cleaner.threads", value: id == 1 ? "4" : "1", source: id == 1 ? .dynamicBroker : .defaultConfig,
                        synonyms: (id == 1 ? [ConfigSynonym(name: "log.cleaner.threads", value: "4", source: .dynamicBroker)] : [])
                            + [ConfigSynonym(name: "log.cleaner.threads", value: "1", source: .defaultConfig)]),
            ConfigEntry(name: pw, value: nil, source: .dynamicBroker, isSensitive: true,
                        synonyms: [ConfigSynonym(name: pw, value: nil, source: .dynamicBroker)]),
            ConfigEntry(name: "num.io.threads", value: "8", source: .defaultConfig,
                        synonyms: [ConfigSynonym(name: "num.io.threads", value: "8", source: .defaultConfig)]),
            ConfigEntry(name: "sasl.jaas.config", value: nil, source: .defaultConfig, isSensitive: true),
            ConfigEntry(name: "message.max.bytes", value: "1048588", source: .defaultConfig,
                        synonyms: [ConfigSynonym(name: "message.max.bytes", value: "1048588", source: .defaultConfig)]),
            ConfigEntry(name: "ssl.truststore.location", value: nil, source: .defaultConfig),
        ].sorted { $0.name < $1.name }
    }

    /// Literal, prefixed and wildcard ACLs on topics and groups, a DENY, a cluster ACL.
    public static let acls: [AclBinding] = [
        AclBinding(principal: "User:alice", host: "*", operation: 3, permission: 3, resourceType: 2, resourceName: "orders", patternType: 3),
        AclBinding(principal: "User:alice", host: "*", operation: 4, permission: 3, resourceType: 2, resourceName: "orders", patternType: 3),
        AclBinding(principal: "User:bob", host: "10.0.0.7", operation: 4, permission: 3, resourceType: 2, resourceName: "ord", patternType: 4),
        AclBinding(principal: "User:ops", host: "*", operation: 8, permission: 3, resourceType: 2, resourceName: "*", patternType: 3),
        AclBinding(principal: "User:mallory", host: "*", operation: 2, permission: 2, resourceType: 2, resourceName: "payments", patternType: 3),
        AclBinding(principal: "User:etl", host: "*", operation: 3, permission: 3, resourceType: 3, resourceName: "analytics-", patternType: 4),
        AclBinding(principal: "User:alice", host: "*", operation: 3, permission: 3, resourceType: 3, resourceName: "orders-processor", patternType: 3),
        AclBinding(principal: "User:admin", host: "*", operation: 7, permission: 3, resourceType: 4, resourceName: "kafka-cluster", patternType: 3),
    ]


    /// DescribeAcls answers this refusal (e.g. SECURITY_DISABLED 54); nil: the ACLs again.
    public func refuseAcls(_ refusal: BrokerRefusal?) { locked { aclRefusal = refusal } }
    /// DescribeConfigs fails with this message; nil: the configs again.
    public func failConfigs(_ message: String?) { locked { configFailure = message } }
    /// The DescribeAcls filters asked, e.g. "TOPIC orders match" (kept apart from `requests`, which
    /// holds writes).
    public var aclRequests: [String] { locked { aclLog } }

    private func locked<T>(_ f: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try f()
    }

    /// Every request in order, e.g. "alter topic orders set retention.ms=1 (validate-only)".
    public var requests: [String] { locked { log } }
    /// Only the requests that changed something (no validate-only ones).
    public var writes: [String] { requests.filter { !$0.hasSuffix("(validate-only)") } }

    /// The broker refuses every write to `name` (a topic, a broker id, "" for the default) with this.
    public func refuse(_ name: String, _ refusal: BrokerRefusal?) { locked { refusals[name] = refusal } }

    public func configs(of resource: ConfigResource) -> [ConfigEntry] { locked { configs[resource] ?? [] } }

    private func note(_ line: String, _ validateOnly: Bool) { log.append(line + (validateOnly ? " (validate-only)" : "")) }

    public func createTopics(_ topics: [NewTopic], validateOnly: Bool) async throws -> [ResourceOutcome] {
        locked {
            topics.map { t in
                note("create \(t.name) partitions=\(t.partitions.map(String.init) ?? "default") rf=\(t.replicationFactor.map(String.init) ?? "default")"
                    + t.configs.map { " \($0.key)=\($0.value)" }.joined(), validateOnly)
                if let r = refusals[t.name] { return ResourceOutcome(name: t.name, refusal: r) }
                if shapes[t.name] != nil {
                    return ResourceOutcome(name: t.name, refusal: BrokerRefusal(code: 36, name: "TOPIC_ALREADY_EXISTS",
                                                                                message: "Topic '\(t.name)' already exists."))
                }
                if let rf = t.replicationFactor, rf > 3 {
                    return ResourceOutcome(name: t.name, refusal: BrokerRefusal(code: 38, name: "INVALID_REPLICATION_FACTOR",
                                                                                message: "Replication factor: \(rf) larger than available brokers: 3."))
                }
                let p = t.partitions ?? 1, rf = t.replicationFactor ?? 3
                if !validateOnly {
                    shapes[t.name] = TopicShape(name: t.name, partitionCount: p, replicationFactor: Int(rf))
                    configs[.topic(t.name)] = t.configs.map { ConfigEntry(name: $0.key, value: $0.value, source: .topic) }
                }
                return ResourceOutcome(name: t.name, partitions: p, replicationFactor: rf)
            }
        }
    }

    public func deleteTopics(_ names: [String]) async throws -> [ResourceOutcome] {
        locked {
            names.map { n in
                note("delete \(n)", false)
                if let r = refusals[n] { return ResourceOutcome(name: n, refusal: r) }
                guard shapes.removeValue(forKey: n) != nil else {
                    return ResourceOutcome(name: n, refusal: BrokerRefusal(code: 3, name: "UNKNOWN_TOPIC_OR_PARTITION",
                                                                           message: "This server does not host this topic-partition."))
                }
                return ResourceOutcome(name: n)
            }
        }
    }

    public func createPartitions(topic: String, totalCount: Int32, validateOnly: Bool) async throws -> ResourceOutcome {
        locked {
            note("add-partitions \(topic) total=\(totalCount)", validateOnly)
            if let r = refusals[topic] { return ResourceOutcome(name: topic, refusal: r) }
            guard let s = shapes[topic] else {
                return ResourceOutcome(name: topic, refusal: BrokerRefusal(code: 3, name: "UNKNOWN_TOPIC_OR_PARTITION", message: nil))
            }
            if totalCount <= s.partitionCount {
                return ResourceOutcome(name: topic, refusal: BrokerRefusal(code: 37, name: "INVALID_PARTITIONS",
                                                                           message: "Topic currently has \(s.partitionCount) partitions, which is higher than the requested \(totalCount)."))
            }
            if !validateOnly { shapes[topic]!.partitionCount = totalCount }
            return ResourceOutcome(name: topic)
        }
    }

    public func deleteRecords(topic: String, before: [Int32: Int64]) async throws -> [Int32: RecordDeletion] {
        locked {
            note("delete-records \(topic) " + before.sorted { $0.key < $1.key }.map { "\($0.key)<\($0.value)" }.joined(separator: ","), false)
            var out: [Int32: RecordDeletion] = [:]
            for (p, o) in before {
                if let r = refusals[topic] { out[p] = .refused(r); continue }
                let upTo = o < 0 ? (shapes[topic]?.latest[p] ?? 0) : o
                shapes[topic]?.earliest[p] = upTo
                out[p] = .deleted(lowWatermark: upTo)
            }
            return out
        }
    }

    public func topicShape(_ topic: String) async throws -> TopicShape? { locked { shapes[topic] } }

    public func describeConfigs(_ resource: ConfigResource) async throws -> [ConfigEntry] {
        try locked {
            if let configFailure { throw UserFacingError(configFailure) }
            guard let c = configs[resource] else {
                if case .topic(let t) = resource, shapes[t] == nil { throw UserFacingError("topic \(t) does not exist (UNKNOWN_TOPIC_OR_PARTITION)") }
                return []
            }
            return c
        }
    }

    public func alterConfigs(_ resource: ConfigResource, changes: [ConfigChange], validateOnly: Bool) async throws -> ResourceOutcome {
        locked {
            note("alter \(resource) " + changes.map { c -> String in
                switch c {
                case .set(let k, let v): return "set \(k)=\(v)"
                case .delete(let k): return "delete \(k)"
                }
            }.joined(separator: " "), validateOnly)
            let name = resource.kafkaName
            if let r = refusals[name] { return ResourceOutcome(name: name, refusal: r) }
            var current = configs[resource] ?? []
            for c in changes {
                if case .set(let k, let v) = c, k.hasSuffix(".ms") || k.hasSuffix(".bytes"), Int64(v) == nil {
                    return ResourceOutcome(name: name, refusal: BrokerRefusal(code: 40, name: "INVALID_CONFIG",
                                                                              message: "Invalid value \(v) for configuration \(k): Not a number of type LONG"))
                }
                if current.first(where: { $0.name == c.key })?.readOnly == true {
                    return ResourceOutcome(name: name, refusal: BrokerRefusal(code: 40, name: "INVALID_CONFIG",
                                                                              message: "Cannot update these configs dynamically: [\(c.key)]"))
                }
            }
            if validateOnly { return ResourceOutcome(name: name) }
            let own: ConfigSource = { if case .topic = resource { return .topic }; return resource == .brokerDefault ? .dynamicDefaultBroker : .dynamicBroker }()
            for c in changes {
                let i = current.firstIndex { $0.name == c.key }
                switch c {
                case .set(let k, let v):
                    let below = i.map { current[$0].synonyms.filter { $0.source != own } } ?? []
                    let entry = ConfigEntry(name: k, value: v, source: own, synonyms: [ConfigSynonym(name: k, value: v, source: own)] + below)
                    if let i { current[i] = entry } else { current.append(entry) }
                case .delete(let k):
                    guard let i else { continue }
                    let below = current[i].synonyms.first { $0.source != own }
                    if let below {
                        current[i] = ConfigEntry(name: k, value: below.value, source: below.source, synonyms: current[i].synonyms.filter { $0.source != own })
                    } else {
                        current.remove(at: i)
                    }
                }
            }
            configs[resource] = current
            return ResourceOutcome(name: name)
        }
    }

    public func describeAcls(_ filter: AclFilter) async throws -> [AclBinding] {
        try locked {
            aclLog.append("\(AclNames.resourceType(filter.resourceType)) \(filter.resourceName ?? "-") \(filter.pattern.rawValue)")
            if let aclRefusal { throw AclListRefused(aclRefusal) }
            // As the broker's AclBindingFilter: MATCH is the applying rule; the others compare names.
            return Self.acls.filter { a in
                guard filter.resourceType == AclNames.anyResource || a.resourceType == filter.resourceType else { return false }
                if let p = filter.principal, a.principal != p { return false }
                guard let name = filter.resourceName else { return true }
                switch filter.pattern {
                case .match: return a.match(resourceType: a.resourceType, name: name) != nil
                case .literal: return a.patternType == AclNames.literal && a.resourceName == name
                case .prefixed: return a.patternType == AclNames.prefixed && a.resourceName == name
                case .any: return a.resourceName == name
                }
            }
        }
    }
}
