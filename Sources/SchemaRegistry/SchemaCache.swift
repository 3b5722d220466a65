import Foundation
import ClusterModel
import SchemaCodecs

/// A registry schema ready to decode with: parsed once, shared by every record that names it.
public struct CompiledSchema: @unchecked Sendable {
    public enum Codec: @unchecked Sendable {
        case avro(AvroSchema)
        case protobuf(ProtoSchema)
        case json
    }
    public var id: Int32
    public var type: SchemaType
    public var codec: Codec
    /// The subject versions registered with this id (read only when the cache names subjects).
    public var usages: [SchemaUsage] = []

    /// The usage that names this schema for a record of `topic`: the topic-name-strategy subject
    /// (`TOPIC-key` / `TOPIC-value`) when registered, else the first (nil when there are none).
    public func usage(topic: String?, isKey: Bool) -> SchemaUsage? {
        if let topic, let hit = usages.last(where: { $0.subject == topic + (isKey ? "-key" : "-value") }) { return hit }
        return usages.first
    }
}

/// Schemas by id for the session. A schema is fetched once however many records need it
/// (concurrent requests for one id share the fetch); a missing id (404) is remembered, while
/// transport failures are retried after a pause so a registry that comes back is used again.
public actor SchemaCache {
    public let client: SchemaRegistryClient
    enum Entry {
        case ready(CompiledSchema)
        case failed(String, retryAt: ContinuousClock.Instant?)
        case loading(Task<CompiledSchema, Error>)
    }
    var entries: [Int32: Entry] = [:]
    var versions: [String: SubjectVersion] = [:]
    let retryAfter: Duration
    /// How many schema fetches were sent (tests check "fetched once").
    public private(set) var fetches = 0

    /// Also read which subjects registered each schema (one more request per id), so that a
    /// decoded record can name its subject and version (the record view does).
    let namesSubjects: Bool

    public init(client: SchemaRegistryClient, retryAfter: Duration = .seconds(10), namesSubjects: Bool = false) {
        self.client = client
        self.retryAfter = retryAfter
        self.namesSubjects = namesSubjects
    }

    /// The compiled schema, or the reason it is not available (per record, never thrown).
    public func schema(id: Int32) async -> Result<CompiledSchema, DecodeError> {
        switch entries[id] {
        case .ready(let s): return .success(s)
        case .failed(let reason, let retryAt):
            if retryAt == nil || ContinuousClock.now < retryAt! { return .failure(DecodeError(reason)) }
        case .loading(let task): return await outcome(id, task)
        case nil: break
        }
        fetches += 1
        let task = Task { try await self.compile(id: id) }
        entries[id] = .loading(task)
        return await outcome(id, task)
    }

    func outcome(_ id: Int32, _ task: Task<CompiledSchema, Error>) async -> Result<CompiledSchema, DecodeError> {
        do {
            let s = try await task.value
            entries[id] = .ready(s)
            return .success(s)
        } catch {
            let reason = "\(error)"
            let permanent: Bool
            if let e = error as? RegistryError { permanent = e.kind == .notFound } else { permanent = error is DecodeError }
            entries[id] = .failed(reason, retryAt: permanent ? nil : ContinuousClock.now + retryAfter)
            return .failure(DecodeError(reason))
        }
    }

    func compile(id: Int32) async throws -> CompiledSchema {
        let registered = try await client.schema(id: id)
        var compiled = try await compile(registered)
        if namesSubjects {
            // Only a label: a registry without this endpoint still decodes.
            compiled.usages = (try? await client.usages(id: id)) ?? []
        }
        return compiled
    }

    func compile(_ registered: RegisteredSchema) async throws -> CompiledSchema {
        let id = registered.id
        switch registered.type {
        case .avro:
            // References first, the deepest first, so their named types exist when the schema uses them.
            var texts: [String] = []
            var seen: Set<String> = []
            try await collectAvro(registered.references, into: &texts, seen: &seen, depth: 0)
            return CompiledSchema(id: id, type: .avro, codec: .avro(try AvroSchema.parse(registered.schema, references: texts)))
        case .protobuf:
            var imports: [String: ProtoFileDefinition] = [:]
            try await collectProto(registered.references, into: &imports, depth: 0)
            let main = try ProtoText.file(registered.schema, name: "schema-\(id).proto")
            let schema = try ProtoSchema(main: main, others: Array(imports.values))
            return CompiledSchema(id: id, type: .protobuf, codec: .protobuf(schema))
        case .json:
            return CompiledSchema(id: id, type: .json, codec: .json)
        }
    }

    func referenced(_ r: SchemaReference) async throws -> SubjectVersion {
        let key = "\(r.subject)\u{0}\(r.version)"
        if let v = versions[key] { return v }
        let v = try await client.version(subject: r.subject, version: r.version < 0 ? "latest" : String(r.version))
        versions[key] = v
        return v
    }

    func collectAvro(_ refs: [SchemaReference], into texts: inout [String], seen: inout Set<String>, depth: Int) async throws {
        guard depth < 32 else { throw DecodeError("schema references nest deeper than 32") }
        for r in refs where !seen.contains(r.name) {
            seen.insert(r.name)
            let v = try await referenced(r)
            try await collectAvro(v.references, into: &texts, seen: &seen, depth: depth + 1)
            texts.append(v.schema)
        }
    }

    func collectProto(_ refs: [SchemaReference], into imports: inout [String: ProtoFileDefinition], depth: Int) async throws {
        guard depth < 32 else { throw DecodeError("schema references nest deeper than 32") }
        for r in refs where imports[r.name] == nil {
            let v = try await referenced(r)
            imports[r.name] = try ProtoText.file(v.schema, name: r.name)
            try await collectProto(v.references, into: &imports, depth: depth + 1)
        }
    }
}

/// Registries answer Protobuf schemas as .proto text; some (or `format=serialized`) give a
/// base64 FileDescriptorProto, which is turned back into text here.
enum ProtoText {
    static func file(_ schema: String, name: String) throws -> ProtoFileDefinition {
        let trimmed = schema.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.contains(";"), !trimmed.contains("{"), let data = Data(base64Encoded: trimmed) {
            var f = try ProtoSchema.parseDescriptor([UInt8](data))
            f.name = name
            return f
        }
        return try ProtoSchema.parseFile(schema, name: name)
    }
}
