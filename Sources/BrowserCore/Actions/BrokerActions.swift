import TerminalCore

/// Broker detail keys (issue 18): edit this broker's dynamic configs, or the cluster-wide broker
/// default, in the config editor (diff, broker's verdict, apply). Writes: read-only mode offers none.
public enum BrokerAction: String, ActionDeclaration {
    case editBrokerConfigs
    case editClusterDefault

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .editBrokerConfigs: return [.character("E")]
        case .editClusterDefault: return [.character("D")]
        }
    }

    public var help: String {
        switch self {
        case .editBrokerConfigs: return "Edit this broker's dynamic configs: set/delete keys, diff, broker's verdict, apply"
        case .editClusterDefault: return "Edit the cluster-wide broker default configs (every broker): diff, verdict, apply"
        }
    }

    public var hint: String? {
        switch self {
        case .editBrokerConfigs: return "edit configs"
        case .editClusterDefault: return "edit default"
        }
    }

    public var isWrite: Bool { true }
}
