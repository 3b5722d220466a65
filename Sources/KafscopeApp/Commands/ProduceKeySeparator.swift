import ArgumentParser

/// `produce -K SEP`: the separator's bytes, with kcat's escapes, so that the kcat habit
/// `-K '\t'` splits tab-separated input instead of looking for a backslash and a `t`.
enum ProduceKeySeparator {
    /// `\t` tab, `\n` newline, `\r` carriage return, `\\` a backslash, `\xNN` the byte 0xNN (one or
    /// two hex digits); any other backslash stays as it is (as kcat leaves it).
    static func bytes(_ text: String) throws -> [UInt8] {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < input.count {
            guard input[i] == UInt8(ascii: "\\"), i + 1 < input.count else {
                out.append(input[i])
                i += 1
                continue
            }
            switch input[i + 1] {
            case UInt8(ascii: "t"): out.append(0x09); i += 2
            case UInt8(ascii: "n"): out.append(0x0A); i += 2
            case UInt8(ascii: "r"): out.append(0x0D); i += 2
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); i += 2
            case UInt8(ascii: "x"):
                var value: UInt8 = 0
                var digits = 0
                while digits < 2, i + 2 + digits < input.count, let d = hexValue(input[i + 2 + digits]) {
                    value = value << 4 | d
                    digits += 1
                }
                guard digits > 0 else { throw ValidationError("-K: \\x needs a hex byte such as \\x1f, in '\(text)'") }
                out.append(value)
                i += 2 + digits
            default:
                out.append(input[i])
                i += 1
            }
        }
        guard !out.isEmpty else { throw ValidationError("-K needs a separator") }
        // Records are lines: a separator holding a newline could never be found, and every record
        // would silently get a null key.
        guard !out.contains(0x0A) else { throw ValidationError("-K cannot contain a newline: each line is one record") }
        return out
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
