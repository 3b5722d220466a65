import Foundation

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
    public var lines: [[Span]] { didSet { memo = WrapMemo() } }
    public var wrap: Bool
    /// Draw a scroll indicator in the last column when the text is longer than the view.
    public var showsScrollbar: Bool
    /// The wrapped rows for the last width asked for, shared by copies: a value of a
    /// megabyte takes a noticeable time to wrap, so keys and frames must not redo it.
    private var memo = WrapMemo()

    public init(lines: [[Span]], wrap: Bool = true, showsScrollbar: Bool = true) {
        self.lines = lines
        self.wrap = wrap
        self.showsScrollbar = showsScrollbar
    }

    public static func == (a: TextView, b: TextView) -> Bool {
        a.wrap == b.wrap && a.showsScrollbar == b.showsScrollbar && a.lines == b.lines
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(lines)
        hasher.combine(wrap)
        hasher.combine(showsScrollbar)
    }

    /// How many times this text (and its copies) was wrapped: once per width used, not per frame.
    public var wrapComputations: Int { memo.computations }

    /// Every visual row of the text at `width` (wrap mode), computed once per width.
    public func wrappedRows(width: Int) -> [[Span]] {
        guard width > 0 else { return [] }
        if let hit = memo.rows(width: width) { return hit }
        var out: [[Span]] = []
        for line in lines {
            if Self.fits(line, width: width) {
                out.append(line.map { Span($0.text.sanitizedForTerminal, style: $0.style) })
            } else {
                out += TextView.rows(of: line, width: width)
            }
        }
        memo.store(out, width: width)
        return out
    }

    private static func fits(_ line: [Span], width: Int) -> Bool {
        var total = 0
        for span in line {
            // A line with a break in it never fits on one row (the break is drawn as a glyph).
            total += DisplayWidth.of(span.text.sanitizedForTerminal)
            if total > width { return false }
        }
        return true
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

    /// Visual rows at `width` (equal to `lines.count` when not wrapping).
    public func rowCount(width: Int) -> Int {
        guard wrap else { return lines.count }
        guard width > 0 else { return 0 }
        return wrappedRows(width: width).count
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
        if wrap {
            for r in wrappedRows(width: tw).dropFirst(first).prefix(a.height) {
                var x = a.x
                for s in r { x += buffer.put(s.text, x: x, y: y, style: s.style, clip: textArea) }
                y += 1
            }
        } else {
            for line in lines {
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

/// Wrapped rows for the last two widths (the view measures at its full width to decide on
/// a scrollbar, then draws one column narrower). A reference so that copies of a `TextView`
/// (screens are values, copied on every update) share the work; it only caches a pure
/// function of the view's lines, so sharing it cannot change what is drawn.
final class WrapMemo: @unchecked Sendable {
    // @unchecked: `entries` is touched only with `lock` held.
    private let lock = NSLock()
    private var entries: [(width: Int, rows: [[Span]])] = []
    private var computed = 0

    /// How many times rows were wrapped (tests assert it stays bounded instead of timing frames).
    var computations: Int { lock.lock(); defer { lock.unlock() }; return computed }

    func rows(width w: Int) -> [[Span]]? {
        lock.lock()
        defer { lock.unlock() }
        return entries.first { $0.width == w }?.rows
    }

    func store(_ rows: [[Span]], width w: Int) {
        lock.lock()
        defer { lock.unlock() }
        computed += 1
        entries.removeAll { $0.width == w }
        entries.append((w, rows))
        if entries.count > 2 { entries.removeFirst() }
    }
}
