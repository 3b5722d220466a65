/// One "key: value" row; a row with `isSection` is a heading.
public struct DetailRow: Sendable, Hashable {
    public var key: String
    public var value: String
    public var style: Style
    public var isSection: Bool

    public init(_ key: String, _ value: String, role: Role = .headerValue) {
        self.key = key
        self.value = value
        self.style = Style(role)
        self.isSection = false
    }
    public init(_ key: String, _ value: String, style: Style) {
        self.key = key
        self.value = value
        self.style = style
        self.isSection = false
    }

    public static func section(_ title: String) -> DetailRow {
        var r = DetailRow(title, "", role: .title)
        r.isSection = true
        return r
    }
}

/// Aligned key/value rows (describe views). Keys take at most 40% of the width; long
/// values wrap under themselves. `offset` is the first visual row.
public struct DetailPane: Sendable, Hashable {
    public var rows: [DetailRow]

    public init(rows: [DetailRow]) { self.rows = rows }

    public func keyWidth(for width: Int) -> Int {
        let longest = rows.filter { !$0.isSection }.reduce(0) { max($0, DisplayWidth.of($1.key) + 1) }
        return min(longest, max(1, width * 2 / 5))
    }

    private func layout(width: Int) -> [(key: String?, value: String, style: Style, section: Bool)] {
        guard width > 0 else { return [] }
        let kw = keyWidth(for: width)
        let vw = width - kw - 1
        var out: [(String?, String, Style, Bool)] = []
        for r in rows {
            if r.isSection { out.append((nil, r.key, Style(.title, .bold), true)); continue }
            let parts = vw > 0 ? TextLayout.hardWrap(r.value.sanitizedForTerminal, width: vw) : [""]
            for (i, p) in parts.enumerated() { out.append((i == 0 ? r.key : "", p, r.style, false)) }
        }
        return out
    }

    public func rowCount(width: Int) -> Int { layout(width: width).count }

    public func render(into buffer: inout CellBuffer, area: Rect, offset: Int = 0, glyphs: Glyphs = .unicode) {
        let a = area.intersection(buffer.bounds)
        guard !a.isEmpty else { return }
        buffer.fill(a)
        let lines = layout(width: a.width)
        let kw = keyWidth(for: a.width)
        let first = min(max(0, offset), max(0, lines.count - a.height))
        var y = a.y
        for line in lines.dropFirst(first) {
            if y >= a.maxY { break }
            if line.section {
                buffer.put(TextLayout.truncate(line.value, width: a.width, ellipsis: glyphs.ellipsis), x: a.x, y: y, style: line.style, clip: a)
            } else {
                if let k = line.key, !k.isEmpty {
                    buffer.put(TextLayout.truncate(k + ":", width: kw, ellipsis: glyphs.ellipsis), x: a.x, y: y, style: Style(.headerLabel), clip: a)
                }
                buffer.put(line.value, x: a.x + kw + 1, y: y, style: line.style, clip: a)
            }
            y += 1
        }
    }
}
