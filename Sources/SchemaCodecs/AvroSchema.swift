import Foundation

/// A parsed Avro writer's schema: a graph of nodes (records may refer to themselves).
/// Built from the schema JSON the registry returns, plus the schemas it references.
public final class AvroSchema: @unchecked Sendable {
    /// What the decoder walks: the parsed graph (records may refer to themselves), flattened once.
    let program: AvroProgram

    init(root: AvroNode) {
        self.program = AvroProgram(root)
    }

    /// Parses `text`, after the referenced schemas (in dependency order, the deepest first) whose
    /// named types it may use.
    public static func parse(_ text: String, references: [String] = []) throws -> AvroSchema {
        var parser = AvroSchemaParser()
        for r in references { _ = try parser.parseText(r) }
        let root = try parser.parseText(text)
        return AvroSchema(root: root)
    }

    /// Decodes one datum (the whole payload) to JSON text under the rendering rules.
    public func decodeJSON(_ bytes: [UInt8], from offset: Int = 0) throws -> String {
        var out = JSONWriter(capacity: bytes.count * 2 + 16)
        try decode(bytes, from: offset, into: &out)
        return out.text
    }

    public func decode(_ bytes: [UInt8], from offset: Int = 0, into out: inout JSONWriter) throws {
        var reader = ByteReader(bytes, from: offset)
        try AvroDecoder.value(program.root, program.tables, program.names, &reader, &out, depth: 0)
        if !reader.atEnd {
            throw DecodeError("Avro datum ends at byte \(reader.position) but the payload has \(reader.remaining) more bytes")
        }
    }
}

public enum AvroLogical: Sendable, Hashable {
    case none
    case decimal(precision: Int, scale: Int)
    case uuid
    case date
    case timeMillis, timeMicros
    case timestampMillis, timestampMicros, timestampNanos
    case localTimestampMillis, localTimestampMicros, localTimestampNanos
    case duration
}

public final class AvroNode: @unchecked Sendable {
    public enum Kind: @unchecked Sendable {
        case null, boolean, int, long, float, double, bytes, string
        case record([AvroField])
        case enumeration([String])
        case array(AvroNode)
        case map(AvroNode)
        case union([AvroNode])
        case fixed(Int)
    }

    public internal(set) var kind: Kind
    public internal(set) var logical: AvroLogical
    /// Full name of a named type.
    public internal(set) var name: String?

    init(_ kind: Kind, logical: AvroLogical = .none, name: String? = nil) {
        self.kind = kind
        self.logical = logical
        self.name = name
    }
}

public struct AvroField: @unchecked Sendable {
    public var name: String
    public var type: AvroNode
    /// `"name":` pre-encoded for the writer.
    var jsonKey: [UInt8]
}

struct AvroSchemaParser {
    var named: [String: AvroNode] = [:]

    static let primitives: [String: AvroNode.Kind] = [
        "null": .null, "boolean": .boolean, "int": .int, "long": .long, "float": .float,
        "double": .double, "bytes": .bytes, "string": .string,
    ]

    mutating func parseText(_ text: String) throws -> AvroNode {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw DecodeError("the Avro schema is not valid JSON")
        }
        return try parse(json, namespace: nil, depth: 0)
    }

    func fullName(_ name: String, namespace: String?) -> String {
        if name.contains(".") { return name }
        if let namespace, !namespace.isEmpty { return namespace + "." + name }
        return name
    }

    func lookup(_ name: String, namespace: String?) -> AvroNode? {
        if let n = named[fullName(name, namespace: namespace)] { return n }
        return named[name]
    }

    mutating func parse(_ json: Any, namespace: String?, depth: Int) throws -> AvroNode {
        guard depth < DecodeLimits.maxSchemaDepth else { throw DecodeError("the Avro schema nests too deeply") }
        if let name = json as? String {
            if let kind = Self.primitives[name] { return AvroNode(kind) }
            if let node = lookup(name, namespace: namespace) { return node }
            throw DecodeError("the Avro schema uses the unknown type '\(name)' (a missing reference?)")
        }
        if let branches = json as? [Any] {
            guard !branches.isEmpty else { throw DecodeError("the Avro schema has an empty union") }
            return AvroNode(.union(try branches.map { try parse($0, namespace: namespace, depth: depth + 1) }))
        }
        guard let obj = json as? [String: Any] else { throw DecodeError("the Avro schema has a type that is not a name, union or object") }
        guard let typeValue = obj["type"] else { throw DecodeError("an Avro schema object has no \"type\"") }
        guard let type = typeValue as? String else {
            // {"type": {...}} or {"type": [...]} wraps another schema.
            return try parse(typeValue, namespace: namespace, depth: depth + 1)
        }
        let logicalName = obj["logicalType"] as? String
        switch type {
        case "record", "error":
            let (full, ns) = try declaredName(obj, namespace: namespace)
            let node = AvroNode(.record([]), name: full)
            named[full] = node
            guard let fieldsJSON = obj["fields"] as? [Any] else { throw DecodeError("Avro record \(full) has no fields array") }
            var fields: [AvroField] = []
            for f in fieldsJSON {
                guard let fo = f as? [String: Any], let fname = fo["name"] as? String, let ftype = fo["type"] else {
                    throw DecodeError("Avro record \(full) has a field without a name or type")
                }
                let t = try parse(ftype, namespace: ns, depth: depth + 1)
                var key = JSONWriter(capacity: fname.utf8.count + 3)
                key.string(fname)
                key.byte(58)
                fields.append(AvroField(name: fname, type: t, jsonKey: key.bytes))
            }
            node.kind = .record(fields)
            return node
        case "enum":
            let (full, _) = try declaredName(obj, namespace: namespace)
            guard let symbols = obj["symbols"] as? [String] else { throw DecodeError("Avro enum \(full) has no symbols") }
            let node = AvroNode(.enumeration(symbols), name: full)
            named[full] = node
            return node
        case "fixed":
            let (full, _) = try declaredName(obj, namespace: namespace)
            guard let size = (obj["size"] as? NSNumber)?.intValue, size >= 0, size <= 1 << 20 else {
                throw DecodeError("Avro fixed \(full) has no valid size")
            }
            let node = AvroNode(.fixed(size), logical: Self.logical(logicalName, obj, base: .fixed(size)), name: full)
            named[full] = node
            return node
        case "array":
            guard let items = obj["items"] else { throw DecodeError("an Avro array has no items") }
            return AvroNode(.array(try parse(items, namespace: namespace, depth: depth + 1)))
        case "map":
            guard let values = obj["values"] else { throw DecodeError("an Avro map has no values") }
            return AvroNode(.map(try parse(values, namespace: namespace, depth: depth + 1)))
        default:
            if let kind = Self.primitives[type] {
                return AvroNode(kind, logical: Self.logical(logicalName, obj, base: kind))
            }
            if let node = lookup(type, namespace: namespace) { return node }
            throw DecodeError("the Avro schema uses the unknown type '\(type)' (a missing reference?)")
        }
    }

    func declaredName(_ obj: [String: Any], namespace: String?) throws -> (String, String?) {
        guard let name = obj["name"] as? String, !name.isEmpty else { throw DecodeError("a named Avro type has no name") }
        let ns = (obj["namespace"] as? String) ?? namespace
        let full = fullName(name, namespace: ns)
        let space: String? = full.contains(".") ? String(full[..<full.lastIndex(of: ".")!]) : nil
        return (full, space)
    }

    /// A logical type the spec allows on this base type; anything else is ignored (the spec says so).
    static func logical(_ name: String?, _ obj: [String: Any], base: AvroNode.Kind) -> AvroLogical {
        guard let name else { return .none }
        func isInt() -> Bool { if case .int = base { return true }; return false }
        func isLong() -> Bool { if case .long = base { return true }; return false }
        switch name {
        case "decimal":
            let precision = (obj["precision"] as? NSNumber)?.intValue ?? 0
            let scale = (obj["scale"] as? NSNumber)?.intValue ?? 0
            guard precision > 0, scale >= 0, scale <= precision else { return .none }
            switch base {
            case .bytes, .fixed: return .decimal(precision: precision, scale: scale)
            default: return .none
            }
        case "uuid":
            switch base {
            case .string: return .uuid
            case .fixed(let n) where n == 16: return .uuid
            default: return .none
            }
        case "date": return isInt() ? .date : .none
        case "time-millis": return isInt() ? .timeMillis : .none
        case "time-micros": return isLong() ? .timeMicros : .none
        case "timestamp-millis": return isLong() ? .timestampMillis : .none
        case "timestamp-micros": return isLong() ? .timestampMicros : .none
        case "timestamp-nanos": return isLong() ? .timestampNanos : .none
        case "local-timestamp-millis": return isLong() ? .localTimestampMillis : .none
        case "local-timestamp-micros": return isLong() ? .localTimestampMicros : .none
        case "local-timestamp-nanos": return isLong() ? .localTimestampNanos : .none
        case "duration":
            if case .fixed(12) = base { return .duration }
            return .none
        default: return .none
        }
    }
}
