/// Colours JSON for the record and config views without parsing it into values, so key
/// order, big numbers and even truncated or invalid documents are shown as they are.
public enum JSONHighlight {
    /// `json` re-indented (two spaces per level) when it looks like one compact JSON
    /// object or array; nil when it is not JSON-shaped (unbalanced or stray text).
    public static func pretty(_ json: String, indent: Int = 2) -> String? {
        let trimmed = json.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let f = trimmed.first, f == "{" || f == "[" else { return nil }
        var out = ""
        var depth = 0
        var inString = false
        var escaped = false
        var pendingOpen = false
        var done = false
        func newline() { out.append("\n"); out.append(String(repeating: " ", count: depth * indent)) }
        for ch in trimmed {
            if inString {
                out.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            if ch == " " || ch == "\n" || ch == "\t" || ch == "\r" { continue }
            // Text after the closing bracket: not one JSON document.
            if done { return nil }
            switch ch {
            case "{", "[":
                if pendingOpen { depth += 1; newline() }
                out.append(ch)
                pendingOpen = true
                continue
            case "}", "]":
                if pendingOpen {
                    // Empty {} or [].
                    pendingOpen = false
                    out.append(ch)
                    if depth == 0 { done = true }
                    continue
                }
                depth -= 1
                if depth < 0 { return nil }
                newline()
                out.append(ch)
                if depth == 0 { done = true }
                continue
            default:
                break
            }
            if pendingOpen { depth += 1; newline(); pendingOpen = false }
            switch ch {
            case ",":
                out.append(",")
                newline()
            case ":":
                out.append(": ")
            case "\"":
                inString = true
                out.append(ch)
            default:
                out.append(ch)
            }
        }
        guard depth == 0, !inString, !pendingOpen, done else { return nil }
        return out
    }

    /// Each line of `text` split into spans with roles json.key, json.string,
    /// json.number (numbers, true, false, null) and normal punctuation.
    public static func lines(_ text: String) -> [[Span]] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { highlight(Substring($0)) }
    }

    static func highlight(_ line: Substring) -> [Span] {
        var spans: [Span] = []
        var plain = ""
        func flush() { if !plain.isEmpty { spans.append(Span(plain)); plain = "" } }
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\"" {
                var j = i + 1
                var esc = false
                while j < chars.count {
                    if esc { esc = false } else if chars[j] == "\\" { esc = true } else if chars[j] == "\"" { break }
                    j += 1
                }
                let end = min(j + 1, chars.count)
                var k = end
                while k < chars.count && chars[k] == " " { k += 1 }
                let isKey = k < chars.count && chars[k] == ":"
                flush()
                spans.append(Span(String(chars[i..<end]), role: isKey ? .jsonKey : .jsonString))
                i = end
                continue
            }
            if c == "-" || c.isNumber || c == "t" || c == "f" || c == "n" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || "+-.".contains(chars[j]) { j += 1 }
                let word = String(chars[i..<j])
                let isLiteral = word == "true" || word == "false" || word == "null"
                    || (word.first.map { $0 == "-" || $0.isNumber } ?? false)
                if isLiteral && j > i {
                    flush()
                    spans.append(Span(word, role: .jsonNumber))
                    i = j
                    continue
                }
            }
            plain.append(c)
            i += 1
        }
        flush()
        return spans
    }
}
