/// One key binding as shown in the hint bar and in help: "<p> pause".
public struct KeyHint: Sendable, Hashable {
    public var keyName: String
    public var description: String
    /// Hints with the lowest priority are dropped first when the bar is too narrow.
    public var priority: Int

    public init(_ key: Key, _ description: String, priority: Int = 0) {
        self.init(keyName: key.displayName, description, priority: priority)
    }
    public init(keyName: String, _ description: String, priority: Int = 0) {
        self.keyName = keyName
        self.description = description
        self.priority = priority
    }

    /// Columns this hint takes: "<key> description".
    public var width: Int { DisplayWidth.of(keyName) + 3 + DisplayWidth.of(description) }
}

/// The bottom bar: key hints on the left, a message (error, progress) on the right.
public struct StatusBar: Sendable, Hashable {
    public var hints: [KeyHint]
    public var message: String?
    public var messageRole: Role

    public static let hintGap = 2

    public init(hints: [KeyHint], message: String? = nil, messageRole: Role = .statusInfo) {
        self.hints = hints
        self.message = message
        self.messageRole = messageRole
    }

    /// The hints that fit in `width` columns, in their original order: lowest priority
    /// (then rightmost) dropped first.
    public static func fittingHints(_ hints: [KeyHint], width: Int) -> [KeyHint] {
        var keep = Array(hints.indices)
        func total() -> Int { keep.reduce(0) { $0 + hints[$1].width } + hintGap * max(0, keep.count - 1) }
        while !keep.isEmpty && total() > width {
            var drop = keep[0]
            for i in keep where hints[i].priority <= hints[drop].priority { drop = i }
            keep.removeAll { $0 == drop }
        }
        return keep.map { hints[$0] }
    }

    public func render(into buffer: inout CellBuffer, area: Rect, glyphs: Glyphs = .unicode) {
        let a = area.intersection(buffer.bounds)
        guard !a.isEmpty else { return }
        let row = Rect(x: a.x, y: a.y, width: a.width, height: 1)
        buffer.fill(row, with: Cell(" ", style: Style(.hintText)))
        var hintWidth = a.width
        if let m = message, !m.isEmpty {
            // The message gets up to two thirds of the bar; hints take what is left.
            let mt = TextLayout.truncate(m, width: hints.isEmpty ? a.width : max(1, a.width * 2 / 3), ellipsis: glyphs.ellipsis)
            let mw = DisplayWidth.of(mt)
            buffer.put(mt, x: a.maxX - mw, y: a.y, style: Style(messageRole), clip: row)
            hintWidth = a.width - mw - 1
        }
        var x = a.x
        let clip = Rect(x: a.x, y: a.y, width: max(0, hintWidth), height: 1)
        for (n, h) in StatusBar.fittingHints(hints, width: hintWidth).enumerated() {
            if n > 0 { x += StatusBar.hintGap }
            x += buffer.put("<" + h.keyName + ">", x: x, y: a.y, style: Style(.hintKey), clip: clip)
            x += buffer.put(" " + h.description, x: x, y: a.y, style: Style(.hintText), clip: clip)
        }
    }
}
