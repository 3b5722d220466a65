/// Terminal column widths, computed here rather than with libc `wcwidth`, whose answer
/// depends on the process locale (and is -1 for everything non-ASCII in the C locale).
public enum DisplayWidth {
    /// Columns of one Unicode scalar: 0 for combining marks and format characters,
    /// 2 for East Asian wide/fullwidth and emoji presentation, 1 otherwise.
    /// Control characters count 0; views replace them before drawing.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || (v >= 0x1160 && v <= 0x11FF) { return 0 }
        if isWide(v) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Columns of a grapheme cluster: the width of its first scalar, or 2 when it is an
    /// emoji sequence made wide by a variation selector.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        var w = of(first)
        if w == 1, scalars.contains(where: { $0.value == 0xFE0F }), first.properties.isEmoji { w = 2 }
        return w
    }

    public static func of(_ string: String) -> Int {
        var total = 0
        for ch in string { total += of(ch) }
        return total
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB,
             0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA,
             0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
             0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,
             0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F,
             0x1F680...0x1F6FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// Replaces terminal control characters (ESC, C0, C1, DEL, bidi overrides; see
    /// `TerminalControls`) so that record payloads and broker-provided strings cannot drive the terminal.
    public var sanitizedForTerminal: String {
        if !unicodeScalars.contains(where: TerminalControls.isActive) {
            return self
        }
        var out = String.UnicodeScalarView()
        for s in unicodeScalars {
            switch s.value {
            case 0x09: out.append(" ")
            case 0x0A, 0x0D: out.append("\u{21B5}")
            default: out.append(TerminalControls.isActive(s) ? "\u{FFFD}" : s)
            }
        }
        return String(out)
    }
}
