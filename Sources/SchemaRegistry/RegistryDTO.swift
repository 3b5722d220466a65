import ClusterModel

/// Shapes of the Confluent Schema Registry REST API (a reference is ClusterModel's SchemaReference).
public enum SchemaType: String, Sendable, Hashable, Codable {
    case avro = "AVRO"
    case protobuf = "PROTOBUF"
    case json = "JSON"
}

/// `GET /schemas/ids/{id}`.
public struct RegisteredSchema: Sendable, Hashable {
    public var id: Int32
    public var type: SchemaType
    public var schema: String
    public var references: [SchemaReference]
}

/// One entry of `GET /schemas/ids/{id}/versions`.
public struct SchemaUsage: Sendable, Hashable, Codable {
    public var subject: String
    public var version: Int
    public init(subject: String, version: Int) {
        self.subject = subject
        self.version = version
    }
}

/// `GET /subjects/{s}/versions/{v}`.
public struct SubjectVersion: Sendable, Hashable {
    public var subject: String
    public var version: Int
    public var id: Int32
    public var type: SchemaType
    public var schema: String
    public var references: [SchemaReference]
}

struct SchemaBody: Decodable {
    var schema: String
    var schemaType: String?
    var references: [SchemaReference]?
    var subject: String?
    var version: Int?
    var id: Int32?
}

struct ErrorBody: Decodable {
    var error_code: Int?
    var message: String?
}

struct CompatibilityBody: Decodable {
    var compatibilityLevel: String?
    var compatibility: String?
}
