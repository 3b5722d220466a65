public struct ListItem: Sendable, Hashable, ExpressibleByStringLiteral {
    public var text: String
    public var style: Style?
    /// Shown right-aligned and dimmed (a count, a state).
    public var detail: String?

    public init(_ text: String, style: Style? = nil, detail: String? = nil) {
        self.text = text
        self.style = style
        self.detail = detail
    }
    public init(stringLiteral value: String) { self.init(value) }
}

/// A single-column scrolling list (menus, completions, help).
public struct ListView {
    public var items: [ListItem]
    public var isMarked: (Int) -> Bool
    public var emptyMessage: String

    public init(items: [ListItem], isMarked: @escaping (Int) -> Bool = { _ in false }, emptyMessage: String = "") {
        self.items = items
        self.isMarked = isMarked
        self.emptyMessage = emptyMessage
    }

    public func render(into buffer: inout CellBuffer, area: Rect, state: ScrollState, focused: Bool = true, glyphs: Glyphs = .unicode) {
        let a = area.intersection(buffer.bounds)
        guard !a.isEmpty else { return }
        buffer.fill(a)
        if items.isEmpty {
            buffer.put(TextLayout.truncate(emptyMessage, width: a.width, ellipsis: glyphs.ellipsis), x: a.x, y: a.y, style: Style(.dim), clip: a)
            return
        }
        let s = state.clamped(count: items.count, visible: a.height)
        var y = a.y
        for i in s.offset..<min(items.count, s.offset + a.height) {
            let item = items[i]
            let selected = focused && i == s.cursor
            let marked = isMarked(i)
            let rowStyle = selected ? Style(.tableSelected) : marked ? Style(.tableMarked) : (item.style ?? Style(.normal))
            buffer.fill(Rect(x: a.x, y: y, width: a.width, height: 1), with: Cell(" ", style: rowStyle))
            let markCol = marked ? String(glyphs.mark) + " " : ""
            var textWidth = a.width
            if let d = item.detail, !d.isEmpty, a.width > 8 {
                let dt = TextLayout.truncate(d, width: a.width / 3, ellipsis: glyphs.ellipsis)
                let dw = DisplayWidth.of(dt)
                buffer.put(dt, x: a.maxX - dw, y: y, style: selected || marked ? rowStyle : Style(.dim), clip: a)
                textWidth = a.width - dw - 1
            }
            let t = TextLayout.truncate(markCol + item.text, width: textWidth, ellipsis: glyphs.ellipsis)
            buffer.put(t, x: a.x, y: y, style: rowStyle, clip: Rect(x: a.x, y: y, width: textWidth, height: 1))
            y += 1
        }
    }
}
