/// The parts of Protobuf descriptors that decoding needs, built from .proto text
/// (ProtoParser) or from serialized FileDescriptorProtos (ProtoDescriptorReader).
public struct ProtoFileDefinition: Sendable {
    public var name: String
    public var package: String
    public var syntax: String
    public var imports: [String]
    public var messages: [ProtoMessageDefinition]
    public var enums: [ProtoEnumDefinition]
}

public struct ProtoMessageDefinition: Sendable {
    public var name: String
    public var fields: [ProtoFieldDefinition]
    /// Nested messages in declaration order (map entries included, as protoc adds them).
    public var messages: [ProtoMessageDefinition]
    public var enums: [ProtoEnumDefinition]
    public var oneofs: [String]
    public var isMapEntry: Bool
}

public struct ProtoEnumDefinition: Sendable {
    public var name: String
    public var values: [(String, Int32)]
}

public enum ProtoLabel: Sendable { case implicit, optional, required, repeated }

public struct ProtoFieldDefinition: Sendable {
    public var name: String
    public var number: Int32
    public var label: ProtoLabel
    /// A scalar keyword (`int32`, `string` ...) or a (possibly relative) type name.
    public var typeName: String
    public var oneofIndex: Int?
    public var isGroup: Bool = false
    /// From a descriptor: explicit presence (proto3 `optional`, oneof, required).
    var presence: Bool = false
}

public enum ProtoScalar: Sendable {
    case double, float, int64, uint64, int32, fixed64, fixed32, bool, string, bytes, uint32
    case sfixed32, sfixed64, sint32, sint64
    /// Not a .proto keyword: enum numbers read as int32.
    case enumLike

    static let byName: [String: ProtoScalar] = [
        "double": .double, "float": .float, "int64": .int64, "uint64": .uint64, "int32": .int32,
        "fixed64": .fixed64, "fixed32": .fixed32, "bool": .bool, "string": .string, "bytes": .bytes,
        "uint32": .uint32, "sfixed32": .sfixed32, "sfixed64": .sfixed64, "sint32": .sint32, "sint64": .sint64,
    ]

    /// Wire type of a single (unpacked) value.
    var wireType: UInt8 {
        switch self {
        case .double, .fixed64, .sfixed64: return 1
        case .float, .fixed32, .sfixed32: return 5
        case .string, .bytes: return 2
        default: return 0
        }
    }
}

/// A resolved message type, ready to decode.
public final class ProtoMessageType: @unchecked Sendable {
    public let fullName: String
    public internal(set) var fields: [ProtoField] = []
    var byNumber: [Int32: Int] = [:]
    /// Fields numbered below this are found by direct index (most messages).
    var direct: [Int] = []
    public internal(set) var nested: [ProtoMessageType] = []
    let isMapEntry: Bool
    let oneofCount: Int
    let proto3: Bool

    init(fullName: String, isMapEntry: Bool, oneofCount: Int, proto3: Bool) {
        self.fullName = fullName
        self.isMapEntry = isMapEntry
        self.oneofCount = oneofCount
        self.proto3 = proto3
    }

    @inline(__always) func fieldIndex(_ number: UInt64) -> Int? {
        if number < UInt64(direct.count) { let i = direct[Int(number)]; return i >= 0 ? i : nil }
        guard number <= UInt64(Int32.max) else { return nil }
        return byNumber[Int32(number)]
    }
}

public final class ProtoEnumType: @unchecked Sendable {
    public let fullName: String
    var names: [Int32: [UInt8]] = [:]
    init(fullName: String) { self.fullName = fullName }
}

public struct ProtoField: @unchecked Sendable {
    public enum Kind {
        case scalar(ProtoScalar)
        case enumeration(ProtoEnumType)
        case message(ProtoMessageType)
    }
    public var name: String
    public var number: Int32
    public var kind: Kind
    public var repeated: Bool
    /// Printed even when default-valued (proto2 optional/required, proto3 optional, oneof members).
    public var hasPresence: Bool
    public var oneofIndex: Int?
    var isMap: Bool
    /// `"name":` pre-encoded.
    var jsonKey: [UInt8]
}
