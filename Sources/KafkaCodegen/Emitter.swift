import Foundation

/// Swift keywords that cannot be used bare as property names; such names are wrapped in backticks.
let swiftKeywords: Set<String> = [
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
    "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
    "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
    "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
    "throw", "switch", "where", "while", "as", "false", "is", "nil", "self", "super", "throws", "true",
    "try", "_", "Any", "Self",
]

/// Type names the generated code relies on; a schema struct with one of these names gets a "Data" suffix.
let reservedTypeNames: Set<String> = [
    "String", "Bool", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Double",
    "Array", "Optional", "KafkaUUID", "WireReader", "WireWriter", "UnknownTaggedField", "KafkaCodecError",
    "ApiKey", "Response", "Error", "Never",
]

func lowerCamel(_ name: String) -> String {
    guard let f = name.first else { return name }
    return f.lowercased() + name.dropFirst()
}

/// Property identifier: lowerCamelCase, keywords in backticks.
func propertyName(_ name: String) -> String {
    let n = lowerCamel(name)
    return swiftKeywords.contains(n) ? "`\(n)`" : n
}

func typeName(_ name: String) -> String {
    reservedTypeNames.contains(name) ? name + "Data" : name
}

func swiftStringLiteral(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out + "\""
}

/// Generates the Swift source of one message (and its nested structs), and its test sample builder.
struct MessageEmitter {
    let spec: MessageSpec
    let structNames: Set<String>
    let valid: Versions
    let flex: Versions

    init(spec: MessageSpec) throws {
        self.spec = spec
        valid = spec.validVersions
        flex = spec.flexibleVersions.intersect(spec.validVersions)
        let structs = try spec.allStructs()
        structNames = Set(structs.map(\.name))
        for s in structs where s.name == spec.name {
            throw CodegenError("\(spec.fileName): struct \(s.name) has the message's own name")
        }
        // Validate field struct references.
        func check(_ fields: [Field]) throws {
            for f in fields {
                if let sn = f.structName, !structNames.contains(sn) {
                    throw CodegenError("\(spec.fileName): unknown type \(sn) for field \(f.name)")
                }
                if let sub = f.fields { try check(sub) }
            }
        }
        try check(spec.fields)
        for cs in spec.commonStructs { try check(cs.fields) }
    }

    // MARK: version conditions

    enum Cond {
        case always, never, expr(String)
    }

    /// Condition "version is in r", simplified against the message's valid range.
    func cond(_ r: Versions) -> Cond {
        let x = r.intersect(valid)
        if x.isEmpty { return .never }
        if x.covers(valid) { return .always }
        var parts: [String] = []
        if x.lo > valid.lo { parts.append("version >= \(x.lo)") }
        if x.hi < valid.hi { parts.append(x.lo == x.hi ? "version == \(x.lo)" : "version <= \(x.hi)") }
        if x.lo == x.hi, parts.count == 2 { return .expr("version == \(x.lo)") }
        return .expr(parts.joined(separator: " && "))
    }

    /// Condition "version is not in r" within the valid range.
    func notCond(_ r: Versions) -> Cond {
        let x = r.intersect(valid)
        if x.isEmpty { return .always }
        if x.covers(valid) { return .never }
        var parts: [String] = []
        if x.lo > valid.lo { parts.append("version < \(x.lo)") }
        if x.hi < valid.hi { parts.append("version > \(x.hi)") }
        return .expr(parts.joined(separator: " || "))
    }

    /// Flexible-encoding expression for a field ("flexible", "true" or "false").
    func flexExpr(_ f: Field) -> String {
        if let o = f.flexibleOverride {
            switch cond(o.intersect(flex)) {
            case .always: return "true"
            case .never: return "false"
            case .expr(let e): return "(\(e))"
            }
        }
        return "flexible"
    }

    var flexibleDecl: String {
        switch cond(flex) {
        case .always: return "let flexible = true"
        case .never: return "let flexible = false"
        case .expr(let e): return "let flexible = \(e)"
        }
    }

    // MARK: field facts

    func present(_ f: Field) -> Versions { f.versions.intersect(valid) }

    func tagged(_ f: Field) -> Versions {
        guard f.tag != nil else { return .none }
        return f.taggedVersions.intersect(present(f)).intersect(flex)
    }

    /// Versions in which the field is a regular (untagged) field.
    func regular(_ f: Field) -> Versions {
        let p = present(f)
        let t = tagged(f)
        if t.isEmpty { return p }
        // taggedVersions are open-ended, so the regular part is the prefix before them.
        return Versions(lo: p.lo, hi: min(p.hi, t.lo - 1))
    }

    func isOptional(_ f: Field) -> Bool {
        if case .records = f.type { return true }
        return !f.nullableVersions.isEmpty
    }

    func baseType(_ t: FieldType) -> String {
        switch t {
        case .bool: return "Bool"
        case .int8: return "Int8"
        case .int16: return "Int16"
        case .uint16: return "UInt16"
        case .int32: return "Int32"
        case .uint32: return "UInt32"
        case .int64: return "Int64"
        case .float64: return "Double"
        case .string: return "String"
        case .bytes, .records: return "[UInt8]"
        case .uuid: return "KafkaUUID"
        case .structType(let n): return typeName(n)
        case .array(let e): return "[\(baseType(e))]"
        }
    }

    func swiftType(_ f: Field) -> String {
        baseType(f.type) + (isOptional(f) ? "?" : "")
    }

    func intLiteral(_ text: String, _ f: Field) throws -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased().hasPrefix("0x") || t.lowercased().hasPrefix("-0x") { return t.lowercased() }
        guard Int64(t) != nil else { throw CodegenError("\(spec.fileName): bad integer default '\(text)' for \(f.name)") }
        return t
    }

    func defaultExpr(_ f: Field) throws -> String {
        let d = f.defaultText
        if d == "null" {
            guard isOptional(f) else { throw CodegenError("\(spec.fileName): null default on non-nullable \(f.name)") }
            return "nil"
        }
        switch f.type {
        case .bool:
            guard let d else { return "false" }
            switch d.lowercased() {
            case "true": return "true"
            case "false": return "false"
            default: throw CodegenError("\(spec.fileName): bad bool default '\(d)' for \(f.name)")
            }
        case .int8, .int16, .uint16, .int32, .uint32, .int64:
            return try d.map { try intLiteral($0, f) } ?? "0"
        case .float64:
            guard let d else { return "0" }
            guard Double(d) != nil else { throw CodegenError("\(spec.fileName): bad float default for \(f.name)") }
            return d
        case .string:
            return swiftStringLiteral(d ?? "")
        case .bytes:
            return "[]"
        case .records:
            return "nil"
        case .uuid:
            return ".zero"
        case .structType(let n):
            return "\(typeName(n))()"
        case .array:
            return "[]"
        }
    }

    func docLine(_ f: Field) throws -> String {
        var parts: [String] = []
        let about = f.about.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        if !about.isEmpty { parts.append(about) }
        var meta = "Versions: \(f.versions)"
        if !f.nullableVersions.isEmpty { meta += "; nullable: \(f.nullableVersions)" }
        if let tag = f.tag { meta += "; tagged: \(f.taggedVersions), tag \(tag)" }
        if f.ignorable { meta += "; ignorable" }
        if let d = f.defaultText { meta += "; default: \(d)" }
        parts.append(meta + ".")
        return parts.joined(separator: " ")
    }

    // MARK: write expressions

    /// Statement writing non-optional value `v` of type `t` into writer `w`.
    func writeValue(_ t: FieldType, _ v: String, _ w: String, _ fx: String) -> String {
        switch t {
        case .bool: return "\(w).writeBool(\(v))"
        case .int8: return "\(w).writeInt8(\(v))"
        case .int16: return "\(w).writeInt16(\(v))"
        case .uint16: return "\(w).writeUInt16(\(v))"
        case .int32: return "\(w).writeInt32(\(v))"
        case .uint32: return "\(w).writeUInt32(\(v))"
        case .int64: return "\(w).writeInt64(\(v))"
        case .float64: return "\(w).writeFloat64(\(v))"
        case .uuid: return "\(w).writeUUID(\(v))"
        case .string: return "try \(w).writeString(\(v), flexible: \(fx))"
        case .bytes, .records: return "try \(w).writeBytesField(\(v), flexible: \(fx))"
        case .structType: return "try \(v).encode(into: &\(w), version: version)"
        case .array(let e):
            return "try \(w).writeArray(\(v), flexible: \(fx)) { e, ew in \(writeValue(e, "e", "ew", fx)) }"
        }
    }

    /// Statement writing optional value `v` at a version where null is allowed.
    func writeNullable(_ t: FieldType, _ v: String, _ w: String, _ fx: String) -> String {
        switch t {
        case .string: return "try \(w).writeNullableString(\(v), flexible: \(fx))"
        case .bytes, .records: return "try \(w).writeNullableBytes(\(v), flexible: \(fx))"
        case .structType: return "try \(w).writeNullableStruct(\(v)) { s, sw in try s.encode(into: &sw, version: version) }"
        case .array(let e):
            return "try \(w).writeNullableArray(\(v), flexible: \(fx)) { e, ew in \(writeValue(e, "e", "ew", fx)) }"
        default:
            // Scalars are never optional.
            return writeValue(t, v, w, fx)
        }
    }

    /// Statements writing field `f` (value `self.x`) into `w`, handling per-version nullability.
    func writeField(_ f: Field, _ w: String, _ fx: String, within: Versions) -> [String] {
        let v = "self.\(propertyName(f.name))"
        guard isOptional(f) else { return [writeValue(f.type, v, w, fx)] }
        let nullable = f.nullableVersions.intersect(within)
        let nonNullWrite: String
        if case .records = f.type, f.nullableVersions.isEmpty {
            // Records that may not be null on the wire: nil means "no records".
            nonNullWrite = writeValue(f.type, "\(v) ?? []", w, fx)
        } else {
            nonNullWrite = writeValue(
                f.type,
                "requireNonNull(\(v), \(swiftStringLiteral(spec.name)), \(swiftStringLiteral(f.name)), version)",
                w, fx)
        }
        if nullable.covers(within) { return [writeNullable(f.type, v, w, fx)] }
        if nullable.isEmpty { return [nonNullWrite] }
        switch cond(nullable) {
        case .always: return [writeNullable(f.type, v, w, fx)]
        case .never: return [nonNullWrite]
        case .expr(let e):
            return ["if \(e) {", "    " + writeNullable(f.type, v, w, fx), "} else {", "    " + nonNullWrite, "}"]
        }
    }

    // MARK: read expressions

    func minElementSize(_ t: FieldType) -> Int {
        switch t {
        case .bool, .int8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32: return 4
        case .int64, .float64: return 8
        case .uuid: return 16
        default: return 1
        }
    }

    func readValue(_ t: FieldType, _ r: String, _ fx: String) -> String {
        switch t {
        case .bool: return "try \(r).readBool()"
        case .int8: return "try \(r).readInt8()"
        case .int16: return "try \(r).readInt16()"
        case .uint16: return "try \(r).readUInt16()"
        case .int32: return "try \(r).readInt32()"
        case .uint32: return "try \(r).readUInt32()"
        case .int64: return "try \(r).readInt64()"
        case .float64: return "try \(r).readFloat64()"
        case .uuid: return "try \(r).readUUID()"
        case .string: return "try \(r).readString(flexible: \(fx))"
        case .bytes, .records: return "try \(r).readBytesField(flexible: \(fx))"
        case .structType(let n): return "try \(typeName(n))(from: &\(r), version: version)"
        case .array(let e):
            return "try \(r).readArray(flexible: \(fx), minElementSize: \(minElementSize(e))) { er in \(readValue(e, "er", fx)) }"
        }
    }

    func readNullable(_ t: FieldType, _ r: String, _ fx: String) -> String {
        switch t {
        case .string: return "try \(r).readNullableString(flexible: \(fx))"
        case .bytes, .records: return "try \(r).readNullableBytes(flexible: \(fx))"
        case .structType(let n):
            return "try \(r).readNullableStruct { sr in try \(typeName(n))(from: &sr, version: version) }"
        case .array(let e):
            return "try \(r).readNullableArray(flexible: \(fx), minElementSize: \(minElementSize(e))) { er in \(readValue(e, "er", fx)) }"
        default:
            return readValue(t, r, fx)
        }
    }

    func readField(_ f: Field, _ r: String, _ fx: String, within: Versions) -> [String] {
        let v = "self.\(propertyName(f.name))"
        guard isOptional(f) else { return ["\(v) = \(readValue(f.type, r, fx))"] }
        let nullable = f.nullableVersions.intersect(within)
        if nullable.covers(within) { return ["\(v) = \(readNullable(f.type, r, fx))"] }
        if nullable.isEmpty { return ["\(v) = \(readValue(f.type, r, fx))"] }
        switch cond(nullable) {
        case .always: return ["\(v) = \(readNullable(f.type, r, fx))"]
        case .never: return ["\(v) = \(readValue(f.type, r, fx))"]
        case .expr(let e):
            return ["if \(e) {", "    \(v) = \(readNullable(f.type, r, fx))", "} else {",
                    "    \(v) = \(readValue(f.type, r, fx))", "}"]
        }
    }

    // MARK: struct body

    func guarded(_ c: Cond, _ body: [String]) -> [String] {
        switch c {
        case .always: return body
        case .never: return []
        case .expr(let e): return ["if \(e) {"] + body.map { "    " + $0 } + ["}"]
        }
    }

    func emitStruct(name: String, fields: [Field], isMessage: Bool, indent: String) throws -> [String] {
        var L: [String] = []
        let tn = isMessage ? name : typeName(name)
        var conformances = "Sendable, Equatable"
        if isMessage { conformances = spec.kind == "request" && spec.apiKey != nil ? "KafkaRequestMessage" : "KafkaMessage" }
        // Responses that carry a quota delay expose it to the client, which must honour it (KIP-219).
        if isMessage && spec.kind == "response"
            && fields.contains(where: { $0.name == "ThrottleTimeMs" && $0.type == .int32 }) {
            conformances = "ThrottlingResponse"
        }
        if isMessage {
            L.append("/// \(spec.name) (\(spec.kind)\(spec.apiKey.map { ", API key \($0)" } ?? "")): versions \(valid), flexible \(spec.flexibleVersions).")
        }
        L.append("public struct \(tn): \(conformances) {")
        if isMessage {
            L.append("    public static let validVersions: ClosedRange<Int16> = \(valid.lo)...\(valid.hi)")
            if flex.isEmpty {
                L.append("    public static let flexibleVersions: PartialRangeFrom<Int16>? = nil")
            } else {
                L.append("    public static let flexibleVersions: PartialRangeFrom<Int16>? = \(flex.lo)...")
            }
            if let d = spec.deprecatedVersions, !d.isEmpty {
                L.append("    /// Versions Kafka marks deprecated.")
                L.append("    public static let deprecatedVersions: ClosedRange<Int16>? = \(d.lo)...\(min(d.hi, valid.hi))")
            } else {
                L.append("    public static let deprecatedVersions: ClosedRange<Int16>? = nil")
            }
            L.append("    /// True when the highest version is still unstable (brokers do not advertise it).")
            L.append("    public static let latestVersionUnstable = \(spec.latestVersionUnstable)")
            if spec.kind == "request", let key = spec.apiKey {
                _ = key
                let resp = String(spec.name.dropLast("Request".count)) + "Response"
                L.append("    public static let apiKey: ApiKey = .\(apiCaseName(spec.name))")
                L.append("    public typealias Response = \(resp)")
            }
            L.append("")
        }
        // Properties.
        for f in fields {
            L.append("    /// \(try docLine(f))")
            L.append("    public var \(propertyName(f.name)): \(swiftType(f)) = \(try defaultExpr(f))")
        }
        L.append("    /// Tagged fields this build does not know; kept on decode and written back on encode.")
        L.append("    public var unknownTaggedFields: [UnknownTaggedField] = []")
        L.append("")
        // Memberwise init.
        var params: [String] = []
        for f in fields {
            params.append("\(propertyName(f.name)): \(swiftType(f)) = \(try defaultExpr(f))")
        }
        params.append("unknownTaggedFields: [UnknownTaggedField] = []")
        L.append("    public init(")
        for (i, p) in params.enumerated() {
            L.append("        \(p)\(i == params.count - 1 ? "" : ",")")
        }
        L.append("    ) {")
        for f in fields {
            let p = propertyName(f.name)
            L.append("        self.\(p) = \(p)")
        }
        L.append("        self.unknownTaggedFields = unknownTaggedFields")
        L.append("    }")
        L.append("")

        // Encode.
        var E: [String] = []
        if isMessage {
            E.append("guard Self.validVersions.contains(version) else {")
            E.append("    throw KafkaCodecError.unsupportedVersion(message: \(swiftStringLiteral(spec.name)), version: version)")
            E.append("}")
        }
        for f in fields {
            let reg = regular(f)
            E += guarded(cond(reg), writeField(f, "writer", flexExpr(f), within: reg))
            if !f.ignorable {
                let check = [
                    "if self.\(propertyName(f.name)) != \(try defaultExpr(f)) {",
                    "    throw KafkaCodecError.fieldNotSupported(message: \(swiftStringLiteral(spec.name)), field: \(swiftStringLiteral(f.name)), version: version)",
                    "}",
                ]
                E += guarded(notCond(present(f)), check)
            }
        }
        let taggedFields = fields.filter { !tagged($0).isEmpty }
        var T: [String] = []
        if taggedFields.isEmpty {
            T.append("try writer.writeTaggedFields(self.unknownTaggedFields)")
        } else {
            T.append("var tagged = self.unknownTaggedFields")
            for f in taggedFields {
                let t = tagged(f)
                var body: [String] = []
                body.append("if self.\(propertyName(f.name)) != \(try defaultExpr(f)) {")
                body.append("    var tw = WireWriter()")
                body += writeField(f, "tw", "true", within: t).map { "    " + $0 }
                body.append("    tagged.append(UnknownTaggedField(tag: \(f.tag!), data: tw.bytes))")
                body.append("}")
                T += guarded(cond(t), body)
            }
            T.append("try writer.writeTaggedFields(tagged)")
        }
        switch cond(flex) {
        case .always: E += T
        case .never: break
        case .expr: E += ["if flexible {"] + T.map { "    " + $0 } + ["}"]
        }
        L.append("    public func encode(into writer: inout WireWriter, version: Int16) throws {")
        if usesFlexible(E) {
            L.append("        \(flexibleDecl)")
        }
        L += E.map { "        " + $0 }
        L.append("    }")
        L.append("")

        // Decode.
        var D: [String] = []
        if isMessage {
            D.append("guard Self.validVersions.contains(version) else {")
            D.append("    throw KafkaCodecError.unsupportedVersion(message: \(swiftStringLiteral(spec.name)), version: version)")
            D.append("}")
        }
        for f in fields {
            let reg = regular(f)
            D += guarded(cond(reg), readField(f, "reader", flexExpr(f), within: reg))
        }
        var TD: [String] = []
        if taggedFields.isEmpty {
            TD.append("self.unknownTaggedFields = try reader.readUnknownTaggedFields()")
        } else {
            TD.append("let tagCount = try reader.readTagCount()")
            TD.append("for _ in 0..<tagCount {")
            TD.append("    let tag = try reader.readUnsignedVarint()")
            TD.append("    let size = try reader.readUnsignedVarint()")
            TD.append("    var tr = try reader.subReader(count: Int(size))")
            TD.append("    switch tag {")
            for f in taggedFields {
                let t = tagged(f)
                switch cond(t) {
                case .always: TD.append("    case \(f.tag!):")
                case .expr(let e): TD.append("    case \(f.tag!) where \(e):")
                case .never: continue
                }
                TD += readField(f, "tr", "true", within: t).map { "        " + $0 }
            }
            TD.append("    default:")
            TD.append("        self.unknownTaggedFields.append(UnknownTaggedField(tag: tag, data: tr.remainingBytes))")
            TD.append("    }")
            TD.append("}")
        }
        switch cond(flex) {
        case .always: D += TD
        case .never: break
        case .expr: D += ["if flexible {"] + TD.map { "    " + $0 } + ["}"]
        }
        L.append("    public init(from reader: inout WireReader, version: Int16) throws {")
        if usesFlexible(D) {
            L.append("        \(flexibleDecl)")
        }
        L += D.map { "        " + $0 }
        L.append("    }")
        return L.map { $0.isEmpty ? "" : indent + $0 }
    }

    func emitMessage(commit: String) throws -> String {
        var L: [String] = []
        L.append("// Generated by KafkaCodegen from \(spec.fileName) (apache/kafka \(commit)). DO NOT EDIT.")
        L.append("// Regenerate with scripts/generate-protocol.")
        L.append("")
        L.append("import KafkaWire")
        L.append("")
        var body = try emitStruct(name: spec.name, fields: spec.fields, isMessage: true, indent: "")
        // Close the message struct after nested structs.
        precondition(body.last == "    }")
        var nested: [String] = []
        for s in try spec.allStructs() {
            nested.append("")
            nested += try emitStruct(name: s.name, fields: s.fields, isMessage: false, indent: "    ")
            nested.append("    }")
        }
        body += nested
        body.append("}")
        L += body
        return L.joined(separator: "\n") + "\n"
    }

    // MARK: test samples

    func sampleValue(_ t: FieldType, index: Int, seed: String, name: String) -> String {
        let base = 40 + (index * 7) % 80
        switch t {
        case .bool: return "" // handled by caller (needs the default)
        case .int8: return "Int8(truncatingIfNeeded: \(base) + \(seed))"
        case .int16: return "Int16(truncatingIfNeeded: \(base) + \(seed))"
        case .uint16: return "UInt16(truncatingIfNeeded: \(base) + \(seed))"
        case .int32: return "Int32(truncatingIfNeeded: \(base) + \(seed))"
        case .uint32: return "UInt32(truncatingIfNeeded: \(base) + \(seed))"
        case .int64: return "Int64(\(base) + \(seed)) << 33"
        case .float64: return "Double(\(base) + \(seed)) + 0.5"
        case .string: return "\"\(name)-\\(\(seed))-é\""
        case .bytes, .records: return "[UInt8(\(index % 256)), UInt8(truncatingIfNeeded: \(seed)), 0xFF]"
        case .uuid: return "KafkaUUID(high: \(index + 1), low: UInt64(\(seed)) &+ 0xABCD_0000_0000)"
        case .structType(let n): return "\(spec.name).\(typeName(n)).sample(version: version, seed: \(seed) + 1)"
        case .array(let e):
            if case .bool = e { return "[true, false]" }
            return "[\(sampleValue(e, index: index, seed: seed, name: name)), \(sampleValue(e, index: index, seed: "(\(seed) + 1)", name: name))]"
        }
    }

    func emitSampleStruct(qualified: String, fields: [Field], isMessage: Bool) throws -> [String] {
        var L: [String] = []
        L.append(isMessage ? "extension \(qualified): ProtocolSample {" : "extension \(qualified) {")
        if isMessage {
            L.append("    static var defaultValue: \(qualified) { \(qualified)() }")
            L.append("")
        }
        L.append("    /// A value with every field present at `version` set to a non-default value.")
        L.append("    static func sample(version: Int16, seed: Int = 0) -> \(qualified) {")
        L.append("        var s = \(qualified)()")
        for (i, f) in fields.enumerated() {
            let p = "s.\(propertyName(f.name))"
            let value: String
            if case .bool = f.type {
                value = try defaultExpr(f) == "true" ? "false" : "true"
            } else {
                value = sampleValue(f.type, index: i, seed: "seed", name: f.name)
            }
            L += guarded(cond(present(f)), ["\(p) = \(value)"]).map { "        " + $0 }
        }
        L += guarded(cond(flex), ["s.unknownTaggedFields = [UnknownTaggedField(tag: 900 + UInt32(seed), data: [0xAB, UInt8(truncatingIfNeeded: seed)])]"]).map { "        " + $0 }
        L.append("        return s")
        L.append("    }")
        L.append("}")
        return L
    }

    func emitSamples(commit: String) throws -> String {
        var L: [String] = []
        L.append("// Generated by KafkaCodegen from \(spec.fileName) (apache/kafka \(commit)). DO NOT EDIT.")
        L.append("")
        L.append("import KafkaProtocol")
        L.append("import KafkaWire")
        L.append("")
        L += try emitSampleStruct(qualified: spec.name, fields: spec.fields, isMessage: true)
        for s in try spec.allStructs() {
            L.append("")
            L += try emitSampleStruct(qualified: "\(spec.name).\(typeName(s.name))", fields: s.fields, isMessage: false)
        }
        return L.joined(separator: "\n") + "\n"
    }
}

func usesFlexible(_ lines: [String]) -> Bool {
    lines.contains { $0.contains("flexible: flexible") || $0.contains("if flexible") }
}

func apiCaseName(_ requestName: String) -> String {
    let base = requestName.hasSuffix("Request") ? String(requestName.dropLast("Request".count)) : requestName
    let n = lowerCamel(base)
    return swiftKeywords.contains(n) ? "`\(n)`" : n
}
