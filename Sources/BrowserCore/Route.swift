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
        }
    }

    /// The list a detail route belongs under (Esc from a detail opened by command goes there).
    public var parent: Route? {
        switch self {
        case .topic, .tail: return .topics
        case .group: return .groups
        case .connector: return .connectors
        default: return nil
        }
    }

    /// Routes reachable from command mode without an argument: they start a new stack.
    public var isTopLevel: Bool {
        switch self {
        case .brokers, .quorum, .topics, .groups, .connectors: return true
        default: return false
        }
    }
}
