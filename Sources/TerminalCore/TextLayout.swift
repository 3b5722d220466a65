/// Horizontal placement of text within a column.
public enum Alignment: Sendable, Hashable {
    case left, right, center
}

/// Where text that does not fit loses characters; the ellipsis marks the cut.
public enum Truncation: Sendable, Hashable {
    /// "long-topic-na…" (names, most text)
    case tail
    /// "…c-name-1234" (ids whose end matters)
    case head
    /// "long-t…e-1234"
    case middle
}

/// Width-aware string helpers shared by the widgets (display columns, not characters).
public enum TextLayout {
    /// `text` cut to at most `width` columns, with `ellipsis` marking the cut.
    public static func truncate(_ text: String, width: Int, ellipsis: Character = "…", mode: Truncation = .tail) -> String {
        guard width > 0 else { return "" }
        let total = DisplayWidth.of(text)
        if total <= width { return text }
        let ellW = DisplayWidth.of(ellipsis)
        // No room for text and a marker: the text's start says more than a lone "…".
        if width <= ellW { return prefix(text, width: width) }
        let room = width - ellW
        switch mode {
        case .tail:
            return prefix(text, width: room) + String(ellipsis)
        case .head:
            return String(ellipsis) + suffix(text, width: room)
        case .middle:
            let left = (room + 1) / 2
            return prefix(text, width: left) + String(ellipsis) + suffix(text, width: room - left)
        }
    }

    /// The longest prefix of `text` no wider than `width` columns.
    public static func prefix(_ text: String, width: Int) -> String {
        var used = 0
        var end = text.startIndex
        for i in text.indices {
            let w = DisplayWidth.of(text[i])
            if used + w > width { break }
            used += w
            end = text.index(after: i)
        }
        return String(text[text.startIndex..<end])
    }

    /// The longest suffix of `text` no wider than `width` columns.
    public static func suffix(_ text: String, width: Int) -> String {
        var used = 0
        var start = text.endIndex
        var i = text.endIndex
        while i > text.startIndex {
            let j = text.index(before: i)
            let w = DisplayWidth.of(text[j])
            if used + w > width { break }
            used += w
            start = j
            i = j
        }
        return String(text[start..<text.endIndex])
    }

    /// `text` padded (and truncated) to exactly `width` columns.
    public static func fit(_ text: String, width: Int, alignment: Alignment = .left, ellipsis: Character = "…", truncation: Truncation = .tail) -> String {
        guard width > 0 else { return "" }
        let t = truncate(text, width: width, ellipsis: ellipsis, mode: truncation)
        var pad = width - DisplayWidth.of(t)
        // A wide character that could not fit leaves a column over.
        if pad < 0 { pad = 0 }
        switch alignment {
        case .left: return t + String(repeating: " ", count: pad)
        case .right: return String(repeating: " ", count: pad) + t
        case .center:
            let l = pad / 2
            return String(repeating: " ", count: l) + t + String(repeating: " ", count: pad - l)
        }
    }

    /// Splits `text` into lines of at most `width` columns, breaking at spaces where it
    /// can and inside words where it must. Existing newlines are kept as breaks.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var out: [String] = []
        for para in text.split(separator: "\n", omittingEmptySubsequences: false) {
            out.append(contentsOf: wrapLine(String(para), width: width))
        }
        return out
    }

    private static func wrapLine(_ line: String, width: Int) -> [String] {
        if DisplayWidth.of(line) <= width { return [line] }
        var lines: [String] = []
        var current = ""
        var currentW = 0
        var lastSpace: String.Index? = nil
        for ch in line {
            let w = DisplayWidth.of(ch)
            if currentW + w > width {
                if let sp = lastSpace, sp > current.startIndex {
                    let head = String(current[..<sp])
                    let tail = String(current[current.index(after: sp)...])
                    lines.append(head)
                    current = tail
                    currentW = DisplayWidth.of(tail)
                } else {
                    lines.append(current)
                    current = ""
                    currentW = 0
                }
                lastSpace = nil
                // A single character wider than the line still gets a line of its own.
                if currentW + w > width && !current.isEmpty {
                    lines.append(current)
                    current = ""
                    currentW = 0
                }
            }
            // A break swallows the space it happens at.
            if ch == " " && current.isEmpty && !lines.isEmpty { continue }
            if ch == " " { lastSpace = current.endIndex }
            current.append(ch)
            currentW += w
        }
        lines.append(current)
        return lines
    }

    /// Splits into chunks of at most `width` columns without looking for spaces
    /// (for JSON and hex dumps, where every character matters).
    public static func hardWrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        var w = 0
        for ch in text {
            let cw = DisplayWidth.of(ch)
            if w + cw > width, !current.isEmpty {
                lines.append(current)
                current = ""
                w = 0
            }
            current.append(ch)
            w += cw
        }
        lines.append(current)
        return lines
    }
}
