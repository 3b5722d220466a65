/// The one rule for what a terminal may act on instead of showing: C0 controls (ESC, BEL, CR,
/// NUL ...), DEL, C1 controls (U+0080-U+009F, e.g. the 8-bit CSI U+009B), bidirectional
/// overrides and isolates (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C), and the
/// Unicode line/paragraph separators. Record contents, names and broker-supplied messages pass
/// through it before they reach a screen: the TUI replaces them with a glyph
/// (`sanitizedForTerminal`), the CLI with a visible escape (`escapedForTerminal`).
public enum TerminalControls {
    /// True for a scalar the terminal could interpret. Tab and newline are included: callers
    /// that keep line structure say so.
    @inlinable
    public static func isActive(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return true }
        if v < 0x61C { return false }
        return v == 0x61C || v == 0x200E || v == 0x200F || (0x2028...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// Text with every active scalar as a visible escape: `\x1b`, `\r`, `\u202e`. With
    /// `keepingLines`, `\n` and `\t` stay as they are (messages over several lines).
    /// Scalars above U+001F are written `\uXXXX`, so JSON passed through stays valid JSON
    /// meaning the same thing (a raw C0 never appears in valid JSON).
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func escaped(_ text: String, keepingLines: Bool) -> String {
        // Printable ASCII throughout (most output) needs no scalar-by-scalar look.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }),
              text.unicodeScalars.contains(where: { isActive($0) && !(keepingLines && ($0 == "\n" || $0 == "\t")) }) else {
            return text
        }
        // Built as UTF-8 bytes: appending to a String.UnicodeScalarView cost microseconds per scalar,
        // which made `tail -o text` of binary values take a minute for 10 MB.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 64)
        let backslash = UInt8(ascii: "\\")
        for s in text.unicodeScalars {
            guard isActive(s) else {
                if s.isASCII { out.append(UInt8(s.value)) } else if let e = UTF8.encode(s) { out.append(contentsOf: e) }
                continue
            }
            switch s {
            case "\n" where keepingLines, "\t" where keepingLines: out.append(UInt8(s.value))
            case "\n": out += [backslash, UInt8(ascii: "n")]
            case "\t": out += [backslash, UInt8(ascii: "t")]
            case "\r": out += [backslash, UInt8(ascii: "r")]
            default:
                // \xHH below U+0020, else \uHHHH (more digits only if ever needed).
                var digits = s.value < 0x20 ? 2 : 4
                while s.value >> UInt32(digits * 4) != 0 { digits += 1 }
                out += [backslash, UInt8(ascii: s.value < 0x20 ? "x" : "u")]
                for i in stride(from: digits - 1, through: 0, by: -1) {
                    out.append(hexDigits[Int((s.value >> UInt32(i * 4)) & 0xF)])
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    /// For the CLI: see `TerminalControls.escaped`.
    public func escapedForTerminal(keepingLines: Bool) -> String {
        TerminalControls.escaped(self, keepingLines: keepingLines)
    }
}
