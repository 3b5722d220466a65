import TerminalCore

/// A JSON value with object keys in the order written, so `-o json` output is stable and
/// reads in the documented field order.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// JSON text already encoded by a writer that escapes as `quote` does (SchemaCodecs' JSONWriter:
    /// control characters and terminal controls escaped), spliced in as is.
    case verbatim(String)

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }
    public func hash(into h: inout Hasher) { h.combine(serialized()) }

    public static func optional(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    public static func optional<I: BinaryInteger>(_ i: I?) -> JSONValue { i.map { .integer(Int64($0)) } ?? .null }
    public static func int<I: BinaryInteger>(_ i: I) -> JSONValue { .integer(Int64(i)) }

    /// Compact, one line, keys in order.
    public func serialized() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let kv) = self else { return nil }
        return kv.first { $0.0 == key }?.1
    }

    /// Field names of an object, in order (used by tests to pin the public names).
    public var keys: [String] {
        guard case .object(let kv) = self else { return [] }
        return kv.map(\.0)
    }

    func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .double(let d):
            if d.isFinite {
                if d == d.rounded(), abs(d) < 1e15 { out += String(Int64(d)) } else { out += "\(d)" }
            } else {
                out += "null"
            }
        case .string(let s): Self.quote(s, into: &out)
        case .verbatim(let json): out += json
        case .array(let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let kv):
            out += "{"
            for (i, (k, v)) in kv.enumerated() {
                if i > 0 { out += "," }
                Self.quote(k, into: &out)
                out += ":"
                v.write(into: &out)
            }
            out += "}"
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        // Most names need no escaping: append them whole. Terminal controls (C1, bidi overrides,
        // U+2028/U+2029; see TerminalControls) are escaped too, so JSON is safe on a terminal.
        let plainASCII = !s.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == 0x22 || $0 == 0x5C })
        if plainASCII || !s.unicodeScalars.contains(where: { $0 == "\"" || $0 == "\\" || TerminalControls.isActive($0) }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if TerminalControls.isActive(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
