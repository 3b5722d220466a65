import Foundation

/// A version range from the schema ("3+", "0-2", "5", "none"). `hi` is Int16.max when open-ended.
struct Versions: Equatable, CustomStringConvertible {
    var lo: Int
    var hi: Int

    static let none = Versions(lo: 1, hi: 0)
    static let openEnd = Int(Int16.max)

    var isEmpty: Bool { lo > hi }

    init(lo: Int, hi: Int) {
        self.lo = lo
        self.hi = hi
    }

    init(_ text: String) throws {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s == "none" { self = .none; return }
        if s.hasSuffix("+"), let n = Int(s.dropLast()) { self.init(lo: n, hi: Versions.openEnd); return }
        let parts = s.split(separator: "-")
        if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) { self.init(lo: a, hi: b); return }
        if let n = Int(s) { self.init(lo: n, hi: n); return }
        throw CodegenError("bad version spec '\(text)'")
    }

    func intersect(_ o: Versions) -> Versions { Versions(lo: max(lo, o.lo), hi: min(hi, o.hi)) }
    func contains(_ v: Int) -> Bool { v >= lo && v <= hi }
    func covers(_ o: Versions) -> Bool { o.isEmpty || (lo <= o.lo && hi >= o.hi) }

    var description: String {
        if isEmpty { return "none" }
        if hi == Versions.openEnd { return "\(lo)+" }
        if lo == hi { return "\(lo)" }
        return "\(lo)-\(hi)"
    }
}

struct CodegenError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

indirect enum FieldType: Equatable {
    case bool, int8, int16, uint16, int32, uint32, int64, float64, string, bytes, records, uuid
    case structType(String)
    case array(FieldType)

    static func parse(_ s: String) -> FieldType {
        if s.hasPrefix("[]") { return .array(parse(String(s.dropFirst(2)))) }
        switch s {
        case "bool": return .bool
        case "int8": return .int8
        case "int16": return .int16
        case "uint16": return .uint16
        case "int32": return .int32
        case "uint32": return .uint32
        case "int64": return .int64
        case "float64": return .float64
        case "string": return .string
        case "bytes": return .bytes
        case "records": return .records
        case "uuid": return .uuid
        default: return .structType(s)
        }
    }

    var isStruct: Bool { if case .structType = self { return true } else { return false } }
    var isArray: Bool { if case .array = self { return true } else { return false } }
}

final class Field {
    let name: String
    let type: FieldType
    let versions: Versions
    let nullableVersions: Versions
    let taggedVersions: Versions
    let tag: Int?
    let defaultText: String?
    let ignorable: Bool
    let about: String
    /// Field-level flexibleVersions (only ClientId in RequestHeader uses it: "none").
    let flexibleOverride: Versions?
    let fields: [Field]?

    init(json: [String: Any]) throws {
        guard let name = json["name"] as? String, let type = json["type"] as? String else {
            throw CodegenError("field without name/type: \(json)")
        }
        self.name = name
        self.type = FieldType.parse(type)
        guard let v = json["versions"] as? String else { throw CodegenError("field \(name) has no versions") }
        versions = try Versions(v)
        nullableVersions = try (json["nullableVersions"] as? String).map(Versions.init) ?? .none
        taggedVersions = try (json["taggedVersions"] as? String).map(Versions.init) ?? .none
        tag = json["tag"] as? Int
        if let d = json["default"] {
            // JSON numbers and booleans both arrive as NSNumber; the field type says which.
            if let s = d as? String { defaultText = s }
            else if let n = d as? NSNumber {
                defaultText = type == "bool" ? (n.boolValue ? "true" : "false") : n.stringValue
            }
            else { defaultText = "\(d)" }
        } else {
            defaultText = nil
        }
        ignorable = json["ignorable"] as? Bool ?? false
        about = (json["about"] as? String) ?? ""
        flexibleOverride = try (json["flexibleVersions"] as? String).map(Versions.init)
        if let sub = json["fields"] as? [[String: Any]] {
            fields = try sub.map(Field.init(json:))
        } else {
            fields = nil
        }
        if tag != nil && taggedVersions.isEmpty { throw CodegenError("field \(name) has a tag but no taggedVersions") }
    }

    /// The struct type this field defines or references, if any.
    var structName: String? {
        switch type {
        case .structType(let n): return n
        case .array(.structType(let n)): return n
        default: return nil
        }
    }
}

struct StructDef {
    let name: String
    let fields: [Field]
}

final class MessageSpec {
    let fileName: String
    let name: String
    let kind: String
    let apiKey: Int?
    let validVersions: Versions
    let flexibleVersions: Versions
    let deprecatedVersions: Versions?
    let latestVersionUnstable: Bool
    let fields: [Field]
    let commonStructs: [StructDef]

    init(fileName: String, json: [String: Any]) throws {
        self.fileName = fileName
        guard let name = json["name"] as? String, let kind = json["type"] as? String else {
            throw CodegenError("\(fileName): missing name/type")
        }
        self.name = name
        self.kind = kind
        apiKey = json["apiKey"] as? Int
        validVersions = try Versions(json["validVersions"] as? String ?? "none")
        flexibleVersions = try Versions(json["flexibleVersions"] as? String ?? "none")
        deprecatedVersions = try (json["deprecatedVersions"] as? String).map(Versions.init)
        latestVersionUnstable = json["latestVersionUnstable"] as? Bool ?? false
        fields = try (json["fields"] as? [[String: Any]] ?? []).map(Field.init(json:))
        commonStructs = try (json["commonStructs"] as? [[String: Any]] ?? []).map { cs in
            guard let n = cs["name"] as? String else { throw CodegenError("\(fileName): commonStruct without name") }
            return StructDef(name: n, fields: try (cs["fields"] as? [[String: Any]] ?? []).map(Field.init(json:)))
        }
    }

    /// Every struct type of this message, flattened: inline definitions first (schema order), then commonStructs.
    func allStructs() throws -> [StructDef] {
        var out: [StructDef] = []
        var seen = Set<String>()
        func visit(_ fields: [Field]) throws {
            for f in fields {
                if let sub = f.fields, let sn = f.structName {
                    guard !seen.contains(sn) else { throw CodegenError("\(fileName): struct \(sn) defined twice") }
                    seen.insert(sn)
                    out.append(StructDef(name: sn, fields: sub))
                    try visit(sub)
                }
            }
        }
        try visit(fields)
        for cs in commonStructs {
            guard !seen.contains(cs.name) else { throw CodegenError("\(fileName): struct \(cs.name) defined twice") }
            seen.insert(cs.name)
            out.append(cs)
            try visit(cs.fields)
        }
        return out
    }
}

/// Removes `//` comments that are outside JSON strings.
func stripComments(_ text: String) -> String {
    var out = [UInt8]()
    let b = Array(text.utf8)
    var i = 0
    var inString = false
    while i < b.count {
        let c = b[i]
        if inString {
            out.append(c)
            if c == UInt8(ascii: "\\"), i + 1 < b.count { out.append(b[i + 1]); i += 2; continue }
            if c == UInt8(ascii: "\"") { inString = false }
            i += 1
        } else if c == UInt8(ascii: "\""), true {
            inString = true
            out.append(c)
            i += 1
        } else if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") {
            while i < b.count, b[i] != UInt8(ascii: "\n") { i += 1 }
        } else {
            out.append(c)
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}
