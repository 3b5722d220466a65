/// A run of text in one style.
public struct Span: Sendable, Hashable {
    public var text: String
    public var style: Style
    public init(_ text: String, style: Style = .normal) {
        self.text = text
        self.style = style
    }
    public init(_ text: String, role: Role) { self.init(text, style: Style(role)) }
}

/// A scrollable block of styled lines (stack traces, record values, JSON), wrapped at
/// the width or cut with horizontal scrolling. `state.offset` is the first visual row.
public struct TextView: Sendable, Hashable {
    public var lines: [[Span]]
    public var wrap: Bool
    /// Draw a scroll indicator in the last column when the text is longer than the view.
    public var showsScrollbar: Bool

    public init(lines: [[Span]], wrap: Bool = true, showsScrollbar: Bool = true) {
        self.lines = lines
        self.wrap = wrap
        self.showsScrollbar = showsScrollbar
    }

    public init(text: String, wrap: Bool = true, role: Role = .normal) {
        let ls = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.init(lines: ls.map { [Span(String($0), role: role)] }, wrap: wrap)
    }

    /// One logical line cut into visual rows of at most `width` columns, breaking after
    /// the last space that fits (the space is dropped) or, in a long word, anywhere.
    public static func rows(of line: [Span], width: Int) -> [[Span]] {
        guard width > 0 else { return [] }
        var rows: [[(Character, Style)]] = []
        var current: [(Character, Style)] = []
        var widths: [Int] = []
        var used = 0
        var lastSpace: Int? = nil
        for span in line {
            for ch in span.text.sanitizedForTerminal {
                let w = DisplayWidth.of(ch)
                if used + w > width && used > 0 {
                    if ch == " " {
                        // Breaking at this very space: it disappears into the break.
                        rows.append(current)
                        current = []
                        widths = []
                        used = 0
                        lastSpace = nil
                        continue
                    }
                    if let sp = lastSpace, sp > 0 {
                        rows.append(Array(current[..<sp]))
                        current = Array(current[(sp + 1)...])
                        widths = Array(widths[(sp + 1)...])
                        used = widths.reduce(0, +)
                    } else {
                        rows.append(current)
                        current = []
                        widths = []
                        used = 0
                    }
                    lastSpace = nil
                }
                if ch == " " { lastSpace = current.count }
                current.append((ch, span.style))
                widths.append(w)
                used += w
            }
        }
        rows.append(current)
        return rows.map { row in
            var spans: [Span] = []
            for (ch, st) in row {
                if let last = spans.last, last.style == st { spans[spans.count - 1].text.append(ch) } else { spans.append(Span(String(ch), style: st)) }
            }
            return spans
        }
    }

    private func visualRows(_ line: [Span], width: Int) -> Int {
        guard wrap else { return 1 }
        // Fast path: a line that fits needs no layout.
        var total = 0
        for span in line { total += DisplayWidth.of(span.text.sanitizedForTerminal) }
        if total <= width { return 1 }
        return TextView.rows(of: line, width: width).count
    }

    /// Visual rows at `width` (equal to `lines.count` when not wrapping).
    public func rowCount(width: Int) -> Int {
        guard wrap else { return lines.count }
        guard width > 0 else { return 0 }
        return lines.reduce(0) { $0 + visualRows($1, width: width) }
    }

    /// Text width in `area` (one column less when the scrollbar is shown).
    public func textWidth(in area: Rect) -> Int {
        guard showsScrollbar, area.width > 1 else { return area.width }
        return rowCount(width: area.width) > area.height ? area.width - 1 : area.width
    }

    /// The largest useful `offset` for `area` (clamp scroll state with it).
    public func maxOffset(in area: Rect) -> Int {
        max(0, rowCount(width: textWidth(in: area)) - area.height)
    }

    /// The widest line, for clamping `horizontalOffset` when not wrapping.
    public var maxLineWidth: Int {
        lines.reduce(0) { m, l in max(m, l.reduce(0) { $0 + DisplayWidth.of($1.text) }) }
    }

    public func render(into buffer: inout CellBuffer, area: Rect, offset: Int, horizontalOffset: Int = 0, glyphs: Glyphs = .unicode) {
        let a = area.intersection(buffer.bounds)
        guard !a.isEmpty else { return }
        buffer.fill(a)
        let tw = textWidth(in: a)
        let total = rowCount(width: tw)
        let first = min(max(0, offset), max(0, total - a.height))
        let textArea = Rect(x: a.x, y: a.y, width: tw, height: a.height)
        var row = 0
        var y = a.y
        outer: for line in lines {
            if wrap {
                let n = visualRows(line, width: tw)
                if row + n <= first { row += n; continue }
                for (k, r) in TextView.rows(of: line, width: tw).enumerated() where row + k >= first {
                    if y >= a.maxY { break outer }
                    var x = a.x
                    for s in r { x += buffer.put(s.text, x: x, y: y, style: s.style, clip: textArea) }
                    y += 1
                }
                row += n
            } else {
                if row < first { row += 1; continue }
                if y >= a.maxY { break }
                drawShifted(line, skip: max(0, horizontalOffset), into: &buffer, y: y, area: textArea, glyphs: glyphs)
                y += 1
                row += 1
            }
        }
        if tw < a.width && a.height > 0 {
            let x = a.maxX - 1
            let thumbH = max(1, a.height * a.height / max(1, total))
            let thumbY = total <= a.height ? 0 : (a.height - thumbH) * first / max(1, total - a.height)
            for i in 0..<a.height {
                let on = i >= thumbY && i < thumbY + thumbH
                buffer.put(String(on ? glyphs.scrollThumb : glyphs.scrollTrack), x: x, y: a.y + i, style: Style(.scrollbar))
            }
        }
    }

    /// Draws `line` with its first `skip` columns cut off; an ellipsis marks text cut
    /// on the right.
    private func drawShifted(_ line: [Span], skip: Int, into buffer: inout CellBuffer, y: Int, area: Rect, glyphs: Glyphs) {
        var col = 0
        var x = area.x
        let lineW = line.reduce(0) { $0 + DisplayWidth.of($1.text) }
        let cut = lineW - skip > area.width
        let limit = cut ? area.maxX - 1 : area.maxX
        for span in line {
            for ch in span.text.sanitizedForTerminal {
                let w = DisplayWidth.of(ch)
                defer { col += w }
                if col < skip { continue }
                if x + w > limit { break }
                buffer.put(String(ch), x: x, y: y, style: span.style, clip: area)
                x += w
            }
        }
        if cut && area.width > 0 { buffer.put(String(glyphs.ellipsis), x: area.maxX - 1, y: y, style: Style(.dim)) }
    }
}
