/// What a write is, told by the write kind that offers it (Connect actions, produce, offset
/// reset, group and topic deletes, config changes). The flow builds every confirmation,
/// refusal, report and audit line from this one value, so no write words them itself.
public struct WriteDescription: Sendable, Hashable {
    /// Which family of write this is; the audit line names it.
    public var kind: WriteKind
    /// Verb phrase naming the kind of object: "pause connector", "reset offsets of consumer group".
    public var action: String
    public var target: WriteTarget
    /// Lines shown under the question: the current state, the plan, what cannot be undone.
    public var details: [String]
    /// The user must type the target's name (for writes that cannot be undone, e.g. deletes).
    public var typeNameToConfirm: Bool
    /// Whether the result becomes visible only later (Connect state changes): after the write is
    /// accepted the flow polls until the driver observes the end state or the settle timeout passes.
    public var settles: Bool
    /// Extra audit fields (spec, partitions, old -> new). Values whose key names a secret, and
    /// passwords inside URLs, are masked when the audit line is written.
    public var audit: [AuditField]

    public init(kind: WriteKind, action: String, target: WriteTarget, details: [String] = [],
                typeNameToConfirm: Bool = false, settles: Bool = false, audit: [AuditField] = []) {
        self.kind = kind
        self.action = action
        self.target = target
        self.details = details
        self.typeNameToConfirm = typeNameToConfirm
        self.settles = settles
        self.audit = audit
    }

    /// "pause connector orders-sink on Connect cluster QA": the one wording every message uses.
    public var phrase: String { "\(action) \(target.phrase)" }

    /// "Pause connector orders-sink on Connect cluster QA?"
    public var question: String {
        let p = phrase
        return p.prefix(1).uppercased() + p.dropFirst() + "?"
    }
}

/// What a write acts on and where.
public struct WriteTarget: Sendable, Hashable {
    /// The resource's own name: what the user types to confirm ("orders-sink", "billing-consumers").
    public var name: String
    /// Words after the name that narrow the action: "and all its tasks", "for topic orders".
    public var qualifier: String?
    /// The cluster or context it lives in: "Connect cluster QA", "cluster prod"; nil when not known yet.
    public var location: String?

    public init(name: String, qualifier: String? = nil, location: String? = nil) {
        self.name = name
        self.qualifier = qualifier
        self.location = location
    }

    /// "orders-sink and all its tasks on Connect cluster QA".
    public var phrase: String {
        var text = name
        if let qualifier, !qualifier.isEmpty { text += " " + qualifier }
        if let location, !location.isEmpty { text += " on " + location }
        return text
    }
}

/// A family of writes. Open (a string), so a new write kind needs no change here.
public struct WriteKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let connectorAction = WriteKind("connector-action")
    public static let produce = WriteKind("produce")
    public static let offsetReset = WriteKind("offset-reset")
    public static let offsetDelete = WriteKind("offset-delete")
    public static let groupDelete = WriteKind("group-delete")
    public static let topicCreate = WriteKind("topic-create")
    public static let topicDelete = WriteKind("topic-delete")
    public static let configChange = WriteKind("config-change")
}

/// One `key=value` of an audit line.
public struct AuditField: Sendable, Hashable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
