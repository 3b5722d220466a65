/// Reads serialized descriptor.proto messages (FileDescriptorSet, FileDescriptorProto) into the
/// definitions decoding needs. Hand-written over the wire format: only the fields used here.
enum ProtoDescriptorReader {
    /// FileDescriptorSet: repeated FileDescriptorProto file = 1.
    static func fileSet(_ bytes: [UInt8]) throws -> [ProtoFileDefinition] {
        var files: [ProtoFileDefinition] = []
        try fields(bytes, 0..<bytes.count) { number, range, _ in
            if number == 1, let range { files.append(try file(bytes, range)) }
        }
        return files
    }

    static func file(_ bytes: [UInt8]) throws -> ProtoFileDefinition { try file(bytes, 0..<bytes.count) }

    static func file(_ b: [UInt8], _ r: Range<Int>) throws -> ProtoFileDefinition {
        var f = ProtoFileDefinition(name: "", package: "", syntax: "proto2", imports: [], messages: [], enums: [])
        try fields(b, r) { n, range, _ in
            guard let range else { return }
            switch n {
            case 1: f.name = text(b, range)
            case 2: f.package = text(b, range)
            case 3: f.imports.append(text(b, range))
            case 4: f.messages.append(try message(b, range, depth: 0))
            case 5: f.enums.append(try enumeration(b, range))
            case 12: f.syntax = text(b, range) == "proto3" ? "proto3" : "proto2"
            default: break
            }
        }
        if f.syntax == "proto3" { f.messages = f.messages.map(implicitLabels) }
        return f
    }

    /// Descriptors mark every singular proto3 field LABEL_OPTIONAL; only those with explicit
    /// presence print when default-valued.
    static func implicitLabels(_ m: ProtoMessageDefinition) -> ProtoMessageDefinition {
        var m = m
        for i in m.fields.indices where m.fields[i].label == .optional && !m.fields[i].presence { m.fields[i].label = .implicit }
        m.messages = m.messages.map(implicitLabels)
        return m
    }

    static func message(_ b: [UInt8], _ r: Range<Int>, depth: Int) throws -> ProtoMessageDefinition {
        guard depth < DecodeLimits.maxSchemaDepth else { throw DecodeError("descriptor messages nest too deeply") }
        var m = ProtoMessageDefinition(name: "", fields: [], messages: [], enums: [], oneofs: [], isMapEntry: false)
        var rawFields: [(Range<Int>)] = []
        try fields(b, r) { n, range, _ in
            guard let range else { return }
            switch n {
            case 1: m.name = text(b, range)
            case 2: rawFields.append(range)
            case 3: m.messages.append(try message(b, range, depth: depth + 1))
            case 4: m.enums.append(try enumeration(b, range))
            case 7: try fields(b, range) { on, _, v in if on == 7, let v { m.isMapEntry = v != 0 } }
            case 8: try fields(b, range) { on, r2, _ in if on == 1, let r2 { m.oneofs.append(text(b, r2)) } }
            default: break
            }
        }
        for range in rawFields { m.fields.append(try field(b, range)) }
        return m
    }

    static func field(_ b: [UInt8], _ r: Range<Int>) throws -> ProtoFieldDefinition {
        var name = "", number: Int32 = 0, label = 1, type = 0, typeName = "", oneof: Int?, proto3Optional = false
        try fields(b, r) { n, range, v in
            switch n {
            case 1: if let range { name = text(b, range) }
            case 3: if let v { number = Int32(truncatingIfNeeded: v) }
            case 4: if let v { label = Int(truncatingIfNeeded: v) }
            case 5: if let v { type = Int(truncatingIfNeeded: v) }
            case 6: if let range { typeName = text(b, range) }
            case 9: if let v { oneof = Int(truncatingIfNeeded: v) }
            case 17: if let v { proto3Optional = v != 0 }
            default: break
            }
        }
        let scalars = [1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
                       9: "string", 12: "bytes", 13: "uint32", 15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64"]
        let resolvedType = scalars[type] ?? typeName
        guard !resolvedType.isEmpty else { throw DecodeError("descriptor field \(name) has no type") }
        let lab: ProtoLabel = label == 3 ? .repeated : label == 2 ? .required : .optional
        var f = ProtoFieldDefinition(name: name, number: number, label: lab, typeName: resolvedType,
                                     oneofIndex: proto3Optional ? nil : oneof)
        f.isGroup = type == 10
        f.presence = proto3Optional || oneof != nil || label == 2
        return f
    }

    static func enumeration(_ b: [UInt8], _ r: Range<Int>) throws -> ProtoEnumDefinition {
        var e = ProtoEnumDefinition(name: "", values: [])
        try fields(b, r) { n, range, _ in
            guard let range else { return }
            if n == 1 { e.name = text(b, range) }
            if n == 2 {
                var name = "", number: Int32 = 0
                try fields(b, range) { vn, vr, vv in
                    if vn == 1, let vr { name = text(b, vr) }
                    if vn == 2, let vv { number = Int32(truncatingIfNeeded: vv) }
                }
                e.values.append((name, number))
            }
        }
        return e
    }

    static func text(_ b: [UInt8], _ r: Range<Int>) -> String { String(decoding: b[r], as: UTF8.self) }

    /// Calls `body(number, lengthDelimitedRange, varintValue)` for every field in `r`.
    static func fields(_ b: [UInt8], _ r: Range<Int>, _ body: (UInt64, Range<Int>?, UInt64?) throws -> Void) throws {
        var reader = ByteReader(b, from: r.lowerBound, end: r.upperBound)
        while !reader.atEnd {
            let tag = try reader.varint()
            switch tag & 7 {
            case 0: try body(tag >> 3, nil, try reader.varint())
            case 1: _ = try reader.fixed64()
            case 5: _ = try reader.fixed32()
            case 2:
                let n = try reader.varint()
                try body(tag >> 3, try reader.take(n > UInt64(Int32.max) ? -1 : Int(n), what: "descriptor field"), nil)
            case 3: _ = try ProtoDecoder.skipGroup(&reader, number: tag >> 3, depth: 0)
            default: throw DecodeError("the descriptor is not a serialized FileDescriptorProto/Set")
            }
        }
    }
}
