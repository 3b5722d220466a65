import Foundation

/// JSON Schema payloads: after the Confluent framing the bytes are plain JSON text. They are
/// validated as JSON (not against the schema) and re-emitted compactly, escaped like every value.
public enum JSONSchemaPayload {
    public static func decodeJSON(_ bytes: [UInt8], from offset: Int = 0) throws -> String {
        let data = Data(bytes[min(offset, bytes.count)...])
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw DecodeError("the JSON Schema payload is not valid JSON")
        }
        var out = JSONWriter(capacity: data.count + 16)
        try write(value, &out, depth: 0)
        return out.text
    }

    static func write(_ v: Any, _ out: inout JSONWriter, depth: Int) throws {
        guard depth < DecodeLimits.maxDepth * 4 else { throw DecodeError("the JSON payload nests too deeply") }
        switch v {
        case is NSNull: out.null()
        case let s as String: out.string(s)
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { out.bool(n.boolValue) }
            else if let i = Int64(exactly: n.doubleValue), !"\(n)".contains(".") && !"\(n)".contains("e") { out.int(i) }
            else { out.bytes.append(contentsOf: "\(n)".utf8) }
        case let a as [Any]:
            out.byte(91)
            for (i, x) in a.enumerated() { if i > 0 { out.byte(44) }; try write(x, &out, depth: depth + 1) }
            out.byte(93)
        case let o as [String: Any]:
            out.byte(123)
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out.byte(44) }
                out.string(k); out.byte(58)
                try write(o[k]!, &out, depth: depth + 1)
            }
            out.byte(125)
        default:
            throw DecodeError("the JSON payload holds an unsupported value")
        }
    }
}
