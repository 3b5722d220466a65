/// Where the user is. The route stack in `AppState` is a list of these; Esc pops one.
/// Every route has a screen in `ScreenRegistry` (or a notice that none is built in).
public enum Route: Hashable, Sendable {
    case brokers
    case quorum
    case topics
    case topic(String)
    case groups
    case group(String)
    case connectors
    case connector(cluster: String, name: String)
    case tail(topic: String)
    /// Schema Registry: subjects, one subject's versions, one version's schema.
    case subjects
    case subject(String)
    case schema(subject: String, version: Int)
    /// The offset-reset form of a consumer group (opened from its detail; never in read-only mode).
    case resetOffsets(group: String)

    /// The word shown in breadcrumbs.
    public var crumb: String {
        switch self {
        case .brokers: return "brokers"
        case .quorum: return "quorum"
        case .topics: return "topics"
        case .topic(let name): return name
        case .groups: return "groups"
        case .group(let name): return name
        case .connectors: return "connectors"
        case .connector(let cluster, let name): return "\(cluster)/\(name)"
        case .tail(let topic): return "tail \(topic)"
        case .subjects: return "schemas"
        case .subject(let name): return name
        case .schema(_, let version): return "v\(version)"
        case .resetOffsets: return "reset offsets"
        }
    }

    /// Title of the screen's frame.
    public var title: String {
        switch self {
        case .brokers: return "Brokers"
        case .quorum: return "KRaft quorum"
        case .topics: return "Topics"
        case .topic(let name): return "Topic \(name)"
        case .groups: return "Groups"
        case .group(let name): return "Group \(name)"
        case .connectors: return "Connectors"
        case .connector(let cluster, let name): return "Connector \(cluster)/\(name)"
        case .tail(let topic): return "Tail \(topic)"
        case .subjects: return "Schema Registry subjects"
        case .subject(let name): return "Subject \(name)"
        case .schema(let subject, let version): return "Schema \(subject) v\(version)"
        case .resetOffsets(let group): return "Reset offsets of group \(group)"
        }
    }

    /// The list a detail route belongs under (Esc from a detail opened by command goes there).
    public var parent: Route? {
        switch self {
        case .topic, .tail: return .topics
        case .group: return .groups
        case .connector: return .connectors
        case .subject, .schema: return .subjects
        case .resetOffsets(let group): return .group(group)
        default: return nil
        }
    }

    /// Routes reachable from command mode without an argument: they start a new stack.
    public var isTopLevel: Bool {
        switch self {
        case .brokers, .quorum, .topics, .groups, .connectors, .subjects: return true
        default: return false
        }
    }
}
