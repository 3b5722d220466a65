/// Avro binary decoding (spec 1.11 "Binary Encoding") straight to JSON text.
enum AvroDecoder {
    /// Decodes the value of program node `id`. `names` is only read for error messages.
    static func value(_ id: Int, _ t: AvroProgram.Tables, _ names: [String?], _ r: inout ByteReader,
                      _ out: inout JSONWriter, depth: Int) throws {
        let node = t.nodes[id]
        switch node.op {
        case .null:
            out.null()
        case .boolean:
            let range = try r.take(1, what: "boolean")
            let b = r.bytes[range.lowerBound]
            guard b <= 1 else { throw DecodeError("Avro boolean byte \(b) is neither 0 nor 1") }
            out.bool(b == 1)
        case .int:
            let v = try r.zigzagLong()
            guard v >= Int64(Int32.min), v <= Int64(Int32.max) else { throw DecodeError("Avro int \(v) overflows 32 bits") }
            switch node.logical {
            case .date: LogicalRendering.date(days: v, &out)
            case .timeMillis: LogicalRendering.timeOfDay(v, perSecond: 1000, digits: 3, &out)
            default: out.int(v)
            }
        case .long:
            let v = try r.zigzagLong()
            switch node.logical {
            case .timeMicros: LogicalRendering.timeOfDay(v, perSecond: 1_000_000, digits: 6, &out)
            case .timestampMillis: LogicalRendering.timestamp(v, perSecond: 1000, digits: 3, utc: true, &out)
            case .timestampMicros: LogicalRendering.timestamp(v, perSecond: 1_000_000, digits: 6, utc: true, &out)
            case .timestampNanos: LogicalRendering.timestamp(v, perSecond: 1_000_000_000, digits: 9, utc: true, &out)
            case .localTimestampMillis: LogicalRendering.timestamp(v, perSecond: 1000, digits: 3, utc: false, &out)
            case .localTimestampMicros: LogicalRendering.timestamp(v, perSecond: 1_000_000, digits: 6, utc: false, &out)
            case .localTimestampNanos: LogicalRendering.timestamp(v, perSecond: 1_000_000_000, digits: 9, utc: false, &out)
            default: out.int(v)
            }
        case .float:
            out.float(Float(bitPattern: try r.fixed32()))
        case .double:
            out.double(Double(bitPattern: try r.fixed64()))
        case .bytes:
            let n = try r.zigzagLong()
            let range = try r.take(n < 0 || n > Int64(Int32.max) ? -1 : Int(n), what: "Avro bytes")
            if case .decimal(_, let scale) = node.logical {
                LogicalRendering.decimal(r.bytes[range], scale: scale, &out)
            } else {
                out.base64(r.bytes[range])
            }
        case .string:
            let n = try r.zigzagLong()
            let range = try r.take(n < 0 || n > Int64(Int32.max) ? -1 : Int(n), what: "Avro string")
            out.string(utf8: r.bytes, range)
        case .fixed:
            let range = try r.take(node.count, what: "Avro fixed")
            switch node.logical {
            case .decimal(_, let scale): LogicalRendering.decimal(r.bytes[range], scale: scale, &out)
            case .uuid: LogicalRendering.uuid(r.bytes[range], &out)
            case .duration: LogicalRendering.duration(r.bytes[range], &out)
            default: out.base64(r.bytes[range])
            }
        case .enumeration:
            let i = try r.zigzagLong()
            guard i >= 0, i < Int64(node.count) else {
                throw DecodeError("Avro enum \(names[id] ?? "") index \(i) is out of range (\(node.count) symbols)")
            }
            out.bytes.append(contentsOf: t.text(node.first + Int(i)))
        case .union:
            let i = try r.zigzagLong()
            guard i >= 0, i < Int64(node.count) else {
                throw DecodeError("Avro union branch \(i) is out of range (\(node.count) branches)")
            }
            try value(t.links[node.first + Int(i)], t, names, &r, &out, depth: depth)
        case .record:
            guard depth < DecodeLimits.maxDepth else { throw DecodeError("Avro value nests deeper than \(DecodeLimits.maxDepth)") }
            out.byte(123)
            for i in node.first..<(node.first + node.count) {
                if i > node.first { out.byte(44) }
                out.bytes.append(contentsOf: t.text(t.linkTexts[i]))
                try value(t.links[i], t, names, &r, &out, depth: depth + 1)
            }
            out.byte(125)
        case .array:
            guard depth < DecodeLimits.maxDepth else { throw DecodeError("Avro value nests deeper than \(DecodeLimits.maxDepth)") }
            out.byte(91)
            var first = true
            try blocks(&r) { r in
                if !first { out.byte(44) }
                first = false
                try value(node.first, t, names, &r, &out, depth: depth + 1)
            }
            out.byte(93)
        case .map:
            guard depth < DecodeLimits.maxDepth else { throw DecodeError("Avro value nests deeper than \(DecodeLimits.maxDepth)") }
            out.byte(123)
            var first = true
            try blocks(&r) { r in
                if !first { out.byte(44) }
                first = false
                let n = try r.zigzagLong()
                let range = try r.take(n < 0 || n > Int64(Int32.max) ? -1 : Int(n), what: "Avro map key")
                out.string(utf8: r.bytes, range)
                out.byte(58)
                try value(node.first, t, names, &r, &out, depth: depth + 1)
            }
            out.byte(125)
        }
    }

    /// Array and map blocks: a count (negative: followed by the block's byte size), 0 ends.
    static func blocks(_ r: inout ByteReader, _ item: (inout ByteReader) throws -> Void) throws {
        var total = 0
        while true {
            var count = try r.zigzagLong()
            if count == 0 { return }
            if count < 0 {
                guard count != Int64.min else { throw DecodeError("bad Avro block count") }
                count = -count
                let size = try r.zigzagLong()
                guard size >= 0, size <= Int64(r.remaining) else { throw DecodeError("Avro block size \(size) runs past the end") }
            }
            total += Int(min(count, Int64(DecodeLimits.maxBlockItems) + 1))
            // Every item takes at least one byte, except null items; bound the work either way.
            guard total <= DecodeLimits.maxBlockItems else { throw DecodeError("Avro array or map claims more than \(DecodeLimits.maxBlockItems) items") }
            for _ in 0..<count { try item(&r) }
        }
    }
}
