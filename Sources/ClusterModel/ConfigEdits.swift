/// A config holder: a topic, one broker, or the cluster-wide broker default.
public enum ConfigResource: Sendable, Hashable, CustomStringConvertible {
    case topic(String)
    case broker(Int32)
    case brokerDefault

    /// Kafka's resource type (2 topic, 4 broker) and name ("" for the cluster default).
    public var kafkaType: Int8 { if case .topic = self { return 2 }; return 4 }
    public var kafkaName: String {
        switch self {
        case .topic(let t): return t
        case .broker(let id): return String(id)
        case .brokerDefault: return ""
        }
    }

    /// "topic orders", "broker 2", "the cluster-wide broker default".
    public var description: String {
        switch self {
        case .topic(let t): return "topic \(t)"
        case .broker(let id): return "broker \(id)"
        case .brokerDefault: return "the cluster-wide broker default"
        }
    }

    /// What a confirmation names and a user types: the topic name, the broker id, "default".
    public var targetName: String {
        switch self {
        case .topic(let t): return t
        case .broker(let id): return String(id)
        case .brokerDefault: return "default"
        }
    }
}

/// One synonym of a config (DescribeConfigs v1+): another place the value is defined.
public struct ConfigSynonym: Sendable, Hashable {
    public var name: String
    /// nil for sensitive values.
    public var value: String?
    public var source: ConfigSource
    public init(name: String, value: String?, source: ConfigSource) {
        self.name = name
        self.value = value
        self.source = source
    }
}

/// One incremental change (IncrementalAlterConfigs SET / DELETE).
public enum ConfigChange: Sendable, Hashable {
    case set(String, String)
    case delete(String)

    public var key: String {
        switch self {
        case .set(let k, _), .delete(let k): return k
        }
    }
}

/// One line of a config diff, as shown before a change: the value now, the value after.
public struct ConfigDiffLine: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Not set on this resource before (a default or nothing).
        case added
        case changed
        /// A dynamic value removed: the resource falls back to its default.
        case removed
        /// The change would leave the value as it is.
        case unchanged
    }

    public var key: String
    public var kind: Kind
    /// Display values: masked when sensitive; nil old = not set at this level.
    public var old: String?
    public var new: String?
    public var oldSource: ConfigSource?
    /// "default 604800000 (static_broker log.retention.ms)" for a removal: what it falls back to.
    public var fallback: String?

    public init(key: String, kind: Kind, old: String?, new: String?, oldSource: ConfigSource? = nil, fallback: String? = nil) {
        self.key = key
        self.kind = kind
        self.old = old
        self.new = new
        self.oldSource = oldSource
        self.fallback = fallback
    }

    /// "retention.ms: 604800000 (default) -> 86400000"
    public var text: String {
        let before = old.map { v in oldSource.map { "\(v) (\($0.rawValue))" } ?? v } ?? "(not set)"
        switch kind {
        case .added, .changed: return "\(key): \(before) -> \(new ?? "")"
        case .removed: return "\(key): \(before) -> deleted" + (fallback.map { ", falls back to \($0)" } ?? "")
        case .unchanged: return "\(key): \(before) (unchanged)"
        }
    }
}

/// Old -> new for a set of changes against the current configs; sensitive values are masked.
public enum ConfigDiff {
    public static let masked = "[sensitive]"

    /// Whether a key's values must never be shown: the broker says so, or its name says so.
    public static func isSensitive(_ key: String, entry: ConfigEntry?) -> Bool {
        entry?.isSensitive == true || ConnectConfigMasking.isSecret(key: key)
    }

    /// The value as anything may display it (screens, JSON, logs).
    public static func display(_ entry: ConfigEntry) -> String? {
        isSensitive(entry.name, entry: entry) ? masked : entry.value
    }

    /// The levels a resource sets itself: values of another source are defaults for it.
    public static func isOwnLevel(_ source: ConfigSource, of resource: ConfigResource) -> Bool {
        switch resource {
        case .topic: return source == .topic
        case .broker: return source == .dynamicBroker
        case .brokerDefault: return source == .dynamicDefaultBroker
        }
    }

    public static func lines(current: [ConfigEntry], changes: [ConfigChange], resource: ConfigResource) -> [ConfigDiffLine] {
        let byName = Dictionary(current.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return changes.map { change in
            let entry = byName[change.key]
            let secret = isSensitive(change.key, entry: entry)
            let oldValue = entry.flatMap { secret ? masked : $0.value }
            let own = entry.map { isOwnLevel($0.source, of: resource) } ?? false
            switch change {
            case .set(let key, let value):
                let newValue = secret ? masked : value
                if own, !secret, entry?.value == value {
                    return ConfigDiffLine(key: key, kind: .unchanged, old: oldValue, new: newValue, oldSource: entry?.source)
                }
                return ConfigDiffLine(key: key, kind: own ? .changed : .added, old: oldValue, new: newValue, oldSource: entry?.source)
            case .delete(let key):
                guard own, let entry else {
                    return ConfigDiffLine(key: key, kind: .unchanged, old: oldValue, new: oldValue, oldSource: entry?.source)
                }
                // The first synonym below this level is what the resource falls back to.
                let below = entry.synonyms.first { !isOwnLevel($0.source, of: resource) }
                let fallback = below.map { s in
                    "\(secret ? masked : (s.value ?? masked)) (\(s.source.rawValue) \(s.name))"
                } ?? "the broker's default"
                return ConfigDiffLine(key: key, kind: .removed, old: oldValue, new: nil, oldSource: entry.source, fallback: fallback)
            }
        }
    }
}
