/// Protobuf wire decoding straight to canonical JSON (protobuf's JSON mapping with the field
/// names as written): 64-bit integers as strings, enums by name, bytes base64, default-valued
/// implicit fields omitted, well-known types in their JSON forms. Unknown fields are skipped.
enum ProtoDecoder {
    /// One field occurrence on the wire.
    struct Occurrence {
        var field: Int32
        var wire: UInt8
        /// Varint or fixed value; for length-delimited and groups the byte range.
        var scalar: UInt64
        var start: Int32
        var end: Int32
    }

    static func message(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, _ out: inout JSONWriter, depth: Int) throws {
        guard depth < DecodeLimits.maxDepth else { throw DecodeError("Protobuf message nests deeper than \(DecodeLimits.maxDepth)") }
        if let special = WellKnownJSON.renderer(type.fullName) {
            try special(type, b, range, &out, depth)
            return
        }
        let occ = try scan(type, b, range, depth: depth)
        try render(type, b, occ, &out, depth: depth)
    }

    /// Reads the occurrences of known fields, in wire order.
    static func scan(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, depth: Int) throws -> [Occurrence] {
        var r = ByteReader(b, from: range.lowerBound, end: range.upperBound)
        var occ: [Occurrence] = []
        occ.reserveCapacity(type.fields.count)
        while !r.atEnd {
            let tag = try r.varint()
            let wire = UInt8(tag & 7)
            let number = tag >> 3
            guard number > 0 else { throw DecodeError("Protobuf field number 0 at byte \(r.position)") }
            var o = Occurrence(field: -1, wire: wire, scalar: 0, start: 0, end: 0)
            switch wire {
            case 0: o.scalar = try r.varint()
            case 1: o.scalar = try r.fixed64()
            case 5: o.scalar = UInt64(try r.fixed32())
            case 2:
                let n = try r.varint()
                let span = try r.take(n > UInt64(Int32.max) ? -1 : Int(n), what: "Protobuf length-delimited field")
                o.start = Int32(span.lowerBound); o.end = Int32(span.upperBound)
            case 3:
                let start = r.position
                let end = try skipGroup(&r, number: number, depth: depth)
                o.start = Int32(start); o.end = Int32(end)
            default:
                throw DecodeError("Protobuf wire type \(wire) (field \(number)) is invalid at byte \(r.position)")
            }
            if let i = type.fieldIndex(number) {
                o.field = Int32(i)
                occ.append(o)
            }
        }
        return occ
    }

    /// Skips to the matching end-group tag; returns where the group's content ends.
    static func skipGroup(_ r: inout ByteReader, number: UInt64, depth: Int) throws -> Int {
        guard depth < DecodeLimits.maxDepth else { throw DecodeError("Protobuf groups nest too deeply") }
        while true {
            let before = r.position
            let tag = try r.varint()
            switch tag & 7 {
            case 0: _ = try r.varint()
            case 1: _ = try r.fixed64()
            case 5: _ = try r.fixed32()
            case 2:
                let n = try r.varint()
                _ = try r.take(n > UInt64(Int32.max) ? -1 : Int(n))
            case 3: _ = try skipGroup(&r, number: tag >> 3, depth: depth + 1)
            case 4:
                guard tag >> 3 == number else { throw DecodeError("Protobuf end-group tag does not match its start") }
                return before
            default: throw DecodeError("Protobuf wire type \(tag & 7) is invalid at byte \(before)")
            }
        }
    }

    static func render(_ type: ProtoMessageType, _ b: [UInt8], _ occ: [Occurrence], _ out: inout JSONWriter, depth: Int) throws {
        // The last member of each oneof seen on the wire is the one that is set.
        var oneofWinner: [Int32]? = nil
        if type.oneofCount > 0 {
            var w = [Int32](repeating: -1, count: type.oneofCount)
            for o in occ { if let k = type.fields[Int(o.field)].oneofIndex { w[k] = o.field } }
            oneofWinner = w
        }
        // Group occurrences by field, keeping wire order within a field; fields in number order.
        var order = Array(occ.indices)
        var sorted = true
        for i in occ.indices.dropFirst() where occ[i].field < occ[i - 1].field { sorted = false; break }
        if !sorted { order.sort { occ[$0].field != occ[$1].field ? occ[$0].field < occ[$1].field : $0 < $1 } }

        out.byte(123)
        var first = true
        var i = 0
        while i < order.count {
            let fi = occ[order[i]].field
            var j = i + 1
            while j < order.count && occ[order[j]].field == fi { j += 1 }
            let field = type.fields[Int(fi)]
            defer { i = j }
            if let k = field.oneofIndex, let w = oneofWinner, w[k] != fi { continue }
            let group = order[i..<j].map { occ[$0] }
            let mark = out.bytes.count
            if !first { out.byte(44) }
            out.bytes.append(contentsOf: field.jsonKey)
            let wrote: Bool
            if field.isMap {
                wrote = try mapValue(field, b, group, &out, depth: depth)
            } else if field.repeated {
                wrote = try repeatedValue(field, b, group, &out, depth: depth)
            } else {
                wrote = try singularValue(field, b, group, &out, depth: depth)
            }
            if wrote { first = false } else { out.bytes.removeSubrange(mark...) }
        }
        out.byte(125)
    }

    /// The last occurrence wins for scalars; message occurrences are merged (decoded as one).
    static func singularValue(_ f: ProtoField, _ b: [UInt8], _ group: [Occurrence], _ out: inout JSONWriter, depth: Int) throws -> Bool {
        switch f.kind {
        case .message(let m):
            let parts = group.filter { $0.wire == 2 || $0.wire == 3 }
            guard !parts.isEmpty else { return false }
            if parts.count == 1 {
                try message(m, b, Int(parts[0].start)..<Int(parts[0].end), &out, depth: depth + 1)
            } else {
                var merged: [UInt8] = []
                for p in parts { merged += b[Int(p.start)..<Int(p.end)] }
                try message(m, merged, 0..<merged.count, &out, depth: depth + 1)
            }
            return true
        case .scalar(let s):
            guard var last = group.last else { return false }
            if last.wire == 2 && s.wireType != 2 {
                // A packed run for a singular field: its last element counts.
                var values: [UInt64] = []
                try unpack(s, b, last, into: &values)
                guard let v = values.last else { return false }
                last = Occurrence(field: last.field, wire: s.wireType, scalar: v, start: 0, end: 0)
            }
            guard last.wire == s.wireType else { throw DecodeError("field \(f.name) has wire type \(last.wire), expected \(s.wireType)") }
            if !f.hasPresence && isDefault(s, last) { return false }
            try scalar(s, b, last, &out)
            return true
        case .enumeration(let e):
            guard let last = group.last, last.wire == 0 || last.wire == 2 else { return false }
            var v = last.scalar
            if last.wire == 2 {
                var values: [UInt64] = []
                try unpack(.int32, b, last, into: &values)
                guard let l = values.last else { return false }
                v = l
            }
            if !f.hasPresence && Int32(truncatingIfNeeded: v) == 0 { return false }
            enumValue(e, v, &out)
            return true
        }
    }

    static func isDefault(_ s: ProtoScalar, _ o: Occurrence) -> Bool {
        switch s {
        case .string, .bytes: return o.end == o.start
        case .int32, .sint32, .uint32, .enumLike: return UInt32(truncatingIfNeeded: o.scalar) == 0 || o.scalar == 0
        default: return o.scalar == 0
        }
    }

    static func repeatedValue(_ f: ProtoField, _ b: [UInt8], _ group: [Occurrence], _ out: inout JSONWriter, depth: Int) throws -> Bool {
        out.byte(91)
        var count = 0
        switch f.kind {
        case .message(let m):
            for o in group where o.wire == 2 || o.wire == 3 {
                if count > 0 { out.byte(44) }
                try message(m, b, Int(o.start)..<Int(o.end), &out, depth: depth + 1)
                count += 1
            }
        case .scalar(let s):
            for o in group {
                if o.wire == 2 && s.wireType != 2 {
                    var values: [UInt64] = []
                    try unpack(s, b, o, into: &values)
                    for v in values {
                        if count > 0 { out.byte(44) }
                        try scalar(s, b, Occurrence(field: o.field, wire: s.wireType, scalar: v, start: 0, end: 0), &out)
                        count += 1
                    }
                } else {
                    guard o.wire == s.wireType else { throw DecodeError("field \(f.name) has wire type \(o.wire), expected \(s.wireType)") }
                    if count > 0 { out.byte(44) }
                    try scalar(s, b, o, &out)
                    count += 1
                }
            }
        case .enumeration(let e):
            for o in group {
                var values: [UInt64] = []
                if o.wire == 2 { try unpack(.int32, b, o, into: &values) } else { values = [o.scalar] }
                for v in values {
                    if count > 0 { out.byte(44) }
                    enumValue(e, v, &out)
                    count += 1
                }
            }
        }
        out.byte(93)
        return count > 0
    }

    static func mapValue(_ f: ProtoField, _ b: [UInt8], _ group: [Occurrence], _ out: inout JSONWriter, depth: Int) throws -> Bool {
        guard case .message(let entry) = f.kind, entry.fields.count == 2 else { return false }
        let keyField = entry.fields[0], valueField = entry.fields[1]
        // Later entries with the same key replace earlier ones.
        var keys: [[UInt8]] = []
        var values: [[UInt8]] = []
        var position: [[UInt8]: Int] = [:]
        for o in group where o.wire == 2 {
            let occ = try scan(entry, b, Int(o.start)..<Int(o.end), depth: depth + 1)
            var k = JSONWriter()
            let ko = occ.last { $0.field == 0 }
            if case .scalar(let s) = keyField.kind {
                if let ko { try mapKey(s, b, ko, &k) } else { try mapKey(s, [], Occurrence(field: 0, wire: s.wireType, scalar: 0, start: 0, end: 0), &k) }
            }
            var v = JSONWriter()
            let vo = occ.filter { $0.field == 1 }
            if vo.isEmpty {
                defaultValue(valueField, &v, depth: depth)
            } else {
                var forced = valueField
                forced.hasPresence = true
                _ = try singularValue(forced, b, vo, &v, depth: depth + 1)
            }
            if let p = position[k.bytes] { values[p] = v.bytes } else {
                position[k.bytes] = keys.count
                keys.append(k.bytes)
                values.append(v.bytes)
            }
        }
        out.byte(123)
        for i in keys.indices {
            if i > 0 { out.byte(44) }
            out.bytes.append(contentsOf: keys[i]); out.byte(58); out.bytes.append(contentsOf: values[i])
        }
        out.byte(125)
        return !keys.isEmpty
    }

    /// Map keys are JSON strings whatever their type.
    static func mapKey(_ s: ProtoScalar, _ b: [UInt8], _ o: Occurrence, _ out: inout JSONWriter) throws {
        if s == .string { try scalar(s, b, o, &out); return }
        var w = JSONWriter()
        try scalar(s, b, o, &w)
        if w.bytes.first == 34 { out.bytes += w.bytes } else { out.byte(34); out.bytes += w.bytes; out.byte(34) }
    }

    static func defaultValue(_ f: ProtoField, _ out: inout JSONWriter, depth: Int) {
        switch f.kind {
        case .message: out.raw("{}")
        case .enumeration(let e): enumValue(e, 0, &out)
        case .scalar(let s):
            switch s {
            case .string, .bytes: out.raw("\"\"")
            case .bool: out.raw("false")
            case .int64, .uint64, .sint64, .fixed64, .sfixed64: out.raw("\"0\"")
            default: out.raw("0")
            }
        }
    }

    static func enumValue(_ e: ProtoEnumType, _ v: UInt64, _ out: inout JSONWriter) {
        let n = Int32(truncatingIfNeeded: v)
        if e.fullName == "google.protobuf.NullValue" { out.null(); return }
        if let name = e.names[n] { out.bytes.append(contentsOf: name) } else { out.int(Int64(n)) }
    }

    static func unpack(_ s: ProtoScalar, _ b: [UInt8], _ o: Occurrence, into values: inout [UInt64]) throws {
        var r = ByteReader(b, from: Int(o.start), end: Int(o.end))
        while !r.atEnd {
            switch s.wireType {
            case 0: values.append(try r.varint())
            case 1: values.append(try r.fixed64())
            case 5: values.append(UInt64(try r.fixed32()))
            default: throw DecodeError("a packed field of a non-numeric type")
            }
        }
    }

    static func scalar(_ s: ProtoScalar, _ b: [UInt8], _ o: Occurrence, _ out: inout JSONWriter) throws {
        let v = o.scalar
        switch s {
        case .double: out.double(Double(bitPattern: v))
        case .float: out.float(Float(bitPattern: UInt32(truncatingIfNeeded: v)))
        case .int64, .sfixed64: out.quotedInt(Int64(bitPattern: v))
        case .uint64, .fixed64: out.quotedUInt(v)
        case .sint64: out.quotedInt(Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))))
        case .int32, .enumLike: out.int(Int64(Int32(truncatingIfNeeded: v)))
        case .sfixed32: out.int(Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: v))))
        case .uint32, .fixed32: out.int(Int64(UInt32(truncatingIfNeeded: v)))
        case .sint32:
            let u = UInt32(truncatingIfNeeded: v)
            out.int(Int64(Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))))
        case .bool: out.bool(v != 0)
        case .string: out.string(utf8: b[Int(o.start)..<Int(o.end)])
        case .bytes: out.base64(b[Int(o.start)..<Int(o.end)])
        }
    }
}
