import Foundation
import SchemaCodecs

/// How the key or the value of records is read (`--key-format`, `--value-format`).
public enum PayloadFormat: String, Sendable, CaseIterable {
    /// Confluent framing decoded through the registry, else text / JSON / binary as before.
    case auto
    case avro, protobuf
    case jsonSchema = "json-schema"
    case text, json, hex, base64
}

/// One side (key or value) of a record after decoding.
public struct DecodedPayload: Sendable, Hashable {
    /// `avro`, `protobuf`, `json-schema`, `json`, `text`, `hex`, `base64`, or `binary` (auto, undecoded).
    public var format: String
    public var schemaID: Int32?
    /// The subject version that registered the schema (when the cache names subjects).
    public var subject: String?
    public var version: Int?
    /// Decoded JSON text (compact, escaped), when a schema or the json format produced it.
    public var json: String?
    /// Plain text rendering for text/hex/base64.
    public var text: String?
    /// Why decoding failed; the raw bytes are shown instead.
    public var error: String?
}

/// Schemas by id for one batch of records (see `RecordDecoder.resolve`).
public struct ResolvedSchemas: Sendable {
    var byID: [Int32: Result<CompiledSchema, DecodeError>] = [:]
    public init() {}
}

/// A local Protobuf schema for topics written without a registry (`--value-proto`, `--value-type`).
public struct LocalProtoSchema: Sendable {
    public let schema: ProtoSchema
    public let type: ProtoMessageType

    /// `file` is a .proto (its imports are read from the same directory) or a FileDescriptorSet.
    public init(file: String, messageType: String) throws {
        let url = URL(fileURLWithPath: file)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DecodeError("cannot read \(file): \(error.localizedDescription)")
        }
        let schema: ProtoSchema
        if let text = String(data: data, encoding: .utf8), text.contains("message") || text.contains("syntax") {
            let dir = url.deletingLastPathComponent()
            var imports: [String: ProtoFileDefinition] = [:]
            var pending = try ProtoSchema.parseFile(text, name: url.lastPathComponent).imports
            while let path = pending.popLast() {
                guard imports[path] == nil else { continue }
                let candidate = dir.appendingPathComponent(path)
                guard let t = try? String(contentsOf: candidate, encoding: .utf8) else { continue }  // built-in or missing
                let f = try ProtoSchema.parseFile(t, name: path)
                imports[path] = f
                pending += f.imports
            }
            schema = try ProtoSchema(main: try ProtoSchema.parseFile(text, name: url.lastPathComponent), others: Array(imports.values))
        } else {
            schema = try ProtoSchema(descriptorSet: [UInt8](data))
        }
        guard let type = schema.message(named: messageType) else {
            throw DecodeError("\(file) defines no message \(messageType)")
        }
        self.schema = schema
        self.type = type
    }
}

/// Decodes keys and values of records: Confluent-framed payloads through the registry's schemas
/// (fetched once per id, concurrently for a batch), local Protobuf schemas, or plain formats.
/// Failures are per record: the payload keeps its raw bytes and gets the reason.
public struct RecordDecoder: Sendable {
    public var cache: SchemaCache?
    public var keyFormat: PayloadFormat
    public var valueFormat: PayloadFormat
    public var keyProto: LocalProtoSchema?
    public var valueProto: LocalProtoSchema?

    public init(cache: SchemaCache?, keyFormat: PayloadFormat = .auto, valueFormat: PayloadFormat = .auto,
                keyProto: LocalProtoSchema? = nil, valueProto: LocalProtoSchema? = nil) {
        self.cache = cache
        self.keyFormat = keyFormat
        self.valueFormat = valueFormat
        self.keyProto = keyProto
        self.valueProto = valueProto
    }

    /// Nothing to do beyond the classic text/binary guess.
    public var isPassthrough: Bool {
        cache == nil && keyFormat == .auto && valueFormat == .auto && keyProto == nil && valueProto == nil
    }

    /// The schemas a batch names, fetched once and concurrently, so the batch then decodes without
    /// waiting (and without an actor hop per record, which cost more than the decoding itself).
    public func resolve(_ payloads: [[UInt8]?]) async -> ResolvedSchemas {
        guard let cache else { return ResolvedSchemas() }
        var ids: Set<Int32> = []
        for p in payloads { if let p, let f = ConfluentFrame.detect(p) { ids.insert(f.schemaID) } }
        var resolved = ResolvedSchemas()
        await withTaskGroup(of: (Int32, Result<CompiledSchema, DecodeError>).self) { group in
            for id in ids { group.addTask { (id, await cache.schema(id: id)) } }
            for await (id, result) in group { resolved.byID[id] = result }
        }
        return resolved
    }

    /// `topic` picks the subject that names the schema (TOPIC-key) when several registered it;
    /// `schemas` comes from `resolve` over the same payloads.
    public func decode(key bytes: [UInt8]?, topic: String? = nil, schemas: ResolvedSchemas) -> DecodedPayload? {
        decode(bytes, format: keyFormat, local: keyProto, topic: topic, isKey: true, schemas: schemas)
    }

    public func decode(value bytes: [UInt8]?, topic: String? = nil, schemas: ResolvedSchemas) -> DecodedPayload? {
        decode(bytes, format: valueFormat, local: valueProto, topic: topic, isKey: false, schemas: schemas)
    }

    func decode(_ bytes: [UInt8]?, format: PayloadFormat, local: LocalProtoSchema?, topic: String?, isKey: Bool,
                schemas: ResolvedSchemas) -> DecodedPayload? {
        guard let bytes else { return nil }
        if let local {
            // Framed (magic byte, id, message indexes) or bare: the framed reading is tried first.
            var offsets = [0]
            if let f = ConfluentFrame.detect(bytes), let (_, next) = try? ConfluentFrame.messageIndexes(bytes, at: f.payloadOffset) {
                offsets = [next, 0]
            }
            var reason = ""
            for offset in offsets {
                do {
                    return DecodedPayload(format: "protobuf", json: try local.schema.decodeJSON(bytes, from: offset, as: local.type))
                } catch {
                    if reason.isEmpty { reason = "\(error)" }
                }
            }
            return DecodedPayload(format: "protobuf", error: reason)
        }
        switch format {
        case .text:
            return DecodedPayload(format: "text", text: String(decoding: bytes, as: UTF8.self))
        case .hex:
            return DecodedPayload(format: "hex", text: bytes.map { String(format: "%02x", $0) }.joined())
        case .base64:
            return DecodedPayload(format: "base64", text: Data(bytes).base64EncodedString())
        case .json:
            do { return DecodedPayload(format: "json", json: try JSONSchemaPayload.decodeJSON(bytes)) } catch {
                return DecodedPayload(format: "json", error: "\(error)")
            }
        case .auto, .avro, .protobuf, .jsonSchema:
            guard let frame = ConfluentFrame.detect(bytes) else {
                if format == .auto { return nil }
                return DecodedPayload(format: format.rawValue, error: "not Confluent-framed (no magic byte 0 and schema id)")
            }
            guard cache != nil else {
                if format == .auto { return nil }
                return DecodedPayload(format: format.rawValue, schemaID: frame.schemaID,
                                      error: "no Schema Registry configured (--schema-registry URL)")
            }
            switch schemas.byID[frame.schemaID] ?? .failure(DecodeError("schema id \(frame.schemaID) was not resolved for this batch")) {
            case .failure(let e):
                return DecodedPayload(format: format == .auto ? "confluent" : format.rawValue, schemaID: frame.schemaID, error: e.message)
            case .success(let s):
                var d = Self.decode(bytes, frame, s, requested: format)
                if let u = s.usage(topic: topic, isKey: isKey) {
                    d.subject = u.subject
                    d.version = u.version
                }
                return d
            }
        }
    }

    static func decode(_ bytes: [UInt8], _ frame: ConfluentFrame, _ s: CompiledSchema, requested: PayloadFormat) -> DecodedPayload {
        let name: String
        switch s.type {
        case .avro: name = "avro"
        case .protobuf: name = "protobuf"
        case .json: name = "json-schema"
        }
        if requested != .auto && requested.rawValue != name {
            return DecodedPayload(format: name, schemaID: s.id, error: "schema \(s.id) is \(name), not \(requested.rawValue)")
        }
        do {
            switch s.codec {
            case .avro(let a):
                return DecodedPayload(format: name, schemaID: s.id, json: try a.decodeJSON(bytes, from: frame.payloadOffset))
            case .protobuf(let p):
                let (path, next) = try ConfluentFrame.messageIndexes(bytes, at: frame.payloadOffset)
                let type = try p.message(atPath: path)
                return DecodedPayload(format: name, schemaID: s.id, json: try p.decodeJSON(bytes, from: next, as: type))
            case .json:
                return DecodedPayload(format: name, schemaID: s.id, json: try JSONSchemaPayload.decodeJSON(bytes, from: frame.payloadOffset))
            }
        } catch {
            return DecodedPayload(format: name, schemaID: s.id, error: "\(error)")
        }
    }
}
