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
