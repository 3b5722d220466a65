import ClusterModel
import TerminalCore

/// The produce composer's one-line headers field: `k=v, k2=v2`, with escapes so that any header
/// round-trips through it (a re-sent record's headers are written here and read back unchanged):
/// `\,` a comma, `\\` a backslash, `\=` an equals sign in a key (a value may hold `=` as is: the
/// first unescaped `=` ends the key), `\xHH` any byte (binary values, control characters, a space
/// at either end of an item) and a whole value of `\N` for a null value.
/// Read scalar by scalar, never by Character: a combining mark after a space, a comma or an `=`
/// makes one grapheme with it, which would hide the separator and change the bytes sent.
public enum HeaderText {
    typealias Scalars = String.UnicodeScalarView

    /// The headers the text describes, or why it describes none.
    public static func parse(_ text: String) -> Result<[RecordHeader], LoadError> {
        var headers: [RecordHeader] = []
        for item in items(text) {
            guard let (key, value) = split(item) else {
                return .failure(LoadError("header '\(item)' is not KEY=VALUE (a comma in a value is written \\,)"))
            }
            let k: [UInt8], v: [UInt8]?
            switch unescape(key) {
            case .failure(let e): return .failure(e)
            case .success(let bytes): k = bytes
            }
            if value == "\\N" {
                v = nil
            } else {
                switch unescape(value) {
                case .failure(let e): return .failure(e)
                case .success(let bytes): v = bytes
                }
            }
            guard let name = String(validating: k, as: UTF8.self) else {
                return .failure(LoadError("header key '\(key)' is not UTF-8"))
            }
            headers.append(RecordHeader(key: name, value: v))
        }
        return .success(headers)
    }

    /// The text that `parse` reads back as exactly these headers.
    public static func format(_ headers: [RecordHeader]) -> String {
        headers.map { h in
            escape(Array(h.key.utf8), isKey: true) + "=" + (h.value.map { escape($0, isKey: false) } ?? "\\N")
        }.joined(separator: ", ")
    }

    /// Items between unescaped commas, trimmed of unescaped spaces, empty ones dropped.
    static func items(_ text: String) -> [String] {
        var out: [Scalars] = []
        var current = Scalars()
        var escaped = false
        for c in text.unicodeScalars {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                current.append(c)
                escaped = true
            } else if c == "," {
                out.append(current)
                current = Scalars()
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out.map(trimSpaces).filter { !$0.isEmpty }
    }

    /// Drops plain spaces at both ends (an escaped one, `\x20`, is text).
    static func trimSpaces(_ s: Scalars) -> String {
        var chars = Array(s)
        while chars.last == " " {
            // "\ " at the end: the space is escaped, keep it.
            let backslashes = chars.dropLast().reversed().prefix { $0 == "\\" }.count
            if backslashes % 2 == 1 { break }
            chars.removeLast()
        }
        var out = Scalars()
        out.append(contentsOf: chars.drop { $0 == " " })
        return String(out)
    }

    /// Key and value at the first unescaped `=`.
    static func split(_ item: String) -> (String, String)? {
        var escaped = false
        let scalars = item.unicodeScalars
        for i in scalars.indices {
            let c = scalars[i]
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "=" { return (String(scalars[..<i]), String(scalars[scalars.index(after: i)...])) }
        }
        return nil
    }

    static func unescape(_ s: String) -> Result<[UInt8], LoadError> {
        var out: [UInt8] = []
        let chars = Array(s.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "\\" else {
                UTF8.encode(c) { out.append($0) }
                i += 1
                continue
            }
            guard i + 1 < chars.count else { return .failure(LoadError("header '\(s)' ends with a lone \\ (write \\\\)")) }
            let e = chars[i + 1]
            switch e {
            case "x":
                guard i + 3 < chars.count, let b = UInt8(String(Scalars(chars[(i + 2)...(i + 3)])), radix: 16) else {
                    return .failure(LoadError("header '\(s)': \\x takes two hex digits"))
                }
                out.append(b)
                i += 4
            case "\\", ",", "=", " ":
                UTF8.encode(e) { out.append($0) }
                i += 2
            default:
                return .failure(LoadError("header '\(s)': unknown escape \\\(e) (\\, \\\\ \\= \\xHH \\N)"))
            }
        }
        return .success(out)
    }

    static func escape(_ bytes: [UInt8], isKey: Bool) -> String {
        var out = ""
        func hex(_ b: UInt8) {
            let d = Array("0123456789abcdef")
            out += "\\x"
            out.append(d[Int(b >> 4)])
            out.append(d[Int(b & 15)])
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x5C { out += "\\\\"; i += 1; continue }
            if b == 0x2C { out += "\\,"; i += 1; continue }
            if b == 0x3D && isKey { out += "\\="; i += 1; continue }
            // Spaces at either end would be trimmed.
            if b == 0x20 && (i == 0 || i == bytes.count - 1) { hex(b); i += 1; continue }
            if b >= 0x20 && b < 0x7F { out.unicodeScalars.append(Unicode.Scalar(b)); i += 1; continue }
            if b >= 0x80, let (scalar, length) = scalar(bytes, at: i), !isControl(scalar) {
                out.unicodeScalars.append(scalar)
                i += length
                continue
            }
            hex(b)
            i += 1
        }
        return out
    }

    /// The UTF-8 scalar starting at `i`, if the bytes there are one.
    static func scalar(_ bytes: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[i]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
        guard length > 0, i + length <= bytes.count,
              let s = String(validating: bytes[i..<(i + length)], as: UTF8.self),
              s.unicodeScalars.count == 1 else { return nil }
        return (s.unicodeScalars.first!, length)
    }

    /// Scalars that must not be typed as is on a terminal line (C1 controls, bidi overrides...).
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        TerminalControls.isActive(s) || s.properties.generalCategory == .format
            || s.properties.generalCategory == .lineSeparator || s.properties.generalCategory == .paragraphSeparator
    }
}
