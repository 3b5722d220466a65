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
    static let placeholder = "@@kafscope-decoded-payload@@"

    static func line(_ r: TailRecord, decoder: RecordDecoder, json: Bool, notices: inout [String]) async -> String {
        let key = await decoder.decode(key: r.key, topic: r.topic)
        let value = await decoder.decode(value: r.value, topic: r.topic)
        for (side, d) in [("key", key), ("value", value)] {
            if let e = d?.error { notices.append("partition \(r.partition) offset \(r.offset): \(side) not decoded: \(e)") }
        }
        if !json {
            if let v = value, v.error == nil, let text = v.json ?? v.text { return text }
            return String(decoding: r.value ?? [], as: UTF8.self)
        }
        guard case .object(var fields) = TailCommand.recordJSON(r) else { return TailCommand.recordJSON(r).serialized() }
        var raw: [String: String] = [:]
        func apply(_ side: String, _ d: DecodedPayload?) {
            guard let i = fields.firstIndex(where: { $0.0 == side }) else { return }
            var extra: [(String, JSONValue)] = [
                ("\(side)_format", .string(d?.format ?? (side == "key" ? guessed(r.key) : guessed(r.value)))),
                ("\(side)_schema_id", d?.schemaID.map { .int($0) } ?? .null),
                ("\(side)_subject", d?.subject.map { .string($0) } ?? .null),
                ("\(side)_schema_version", d?.version.map { .int($0) } ?? .null),
            ]
            if let d, d.error == nil {
                if let j = d.json { raw[side] = j; fields[i].1 = .string(placeholder + side) }
                else if let t = d.text { fields[i].1 = .string(t) }
            }
            if let e = d?.error { extra.append(("\(side)_error", .string(e))) }
            fields.insert(contentsOf: extra, at: i + 1)
        }
        apply("key", key)
        apply("value", value)
        var text = JSONValue.object(fields).serialized()
        // The record's own key/value come before the headers: the first match is theirs.
        for side in ["key", "value"] {
            if let j = raw[side], let range = text.range(of: "\"\(side)\":\"\(placeholder)\(side)\"") {
                text.replaceSubrange(range, with: "\"\(side)\":\(j)")
            }
        }
        return text
    }

    /// What auto shows for bytes no schema decoded.
    static func guessed(_ b: [UInt8]?) -> String {
        guard let b else { return "null" }
        return String(validating: b, as: UTF8.self) == nil ? "binary" : "text"
    }
}
