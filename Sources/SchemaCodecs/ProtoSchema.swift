/// A set of .proto files with every type name resolved: the main file of a registry schema plus
/// the files it imports (its references and the well-known types).
public final class ProtoSchema: @unchecked Sendable {
    public let main: ProtoFileDefinition
    var messages: [String: ProtoMessageType] = [:]
    var enums: [String: ProtoEnumType] = [:]
    /// Top-level messages of the main file, in declaration order (message index paths start here).
    public private(set) var topLevel: [ProtoMessageType] = []

    /// `main` is the schema's .proto text; `imports` maps import paths to .proto texts (references).
    /// The well-known types (google/protobuf/*, confluent/*) are built in.
    public convenience init(text: String, fileName: String = "schema.proto", imports: [String: String] = [:]) throws {
        let main = try ProtoParser.parse(text, fileName: fileName)
        var files: [ProtoFileDefinition] = []
        for (path, source) in imports { files.append(try ProtoParser.parse(source, fileName: path)) }
        try self.init(main: main, others: files)
    }

    /// Parses one .proto text (imports are resolved when the files are put together).
    public static func parseFile(_ text: String, name: String) throws -> ProtoFileDefinition {
        try ProtoParser.parse(text, fileName: name)
    }

    /// One serialized FileDescriptorProto (what `format=serialized` registries return, base64-decoded).
    public static func parseDescriptor(_ bytes: [UInt8]) throws -> ProtoFileDefinition {
        try ProtoDescriptorReader.file(bytes)
    }

    /// A local FileDescriptorSet (`protoc --descriptor_set_out`, ideally `--include_imports`):
    /// `mainFile` selects the file whose top-level messages index paths start from (default: the last).
    public convenience init(descriptorSet bytes: [UInt8], mainFile: String? = nil) throws {
        let files = try ProtoDescriptorReader.fileSet(bytes)
        guard let main = (mainFile.flatMap { m in files.first { $0.name == m } }) ?? files.last else {
            throw DecodeError("the FileDescriptorSet holds no files")
        }
        try self.init(main: main, others: files.filter { $0.name != main.name })
    }

    public init(main: ProtoFileDefinition, others: [ProtoFileDefinition]) throws {
        self.main = main
        var all = [main] + others
        // The built-in files that are imported (transitively), parsed on demand.
        var present = Set(all.map(\.name))
        var wanted = all.flatMap(\.imports)
        while let path = wanted.popLast() {
            guard !present.contains(path), let source = WellKnownProtos.byPath[path] else { continue }
            let f = try ProtoParser.parse(source, fileName: path)
            present.insert(path)
            all.append(f)
            wanted += f.imports
        }
        // Pass 1: create every type so that names can be resolved in any order.
        var pending: [(ProtoMessageDefinition, ProtoMessageType, String, Bool)] = []
        func declare(_ m: ProtoMessageDefinition, scope: String, proto3: Bool) -> ProtoMessageType {
            let full = scope.isEmpty ? m.name : scope + "." + m.name
            let t = ProtoMessageType(fullName: full, isMapEntry: m.isMapEntry, oneofCount: m.oneofs.count, proto3: proto3)
            messages[full] = t
            for e in m.enums { declareEnum(e, scope: full) }
            t.nested = m.messages.map { declare($0, scope: full, proto3: proto3) }
            pending.append((m, t, full, proto3))
            return t
        }
        func declareEnum(_ e: ProtoEnumDefinition, scope: String) {
            let full = scope.isEmpty ? e.name : scope + "." + e.name
            let t = ProtoEnumType(fullName: full)
            for (name, number) in e.values where t.names[number] == nil {
                var w = JSONWriter(); w.string(name); t.names[number] = w.bytes
            }
            enums[full] = t
        }
        for f in all {
            let proto3 = f.syntax == "proto3"
            for e in f.enums { declareEnum(e, scope: f.package) }
            let tops = f.messages.map { declare($0, scope: f.package, proto3: proto3) }
            if f.name == main.name { topLevel = tops }
        }
        // Pass 2: resolve field types.
        for (def, type, scope, proto3) in pending {
            var fields: [ProtoField] = []
            for fd in def.fields {
                let kind: ProtoField.Kind
                if let s = ProtoScalar.byName[fd.typeName] {
                    kind = .scalar(s)
                } else if let m = resolve(fd.typeName, scope: scope, in: messages) {
                    kind = .message(m)
                } else if let e = resolve(fd.typeName, scope: scope, in: enums) {
                    kind = .enumeration(e)
                } else {
                    throw DecodeError("\(type.fullName).\(fd.name): unknown type \(fd.typeName) (a missing import or reference?)")
                }
                var isMessage = false
                var isMap = false
                if case .message(let m) = kind { isMessage = true; isMap = m.isMapEntry && fd.label == .repeated }
                let presence: Bool
                switch fd.label {
                case .repeated: presence = false
                case .implicit: presence = isMessage
                case .optional, .required: presence = true
                }
                var key = JSONWriter(); key.string(fd.name); key.byte(58)
                fields.append(ProtoField(name: fd.name, number: fd.number, kind: kind, repeated: fd.label == .repeated,
                                         hasPresence: presence || fd.oneofIndex != nil || !proto3,
                                         oneofIndex: fd.oneofIndex, isMap: isMap, jsonKey: key.bytes))
            }
            // Printed in field-number order, as protobuf's own JSON printer does.
            fields.sort { $0.number < $1.number }
            type.fields = fields
            let maxDirect = min(1024, Int(fields.last?.number ?? 0) + 1)
            type.direct = [Int](repeating: -1, count: maxDirect)
            for (i, f) in fields.enumerated() {
                if Int(f.number) < maxDirect { type.direct[Int(f.number)] = i }
                type.byNumber[f.number] = i
            }
        }
    }

    /// Protobuf scoping: the innermost enclosing scope first, then outwards; a leading dot is absolute.
    func resolve<T>(_ name: String, scope: String, in table: [String: T]) -> T? {
        if name.hasPrefix(".") { return table[String(name.dropFirst())] }
        var s = Substring(scope)
        while true {
            let candidate = s.isEmpty ? name : s + "." + name
            if let t = table[String(candidate)] { return t }
            guard let dot = s.lastIndex(of: ".") else {
                if s.isEmpty { return nil }
                s = ""
                continue
            }
            s = s[..<dot]
        }
    }

    public func message(named fullName: String) -> ProtoMessageType? {
        messages[fullName.hasPrefix(".") ? String(fullName.dropFirst()) : fullName]
    }

    /// The message a Confluent message-index path names: top-level index, then nested indexes.
    public func message(atPath path: [Int]) throws -> ProtoMessageType {
        guard let first = path.first, first >= 0, first < topLevel.count else {
            throw DecodeError("message index \(path) does not exist in the schema (\(topLevel.count) top-level messages)")
        }
        var m = topLevel[first]
        for i in path.dropFirst() {
            guard i >= 0, i < m.nested.count else { throw DecodeError("message index \(path) does not exist under \(m.fullName)") }
            m = m.nested[i]
        }
        return m
    }

    /// Decodes one serialized message to protobuf canonical JSON (field names as written).
    public func decodeJSON(_ bytes: [UInt8], from offset: Int = 0, as type: ProtoMessageType) throws -> String {
        var out = JSONWriter(capacity: bytes.count * 2 + 16)
        try decode(bytes, from: offset, as: type, into: &out)
        return out.text
    }

    public func decode(_ bytes: [UInt8], from offset: Int = 0, as type: ProtoMessageType, into out: inout JSONWriter) throws {
        try ProtoDecoder.message(type, bytes, offset..<bytes.count, &out, depth: 0)
    }
}
