/// JSON forms of the well-known types (protobuf's JSON mapping): Timestamp and Duration as
/// strings, wrappers as their value, Struct/Value/ListValue as plain JSON, FieldMask as a string.
enum WellKnownJSON {
    typealias Renderer = (ProtoMessageType, [UInt8], Range<Int>, inout JSONWriter, Int) throws -> Void

    static func renderer(_ fullName: String) -> Renderer? {
        guard fullName.hasPrefix("google.protobuf.") else { return nil }
        switch fullName.dropFirst(16) {
        case "Timestamp": return timestamp
        case "Duration": return duration
        case "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue",
             "StringValue", "BytesValue": return wrapper
        case "Struct": return structObject
        case "Value": return value
        case "ListValue": return listValue
        case "FieldMask": return fieldMask
        default: return nil
        }
    }

    /// The last occurrence of field number `n` (fields are indexed in number order).
    static func last(_ type: ProtoMessageType, _ occ: [ProtoDecoder.Occurrence], number: Int32) -> ProtoDecoder.Occurrence? {
        guard let i = type.byNumber[number] else { return nil }
        return occ.last { $0.field == Int32(i) }
    }

    static func secondsAndNanos(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, depth: Int) throws -> (Int64, Int32) {
        let occ = try ProtoDecoder.scan(type, b, range, depth: depth)
        let s = last(type, occ, number: 1).map { Int64(bitPattern: $0.scalar) } ?? 0
        let n = last(type, occ, number: 2).map { Int32(truncatingIfNeeded: $0.scalar) } ?? 0
        return (s, n)
    }

    /// 0, 3, 6 or 9 fraction digits, as protobuf prints them.
    static func fraction(_ nanos: Int32, _ out: inout JSONWriter) {
        guard nanos != 0 else { return }
        out.byte(46)
        if nanos % 1_000_000 == 0 { LogicalRendering.pad(Int64(nanos / 1_000_000), 3, &out) }
        else if nanos % 1000 == 0 { LogicalRendering.pad(Int64(nanos / 1000), 6, &out) }
        else { LogicalRendering.pad(Int64(nanos), 9, &out) }
    }

    static func timestamp(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, _ out: inout JSONWriter, _ depth: Int) throws {
        let (seconds, nanos) = try secondsAndNanos(type, b, range, depth: depth)
        // 0001-01-01 .. 9999-12-31, nanos 0 ..< 1e9: the range the JSON mapping allows.
        guard seconds >= -62_135_596_800, seconds <= 253_402_300_799, nanos >= 0, nanos < 1_000_000_000 else {
            throw DecodeError("Timestamp \(seconds)s \(nanos)ns is outside the range JSON can show")
        }
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        out.byte(34)
        _ = LogicalRendering.writeDate(days: days, &out)
        out.byte(84)
        LogicalRendering.pad(rest / 3600, 2, &out); out.byte(58)
        LogicalRendering.pad(rest / 60 % 60, 2, &out); out.byte(58)
        LogicalRendering.pad(rest % 60, 2, &out)
        fraction(nanos, &out)
        out.raw("Z\"")
    }

    static func duration(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, _ out: inout JSONWriter, _ depth: Int) throws {
        let (seconds, nanos) = try secondsAndNanos(type, b, range, depth: depth)
        guard abs(seconds) <= 315_576_000_000, abs(nanos) < 1_000_000_000,
              !(seconds > 0 && nanos < 0), !(seconds < 0 && nanos > 0) else {
            throw DecodeError("Duration \(seconds)s \(nanos)ns is invalid")
        }
        out.byte(34)
        if seconds < 0 || nanos < 0 { out.byte(45) }
        out.int(Int64(seconds.magnitude))
        fraction(Int32(nanos.magnitude), &out)
        out.raw("s\"")
    }

    static func wrapper(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, _ out: inout JSONWriter, _ depth: Int) throws {
        guard let field = type.fields.first else { out.raw("null"); return }
        let occ = try ProtoDecoder.scan(type, b, range, depth: depth)
        var forced = field
        forced.hasPresence = true
        if try occ.isEmpty || !ProtoDecoder.singularValue(forced, b, occ, &out, depth: depth) {
            ProtoDecoder.defaultValue(field, &out, depth: depth)
        }
    }

    static func structObject(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, _ out: inout JSONWriter, _ depth: Int) throws {
        guard let field = type.fields.first, field.isMap else { out.raw("{}"); return }
        let occ = try ProtoDecoder.scan(type, b, range, depth: depth)
        if try occ.isEmpty || !ProtoDecoder.mapValue(field, b, occ, &out, depth: depth) { out.raw("{}") }
    }

    static func value(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, _ out: inout JSONWriter, _ depth: Int) throws {
        let occ = try ProtoDecoder.scan(type, b, range, depth: depth)
        guard let o = occ.last else { out.null(); return }
        var field = type.fields[Int(o.field)]
        field.hasPresence = true
        if !(try ProtoDecoder.singularValue(field, b, [o], &out, depth: depth)) { out.null() }
    }

    static func listValue(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, _ out: inout JSONWriter, _ depth: Int) throws {
        guard let field = type.fields.first else { out.raw("[]"); return }
        let occ = try ProtoDecoder.scan(type, b, range, depth: depth)
        if try occ.isEmpty || !ProtoDecoder.repeatedValue(field, b, occ, &out, depth: depth) { out.raw("[]") }
    }

    static func fieldMask(_ type: ProtoMessageType, _ b: [UInt8], _ range: Range<Int>, _ out: inout JSONWriter, _ depth: Int) throws {
        let occ = try ProtoDecoder.scan(type, b, range, depth: depth)
        var paths: [String] = []
        for o in occ where o.wire == 2 {
            let raw = String(decoding: b[Int(o.start)..<Int(o.end)], as: UTF8.self)
            var camel = ""
            var upper = false
            for c in raw {
                if c == "_" { upper = true; continue }
                camel += upper ? c.uppercased() : String(c)
                upper = false
            }
            paths.append(camel)
        }
        out.string(paths.joined(separator: ","))
    }
}
