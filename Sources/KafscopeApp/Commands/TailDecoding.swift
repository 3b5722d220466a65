import ArgumentParser
import ClusterModel
import Foundation
import KafscopeConfig
import Logging
import SchemaRegistry

/// `tail --key-format/--value-format`, `--key-proto/--key-type`, `--value-proto/--value-type`.
public struct TailDecodingOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("key-format"), help: "auto, avro, protobuf, json-schema, text, json, hex or base64.")
    public var keyFormat: String = "auto"
    @Option(name: .customLong("value-format"), help: "auto (Confluent framing through the registry, else a guess), avro, protobuf, json-schema, text, json, hex or base64.")
    public var valueFormat: String = "auto"
    @Option(name: .customLong("key-proto"), help: "A .proto file or FileDescriptorSet for keys written without a registry.")
    public var keyProto: String?
    @Option(name: .customLong("key-type"), help: "The key's message type in --key-proto (pkg.Message).")
    public var keyType: String?
    @Option(name: .customLong("value-proto"), help: "A .proto file or FileDescriptorSet for values written without a registry.")
    public var valueProto: String?
    @Option(name: .customLong("value-type"), help: "The value's message type in --value-proto (pkg.Message).")
    public var valueType: String?

    public init() {}

    /// The decoding options given (for `--raw`, which refuses them), or nil when none was.
    var requested: String? {
        if keyFormat.lowercased() != "auto" { return "--key-format \(keyFormat)" }
        if valueFormat.lowercased() != "auto" { return "--value-format \(valueFormat)" }
        if keyProto != nil { return "--key-proto" }
        if valueProto != nil { return "--value-proto" }
        return nil
    }

    public func validate() throws {
        _ = try Self.format(keyFormat, "--key-format")
        _ = try Self.format(valueFormat, "--value-format")
        if (keyProto == nil) != (keyType == nil) { throw ValidationError("--key-proto and --key-type go together") }
        if (valueProto == nil) != (valueType == nil) { throw ValidationError("--value-proto and --value-type go together") }
    }

    static func format(_ s: String, _ option: String) throws -> PayloadFormat {
        guard let f = PayloadFormat(rawValue: s.lowercased()) else {
            throw ValidationError("\(option) must be one of \(PayloadFormat.allCases.map(\.rawValue).joined(separator: ", ")), not '\(s)'")
        }
        return f
    }

    /// The decoder for this tail; the registry client is returned to be shut down afterwards.
    func makeDecoder(_ global: GlobalOptions, _ settings: KafscopeSettings, logger: Logger) throws -> (RecordDecoder, SchemaRegistryClient?) {
        let client = try SchemaRegistrySetup.client(global, settings, logger: logger)
        func local(_ file: String?, _ type: String?) throws -> LocalProtoSchema? {
            guard let file, let type else { return nil }
            do { return try LocalProtoSchema(file: file, messageType: type) } catch { throw ValidationError("\(error)") }
        }
        // Subjects named too (one more request per schema id), so each line says which subject version wrote it.
        let decoder = RecordDecoder(cache: client.map { SchemaCache(client: $0, namesSubjects: true) },
                                    keyFormat: try Self.format(keyFormat, "--key-format"),
                                    valueFormat: try Self.format(valueFormat, "--value-format"),
                                    keyProto: try local(keyProto, keyType), valueProto: try local(valueProto, valueType))
        return (decoder, client)
    }
}

/// Tail lines for decoded records. JSON: the usual object with `key`/`value` as decoded JSON when a
/// schema decoded them, plus `key_format`, `key_schema_id`, `key_subject`, `key_schema_version` and
/// their `value_` twins (subject and version: the subject version that registered the schema,
/// `TOPIC-key`/`TOPIC-value` first when several did) (and `key_error`/`value_error` when decoding failed: the raw bytes are kept).
enum TailDecodedOutput {
    /// One line for `r`; `schemas` comes from `decoder.resolve` over the record's batch.
    static func line(_ r: TailRecord, decoder: RecordDecoder, schemas: ResolvedSchemas, json: Bool,
                     notices: inout [String]) -> String {
        let key = decoder.decode(key: r.key, topic: r.topic, schemas: schemas)
        let value = decoder.decode(value: r.value, topic: r.topic, schemas: schemas)
        for (side, d) in [("key", key), ("value", value)] {
            if let e = d?.error { notices.append("partition \(r.partition) offset \(r.offset): \(side) not decoded: \(e)") }
        }
        if !json {
            if let v = value, v.error == nil, let text = v.json ?? v.text { return text }
            return String(decoding: r.value ?? [], as: UTF8.self)
        }
        // The fields of TailCommand.recordJSON in its order, each side followed by how it was read.
        func side(_ name: String, _ bytes: [UInt8]?, _ d: DecodedPayload?) -> [(String, JSONValue)] {
            var shown = TailCommand.bytesJSON(bytes)
            // `--value-format text` over bytes that are not UTF-8 would put U+FFFD in their place: the
            // JSON keeps the bytes (base64), so that no line carries altered bytes as a record's.
            let lossyText = d?.format == "text" && bytes.map { String(validating: $0, as: UTF8.self) == nil } == true
            if let d, d.error == nil, !lossyText {
                if let j = d.json { shown = .verbatim(j) } else if let t = d.text { shown = .string(t) }
            }
            var fields: [(String, JSONValue)] = [
                (name, shown),
                ("\(name)_format", .string(d?.format ?? guessed(bytes))),
                ("\(name)_schema_id", d?.schemaID.map { .int($0) } ?? .null),
                ("\(name)_subject", d?.subject.map { .string($0) } ?? .null),
                ("\(name)_schema_version", d?.version.map { .int($0) } ?? .null),
            ]
            if let e = d?.error { fields.append(("\(name)_error", .string(e))) }
            return fields
        }
        var fields: [(String, JSONValue)] = [
            ("topic", .string(r.topic)),
            ("partition", .int(r.partition)),
            ("offset", .int(r.offset)),
            ("timestamp", .int(r.timestamp)),
            ("timestamp_type", .string(r.timestampType.rawValue)),
        ]
        fields += side("key", r.key, key)
        fields += side("value", r.value, value)
        fields.append(("headers", TailCommand.headersJSON(r)))
        return JSONValue.object(fields).serialized()
    }

    /// What auto shows for bytes no schema decoded.
    static func guessed(_ b: [UInt8]?) -> String {
        guard let b else { return "null" }
        return String(validating: b, as: UTF8.self) == nil ? "binary" : "text"
    }
}
