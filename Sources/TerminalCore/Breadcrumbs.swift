/// Where the user is: "local › topics › orders". The last crumb is the active one;
/// when space runs out, the oldest crumbs give way to an ellipsis.
public struct Breadcrumbs: Sendable, Hashable {
    public var items: [String]

    public init(_ items: [String]) { self.items = items }

    public func render(into buffer: inout CellBuffer, area: Rect, glyphs: Glyphs = .unicode) {
        let a = area.intersection(buffer.bounds)
        guard !a.isEmpty, !items.isEmpty else { return }
        let row = Rect(x: a.x, y: a.y, width: a.width, height: 1)
        buffer.fill(row, with: Cell(" ", style: Style(.crumb)))
        let sep = " " + String(glyphs.crumbSeparator) + " "
        let sepW = DisplayWidth.of(sep)
        var first = 0
        func width(from f: Int) -> Int {
            var w = items[f...].reduce(0) { $0 + DisplayWidth.of($1) } + sepW * (items.count - f - 1)
            if f > 0 { w += DisplayWidth.of(glyphs.ellipsis) + sepW }
            return w
        }
        while first < items.count - 1 && width(from: first) > a.width { first += 1 }
        // Too narrow even for "… › active": the active crumb alone.
        let alone = first == items.count - 1 && width(from: first) > a.width
        var x = a.x
        if first > 0 && !alone {
            x += buffer.put(String(glyphs.ellipsis) + sep, x: x, y: a.y, style: Style(.crumb), clip: row)
        }
        for i in first..<items.count {
            let last = i == items.count - 1
            let text = last ? TextLayout.truncate(items[i], width: max(0, a.maxX - x), ellipsis: glyphs.ellipsis) : items[i]
            x += buffer.put(text, x: x, y: a.y, style: Style(last ? .crumbActive : .crumb), clip: row)
            if !last { x += buffer.put(sep, x: x, y: a.y, style: Style(.crumb), clip: row) }
        }
    }
}
