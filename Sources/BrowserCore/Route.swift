import ClusterModel

/// Where the user is. The route stack in `AppState` is a list of these; Esc pops one.
/// Every route has a screen in `ScreenRegistry` (or a notice that none is built in).
public enum Route: Hashable, Sendable {
    case brokers
    /// One broker: its configs with source, sensitivity, read-only flag and synonyms.
    case broker(Int32)
    /// Every ACL of the cluster (DescribeAcls).
    case acls
    case quorum
    case topics
    case topic(String)
    case groups
    case group(String)
    case connectors
    case connector(cluster: String, name: String)
    case tail(topic: String)
    /// One record of a live tail (opened from the tail, over its buffer).
    case record(topic: String, partition: Int32, offset: Int64)
    /// Schema Registry: subjects, one subject's versions, one version's schema.
    case subjects
    case subject(String)
    case schema(subject: String, version: Int)
    /// The offset-reset form of a consumer group (opened from its detail; never in read-only mode).
    case resetOffsets(group: String)
    /// The produce composer of a topic (opened from the topics list or the topic detail; never in read-only mode).
    case produce(topic: String)
    /// The config editor of a topic, a broker or the cluster-wide broker default (never in read-only mode).
    case editConfigs(ConfigResource)
    /// The topic forms (issue 18; never in read-only mode): create (from Topics), add partitions and
    /// delete records (from the topic detail; `partition` preselects the selected row's).
    case createTopic
    case addPartitions(topic: String)
    case deleteRecords(topic: String, partition: Int32?)

    /// The word shown in breadcrumbs.
    public var crumb: String {
        switch self {
        case .brokers: return "brokers"
        case .broker(let id): return "broker \(id)"
        case .acls: return "acls"
        case .quorum: return "quorum"
        case .topics: return "topics"
        case .topic(let name): return name
        case .groups: return "groups"
        case .group(let name): return name
        case .connectors: return "connectors"
        case .connector(let cluster, let name): return "\(cluster)/\(name)"
        case .tail(let topic): return "tail \(topic)"
        case .record(_, let partition, let offset): return "p\(partition)@\(offset)"
        case .subjects: return "schemas"
        case .subject(let name): return name
        case .schema(_, let version): return "v\(version)"
        case .resetOffsets: return "reset offsets"
        case .produce: return "produce"
        case .editConfigs: return "edit configs"
        case .createTopic: return "create topic"
        case .addPartitions: return "add partitions"
        case .deleteRecords: return "delete records"
        }
    }

    /// Title of the screen's frame.
    public var title: String {
        switch self {
        case .brokers: return "Brokers"
        case .broker(let id): return "Broker \(id)"
        case .acls: return "ACLs"
        case .quorum: return "KRaft quorum"
        case .topics: return "Topics"
        case .topic(let name): return "Topic \(name)"
        case .groups: return "Groups"
        case .group(let name): return "Group \(name)"
        case .connectors: return "Connectors"
        case .connector(let cluster, let name): return "Connector \(cluster)/\(name)"
        case .tail(let topic): return "Tail \(topic)"
        case .record(let topic, let partition, let offset): return "Record \(topic) partition \(partition) offset \(offset)"
        case .subjects: return "Schema Registry subjects"
        case .subject(let name): return "Subject \(name)"
        case .schema(let subject, let version): return "Schema \(subject) v\(version)"
        case .resetOffsets(let group): return "Reset offsets of group \(group)"
        case .produce(let topic): return "Produce to \(topic)"
        case .editConfigs(let resource): return "Edit configs of \(resource)"
        case .createTopic: return "Create a topic"
        case .addPartitions(let topic): return "Add partitions to \(topic)"
        case .deleteRecords(let topic, _): return "Delete records of \(topic)"
        }
    }

    /// Where the app reopens this route after a context switch: a record lives in its tail's buffer.
    public var reopened: Route {
        if case .record(let topic, _, _) = self { return .tail(topic: topic) }
        return self
    }

    /// A screen that exists only to make a write (a form, an editor, the composer).
    public var isWriteScreen: Bool {
        switch self {
        case .resetOffsets, .produce, .editConfigs, .createTopic, .addPartitions, .deleteRecords: return true
        default: return false
        }
    }

    /// Where to open this route in a context that is (`readOnly`) or not read-only: in read-only mode a
    /// write screen does not exist, so the view it is opened from stands in (e.g. after `:ctx` to a
    /// context configured read_only).
    public func opened(readOnly: Bool) -> Route {
        guard readOnly, isWriteScreen, let parent else { return self }
        return parent
    }

    /// The list a detail route belongs under (Esc from a detail opened by command goes there).
    public var parent: Route? {
        switch self {
        case .topic, .tail, .produce: return .topics
        case .broker: return .brokers
        case .record(let topic, _, _): return .tail(topic: topic)
        case .group: return .groups
        case .connector: return .connectors
        case .subject, .schema: return .subjects
        case .resetOffsets(let group): return .group(group)
        case .editConfigs(.topic(let topic)), .addPartitions(let topic), .deleteRecords(let topic, _): return .topic(topic)
        case .createTopic: return .topics
        case .editConfigs(.broker(let id)): return .broker(id)
        case .editConfigs: return .brokers
        default: return nil
        }
    }

    /// Routes reachable from command mode without an argument: they start a new stack.
    public var isTopLevel: Bool {
        switch self {
        case .brokers, .acls, .quorum, .topics, .groups, .connectors, .subjects: return true
        default: return false
        }
    }
}
