/// A one-line text editor (the `:` command line and the `/` filter): text plus a cursor
/// counted in Characters, with readline-style keys.
public struct LineEditor: Sendable, Hashable {
    public var text: String
    /// Insertion point, 0...text.count (Characters).
    public var cursor: Int

    public enum Outcome: Sendable, Hashable {
        /// Text changed (re-filter live).
        case edited
        /// Only the cursor moved.
        case moved
        /// Enter.
        case submit
        /// Esc or ctrl-g.
        case cancel
        /// Tab, or Right at the end of the text: accept the suggestion.
        case complete
        /// Not an editing key (Up/Down for history, ...); nothing changed.
        case ignored
    }

    public init(text: String = "", cursor: Int? = nil) {
        self.text = text
        self.cursor = min(max(0, cursor ?? text.count), text.count)
    }

    private func index(_ n: Int) -> String.Index { text.index(text.startIndex, offsetBy: min(max(0, n), text.count)) }

    public mutating func insert(_ s: String) {
        let i = index(cursor)
        text.insert(contentsOf: s, at: i)
        cursor += s.count
    }

    /// Replaces the text (a completion) and puts the cursor at its end.
    public mutating func set(_ s: String) {
        text = s
        cursor = s.count
    }

    public mutating func handle(_ key: Key) -> Outcome {
        cursor = min(max(0, cursor), text.count)
        switch key {
        case .character(let c):
            insert(String(c))
            return .edited
        case .backspace, .ctrl("h"):
            guard cursor > 0 else { return .ignored }
            text.remove(at: index(cursor - 1))
            cursor -= 1
            return .edited
        case .delete, .ctrl("d"):
            guard cursor < text.count else { return .ignored }
            text.remove(at: index(cursor))
            return .edited
        case .left, .ctrl("b"):
            guard cursor > 0 else { return .ignored }
            cursor -= 1
            return .moved
        case .right, .ctrl("f"):
            guard cursor < text.count else { return .complete }
            cursor += 1
            return .moved
        case .home, .ctrl("a"):
            cursor = 0
            return .moved
        case .end, .ctrl("e"):
            cursor = text.count
            return .moved
        case .ctrl("u"):
            guard cursor > 0 else { return .ignored }
            text.removeSubrange(text.startIndex..<index(cursor))
            cursor = 0
            return .edited
        case .ctrl("k"):
            guard cursor < text.count else { return .ignored }
            text.removeSubrange(index(cursor)..<text.endIndex)
            return .edited
        case .ctrl("w"), .alt("\u{7F}"):
            guard cursor > 0 else { return .ignored }
            var start = cursor
            let chars = Array(text)
            while start > 0 && chars[start - 1] == " " { start -= 1 }
            while start > 0 && chars[start - 1] != " " { start -= 1 }
            text.removeSubrange(index(start)..<index(cursor))
            cursor = start
            return .edited
        case .enter: return .submit
        case .escape, .ctrl("g"): return .cancel
        case .tab: return .complete
        default: return .ignored
        }
    }
}

/// The prompt line: prefix (":" or "/"), the text with a visible cursor, the rest of a
/// completion suggestion dimmed after it, and an optional error at the right.
public struct Prompt: Sendable, Hashable {
    public var prefix: String
    public var editor: LineEditor
    /// A full suggested text; its part beyond what was typed is shown after the cursor.
    public var suggestion: String?
    public var error: String?

    public init(prefix: String, editor: LineEditor, suggestion: String? = nil, error: String? = nil) {
        self.prefix = prefix
        self.editor = editor
        self.suggestion = suggestion
        self.error = error
    }

    /// The part of `suggestion` still to be typed, if it extends the current text.
    public var completionTail: String? {
        guard let s = suggestion, s.count > editor.text.count, s.hasPrefix(editor.text) else { return nil }
        return String(s.dropFirst(editor.text.count))
    }

    public func render(into buffer: inout CellBuffer, area: Rect, glyphs: Glyphs = .unicode) {
        let a = area.intersection(buffer.bounds)
        guard !a.isEmpty else { return }
        let row = Rect(x: a.x, y: a.y, width: a.width, height: 1)
        let base = Style(.prompt)
        buffer.fill(row, with: Cell(" ", style: base))
        var right = a.maxX
        if let e = error, !e.isEmpty, a.width >= 12 {
            let t = TextLayout.truncate(e, width: a.width / 2, ellipsis: glyphs.ellipsis)
            right -= DisplayWidth.of(t)
            buffer.put(t, x: right, y: a.y, style: Style(.statusError), clip: row)
            right -= 1
        }
        var x = a.x + buffer.put(prefix, x: a.x, y: a.y, style: Style(.prompt, .bold), clip: row)
        let room = right - x - 1 // one column kept for the cursor
        guard room >= 0 else { return }
        let chars = Array(editor.text)
        let cur = min(max(0, editor.cursor), chars.count)
        // Scroll so the cursor stays visible: drop characters from the left behind an ellipsis.
        var start = 0
        func w(_ r: Range<Int>) -> Int { r.reduce(0) { $0 + DisplayWidth.of(chars[$1]) } }
        if w(0..<cur) > room {
            let ell = DisplayWidth.of(glyphs.ellipsis)
            start = cur
            while start > 0 && w((start - 1)..<cur) + ell <= room { start -= 1 }
            x += buffer.put(String(glyphs.ellipsis), x: x, y: a.y, style: Style(.dim), clip: row)
        }
        let clip = Rect(x: a.x, y: a.y, width: right - a.x, height: 1)
        x += buffer.put(String(chars[start..<cur]), x: x, y: a.y, style: base, clip: clip)
        let cursorStyle = Style(.prompt, .reverse)
        if cur < chars.count {
            let cw = buffer.put(String(chars[cur]), x: x, y: a.y, style: cursorStyle, clip: clip)
            x += max(1, cw)
            x += buffer.put(String(chars[(cur + 1)...]), x: x, y: a.y, style: base, clip: clip)
        } else if let tail = completionTail {
            let first = tail.first.map(String.init) ?? " "
            let cw = buffer.put(first, x: x, y: a.y, style: Style(.promptSuggestion, .reverse), clip: clip)
            x += max(1, cw)
            buffer.put(String(tail.dropFirst()), x: x, y: a.y, style: Style(.promptSuggestion), clip: clip)
        } else {
            buffer.put(" ", x: x, y: a.y, style: cursorStyle, clip: clip)
        }
    }
}
