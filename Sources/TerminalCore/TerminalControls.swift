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
    public static func escaped(_ text: String, keepingLines: Bool) -> String {
        guard text.unicodeScalars.contains(where: { isActive($0) && !(keepingLines && ($0 == "\n" || $0 == "\t")) }) else {
            return text
        }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            guard isActive(s) else { out.append(s); continue }
            switch s {
            case "\n" where keepingLines, "\t" where keepingLines: out.append(s)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                let hex = String(s.value, radix: 16)
                let escape = s.value < 0x20 ? "\\x" + (hex.count < 2 ? "0" : "") + hex
                    : "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                out.append(contentsOf: escape.unicodeScalars)
            }
        }
        return String(out)
    }
}

extension String {
    /// For the CLI: see `TerminalControls.escaped`.
    public func escapedForTerminal(keepingLines: Bool) -> String {
        TerminalControls.escaped(self, keepingLines: keepingLines)
    }
}
