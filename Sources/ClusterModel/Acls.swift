/// One ACL as DescribeAcls returns it. Kafka's enums are kept as their wire numbers and named on
/// demand, so a value a newer broker adds is shown as UNKNOWN(n) instead of failing the read.
public struct AclBinding: Sendable, Hashable {
    public var principal: String
    public var host: String
    public var operation: Int8
    public var permission: Int8
    public var resourceType: Int8
    public var resourceName: String
    public var patternType: Int8

    public init(principal: String, host: String, operation: Int8, permission: Int8, resourceType: Int8,
                resourceName: String, patternType: Int8) {
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
    }

    public var operationName: String { AclNames.operation(operation) }
    public var permissionName: String { AclNames.permission(permission) }
    public var resourceTypeName: String { AclNames.resourceType(resourceType) }
    public var patternTypeName: String { AclNames.patternType(patternType) }
}

/// Kafka's names for the ACL enums (org.apache.kafka.common.acl / resource).
public enum AclNames {
    static let resourceTypes = ["UNKNOWN", "ANY", "TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID", "DELEGATION_TOKEN", "USER"]
    static let patternTypes = ["UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED"]
    static let operations = ["UNKNOWN", "ANY", "ALL", "READ", "WRITE", "CREATE", "DELETE", "ALTER", "DESCRIBE",
                             "CLUSTER_ACTION", "DESCRIBE_CONFIGS", "ALTER_CONFIGS", "IDEMPOTENT_WRITE", "CREATE_TOKENS",
                             "DESCRIBE_TOKENS", "TWO_PHASE_COMMIT"]
    static let permissions = ["UNKNOWN", "ANY", "DENY", "ALLOW"]

    static func name(_ table: [String], _ v: Int8) -> String {
        v >= 0 && Int(v) < table.count ? table[Int(v)] : "UNKNOWN(\(v))"
    }
    public static func resourceType(_ v: Int8) -> String { name(resourceTypes, v) }
    public static func patternType(_ v: Int8) -> String { name(patternTypes, v) }
    public static func operation(_ v: Int8) -> String { name(operations, v) }
    public static func permission(_ v: Int8) -> String { name(permissions, v) }

    public static let topic: Int8 = 2, group: Int8 = 3, anyResource: Int8 = 1
    public static let anyPattern: Int8 = 1, match: Int8 = 2, literal: Int8 = 3, prefixed: Int8 = 4
    public static let anyOperation: Int8 = 1, anyPermission: Int8 = 1
    public static let deny: Int8 = 2, allow: Int8 = 3
}

/// A DescribeAcls filter: which resources (type, name, how the name matches) and whose ACLs.
public struct AclFilter: Sendable, Hashable {
    public enum Pattern: String, Sendable, Hashable, CaseIterable {
        /// ACLs on exactly this name (and the `*` wildcard ACL stays out).
        case literal
        /// Prefixed ACLs whose prefix is exactly this name.
        case prefixed
        /// Every ACL that applies to this name: literal, wildcard and matching prefixes.
        case match
        /// Any pattern type.
        case any

        public var kafkaValue: Int8 {
            switch self {
            case .literal: return AclNames.literal
            case .prefixed: return AclNames.prefixed
            case .match: return AclNames.match
            case .any: return AclNames.anyPattern
            }
        }
    }

    public var resourceType: Int8
    /// nil: any name.
    public var resourceName: String?
    public var pattern: Pattern
    public var principal: String?
    public var host: String?

    public init(resourceType: Int8 = AclNames.anyResource, resourceName: String? = nil, pattern: Pattern = .any,
                principal: String? = nil, host: String? = nil) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.pattern = pattern
        self.principal = principal
        self.host = host
    }

    /// Every ACL in the cluster.
    public static let all = AclFilter()

    /// The ACLs that apply to a topic (or group): literal, prefixed and wildcard ones.
    public static func applying(toTopic topic: String) -> AclFilter {
        AclFilter(resourceType: AclNames.topic, resourceName: topic, pattern: .match)
    }
    public static func applying(toGroup group: String) -> AclFilter {
        AclFilter(resourceType: AclNames.group, resourceName: group, pattern: .match)
    }
}

/// How an ACL comes to apply to a resource name, as Kafka's authorizer matches it.
public enum AclMatch: String, Sendable, Hashable, CaseIterable {
    /// A LITERAL ACL on exactly this name.
    case literal
    /// A PREFIXED ACL whose prefix starts the name.
    case prefixed
    /// The LITERAL `*` ACL: every resource of the type.
    case wildcard
}

extension AclBinding {
    /// The wildcard resource name of a LITERAL ACL.
    public static let wildcardName = "*"

    /// How this ACL applies to resource `name` of `type`, or nil when it does not (another type or
    /// name, a prefix that does not start the name, a pattern type the authorizer never matches).
    public func match(resourceType type: Int8, name: String) -> AclMatch? {
        guard resourceType == type else { return nil }
        switch patternType {
        case AclNames.literal:
            if resourceName == name { return .literal }
            return resourceName == Self.wildcardName ? .wildcard : nil
        case AclNames.prefixed:
            // An empty prefix is refused by Kafka when the ACL is created: never match on it.
            return !resourceName.isEmpty && name.hasPrefix(resourceName) ? .prefixed : nil
        default:
            return nil
        }
    }
}

/// One ACL that applies to a resource, with the rule that makes it apply.
public struct ApplyingAcl: Sendable, Hashable {
    public var binding: AclBinding
    public var match: AclMatch
    public init(binding: AclBinding, match: AclMatch) {
        self.binding = binding
        self.match = match
    }
}

extension AclFilter {
    /// The ACLs of `acls` that apply to this filter's resource (for MATCH filters: a broker may
    /// answer more than asked, e.g. a DescribeAcls v0 broker that only knows literal names), each
    /// with how it applies; nil when the filter names no single resource.
    public func applying(_ acls: [AclBinding]) -> [ApplyingAcl]? {
        guard let name = resourceName, resourceType != AclNames.anyResource else { return nil }
        return acls.compactMap { a in a.match(resourceType: resourceType, name: name).map { ApplyingAcl(binding: a, match: $0) } }
    }
}

/// The broker refused DescribeAcls (no authorizer, no permission, ...): a state of the cluster to
/// explain, not an empty list.
public struct AclListRefused: Error, Sendable, Hashable, CustomStringConvertible {
    public static let securityDisabled: Int16 = 54
    public static let clusterAuthorizationFailed: Int16 = 31

    public var refusal: BrokerRefusal
    public init(_ refusal: BrokerRefusal) { self.refusal = refusal }

    /// "cannot list ACLs: SECURITY_DISABLED (54): ... (no authorizer is configured on the cluster)"
    public var description: String {
        "cannot list ACLs: \(refusal)" + (refusal.code == Self.securityDisabled ? " (no authorizer is configured on the cluster)" : "")
    }

    /// What a screen shows instead of the ACLs: what the refusal means for who may do what.
    public var explanation: String {
        switch refusal.code {
        case Self.securityDisabled:
            return "No authorizer is configured on this cluster (\(refusal)): it keeps no ACLs, and every client may do everything its listener lets it."
        case Self.clusterAuthorizationFailed:
            return "Not allowed to list ACLs (\(refusal)): listing needs DESCRIBE on the cluster resource for this principal."
        default:
            return "The broker refused to list ACLs: \(refusal)"
        }
    }
}

/// A DescribeAcls answer as a screen shows it: the ACLs, or the broker's refusal to list them.
public enum AclListing: Sendable, Hashable {
    case acls([AclBinding])
    case refused(AclListRefused)

    public var acls: [AclBinding]? {
        if case .acls(let a) = self { return a }
        return nil
    }
}
