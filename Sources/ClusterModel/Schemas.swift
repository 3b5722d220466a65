/// Schema Registry values as the browser sees them (plain values: no HTTP, no decoder types).

/// A record's key or value decoded through a schema (a registry's, or a local .proto), or the
/// reason it could not be: the record view names the format and the schema, or shows the reason
/// next to the raw bytes.
public struct SchemaDecoded: Sendable, Hashable {
    /// `avro`, `protobuf`, `json-schema` (or the format asked for with --value-format).
    public var format: String
    public var schemaID: Int32?
    /// The subject and version that registered the schema (the topic's subject first), when known.
    public var subject: String?
    public var version: Int?
    /// Compact JSON of the decoded payload (nil when decoding failed).
    public var json: String?
    /// Why decoding failed; the raw bytes are what to show then.
    public var error: String?

    public init(format: String, schemaID: Int32? = nil, subject: String? = nil, version: Int? = nil,
                json: String? = nil, error: String? = nil) {
        self.format = format
        self.schemaID = schemaID
        self.subject = subject
        self.version = version
        self.json = json
        self.error = error
    }

    /// "avro · schema 3 · orders-value v2" (what is known of it).
    public var label: String {
        var parts = [format]
        if let schemaID { parts.append("schema \(schemaID)") }
        if let subject { parts.append(version.map { "\(subject) v\($0)" } ?? subject) }
        return parts.joined(separator: " · ")
    }
}

/// One subject in the `:schemas` list.
public struct SubjectSummary: Sendable, Hashable {
    public var name: String
    public var latestVersion: Int?
    public var schemaID: Int32?
    /// `AVRO`, `PROTOBUF`, `JSON`.
    public var type: String?
    /// The subject's own level, else the global one (`compatibilityIsGlobal`).
    public var compatibility: String?
    public var compatibilityIsGlobal: Bool
    /// Why the latest version could not be read (the row stays, marked).
    public var error: String?

    public init(name: String, latestVersion: Int? = nil, schemaID: Int32? = nil, type: String? = nil,
                compatibility: String? = nil, compatibilityIsGlobal: Bool = false, error: String? = nil) {
        self.name = name
        self.latestVersion = latestVersion
        self.schemaID = schemaID
        self.type = type
        self.compatibility = compatibility
        self.compatibilityIsGlobal = compatibilityIsGlobal
        self.error = error
    }
}

/// A schema that another one references, as the registry's REST API writes it (hence Codable).
public struct SchemaReference: Sendable, Hashable, Codable {
    /// Avro: the referenced type's full name; Protobuf: the import path; JSON: the $ref URL.
    public var name: String
    public var subject: String
    public var version: Int
    public init(name: String, subject: String, version: Int) {
        self.name = name
        self.subject = subject
        self.version = version
    }
}

/// One registered version of a subject, with its schema text.
public struct SubjectSchema: Sendable, Hashable {
    public var subject: String
    public var version: Int
    public var schemaID: Int32
    public var type: String
    public var schema: String
    public var references: [SchemaReference]

    public init(subject: String, version: Int, schemaID: Int32, type: String, schema: String,
                references: [SchemaReference] = []) {
        self.subject = subject
        self.version = version
        self.schemaID = schemaID
        self.type = type
        self.schema = schema
        self.references = references
    }
}

/// A subject's versions (newest last), each read in full; versions that could not be read are
/// in `errors`.
public struct SubjectDetail: Sendable, Hashable {
    public var subject: String
    public var versions: [SubjectSchema]
    public var compatibility: String?
    public var compatibilityIsGlobal: Bool
    public var errors: [SourceError]

    public init(subject: String, versions: [SubjectSchema], compatibility: String? = nil,
                compatibilityIsGlobal: Bool = false, errors: [SourceError] = []) {
        self.subject = subject
        self.versions = versions
        self.compatibility = compatibility
        self.compatibilityIsGlobal = compatibilityIsGlobal
        self.errors = errors
    }
}

/// What the browser asks of the Schema Registry (read-only).
public protocol SchemaRegistryService: Sendable {
    /// Where it is, for titles and messages (no credentials).
    var displayURL: String { get }
    /// Every subject with its latest version; subjects whose latest version failed come with `error`.
    func subjects() async throws -> Partial<[SubjectSummary]>
    func subject(named name: String) async throws -> SubjectDetail
    func schema(subject: String, version: Int) async throws -> SubjectSchema
}
