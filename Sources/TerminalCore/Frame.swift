/// A box with an optional title in its top edge. Rendering returns the inner area.
public struct Frame: Sendable, Hashable {
    public var title: String?
    public var role: Role
    public var titleRole: Role
    /// Text placed at the right end of the top edge (a count, "[12/50000]").
    public var trailing: String?

    public init(title: String? = nil, role: Role = .border, titleRole: Role = .title, trailing: String? = nil) {
        self.title = title
        self.role = role
        self.titleRole = titleRole
        self.trailing = trailing
    }

    /// The area inside the border (empty when `area` is too small for one).
    public static func inner(_ area: Rect) -> Rect {
        area.width >= 2 && area.height >= 2 ? area.inset(by: 1) : Rect(x: area.x, y: area.y, width: 0, height: 0)
    }

    @discardableResult
    public func render(into buffer: inout CellBuffer, area: Rect, glyphs: Glyphs = .unicode) -> Rect {
        let a = area.intersection(buffer.bounds)
        guard a.width >= 2, a.height >= 2 else { return Rect(x: a.x, y: a.y, width: 0, height: 0) }
        let st = Style(role)
        let h = String(glyphs.horizontal), v = String(glyphs.vertical)
        for x in (a.x + 1)..<(a.maxX - 1) {
            buffer.put(h, x: x, y: a.y, style: st)
            buffer.put(h, x: x, y: a.maxY - 1, style: st)
        }
        for y in (a.y + 1)..<(a.maxY - 1) {
            buffer.put(v, x: a.x, y: y, style: st)
            buffer.put(v, x: a.maxX - 1, y: y, style: st)
        }
        buffer.put(String(glyphs.topLeft), x: a.x, y: a.y, style: st)
        buffer.put(String(glyphs.topRight), x: a.maxX - 1, y: a.y, style: st)
        buffer.put(String(glyphs.bottomLeft), x: a.x, y: a.maxY - 1, style: st)
        buffer.put(String(glyphs.bottomRight), x: a.maxX - 1, y: a.maxY - 1, style: st)
        // Title " name " after the corner; trailing text before the right corner.
        let room = a.width - 4
        var used = 0
        if let t = title, !t.isEmpty, room >= 3 {
            let txt = " " + TextLayout.truncate(t, width: room - 2, ellipsis: glyphs.ellipsis) + " "
            used = buffer.put(txt, x: a.x + 1, y: a.y, style: Style(titleRole), clip: Rect(x: a.x + 1, y: a.y, width: a.width - 2, height: 1))
        }
        if let t = trailing, !t.isEmpty {
            let free = room - used - 1
            if free >= 3 {
                let txt = " " + TextLayout.truncate(t, width: free - 2, ellipsis: glyphs.ellipsis) + " "
                let w = DisplayWidth.of(txt)
                buffer.put(txt, x: a.maxX - 1 - w, y: a.y, style: Style(titleRole))
            }
        }
        return a.inset(by: 1)
    }
}
