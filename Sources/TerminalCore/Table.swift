/// One table column: how it is titled and how it gives way when space runs out.
public struct TableColumn: Sendable, Hashable {
    public var title: String
    /// Narrowest a flexible column is shrunk to before columns are dropped.
    public var minWidth: Int
    /// Widest the column grows (nil: no limit).
    public var maxWidth: Int?
    /// Share of spare width this column takes, and whether it shrinks before others are
    /// dropped (0: fixed at its content width).
    public var flex: Int
    public var alignment: Alignment
    public var truncation: Truncation
    /// Columns with the lowest priority are dropped first when even shrunk columns do
    /// not fit (ties: the rightmost goes first).
    public var priority: Int
    /// Preferred content width; nil measures the header and a sample of rows.
    public var width: Int?

    public init(_ title: String, minWidth: Int = 1, maxWidth: Int? = nil, flex: Int = 0,
                alignment: Alignment = .left, truncation: Truncation = .tail, priority: Int = 0, width: Int? = nil) {
        self.title = title
        self.minWidth = max(1, minWidth)
        self.maxWidth = maxWidth.map { max(1, $0) }
        self.flex = max(0, flex)
        self.alignment = alignment
        self.truncation = truncation
        self.priority = priority
        self.width = width
    }
}

/// One cell's text and, optionally, its own style (health roles such as `.statusError`
/// next to a symbol). Cells without a style take the row's.
public struct TableCell: Sendable, Hashable, ExpressibleByStringLiteral {
    public var text: String
    public var style: Style?

    public init(_ text: String, style: Style? = nil) {
        self.text = text
        self.style = style
    }
    public init(_ text: String, role: Role) {
        self.text = text
        self.style = Style(role)
    }
    public init(stringLiteral value: String) { self.init(value) }
}

public enum SortDirection: Sendable, Hashable {
    case ascending, descending
    public var toggled: SortDirection { self == .ascending ? .descending : .ascending }
}

public struct TableSort: Sendable, Hashable {
    public var column: Int
    public var direction: SortDirection
    public init(column: Int, direction: SortDirection = .ascending) {
        self.column = column
        self.direction = direction
    }
}

/// Where a column landed: `column` indexes the table's columns.
public struct ColumnSlot: Sendable, Hashable {
    public var column: Int
    public var x: Int
    public var width: Int
    public init(column: Int, x: Int, width: Int) {
        self.column = column
        self.x = x
        self.width = width
    }
}

public enum ColumnFitter {
    /// Lays columns out in `available` columns (x relative to 0) with `gap` blanks between
    /// them. Each column wants `ideal[i]` (clamped to its min/max). Too wide: flexible
    /// columns shrink toward their minimum (widest first), then the lowest-priority
    /// columns are dropped; a last lone column is truncated to fit. Too narrow: spare
    /// width goes to flexible columns by their flex share, up to their maximum.
    public static func fit(_ columns: [TableColumn], ideal: [Int], available: Int, gap: Int = 1) -> [ColumnSlot] {
        guard available > 0, !columns.isEmpty else { return [] }
        var width = [Int](repeating: 0, count: columns.count)
        for i in columns.indices {
            let c = columns[i]
            var w = max(c.minWidth, i < ideal.count ? ideal[i] : c.minWidth)
            if let m = c.maxWidth { w = min(w, max(m, c.minWidth)) }
            width[i] = w
        }
        var active = Array(columns.indices)
        func total() -> Int { active.reduce(0) { $0 + width[$1] } + gap * max(0, active.count - 1) }

        while true {
            var over = total() - available
            if over <= 0 { break }
            let shrinkable = active.filter { columns[$0].flex > 0 }.reduce(0) { $0 + width[$1] - columns[$1].minWidth }
            if shrinkable >= over {
                // Widest flexible column first keeps the result balanced.
                while over > 0 {
                    var best = -1
                    for i in active where columns[i].flex > 0 && width[i] > columns[i].minWidth {
                        if best < 0 || width[i] > width[best] || (width[i] == width[best] && i > best) { best = i }
                    }
                    if best < 0 { break }
                    width[best] -= 1
                    over -= 1
                }
                break
            }
            if active.count > 1 {
                var drop = active[0]
                for i in active where columns[i].priority <= columns[drop].priority { drop = i }
                active.removeAll { $0 == drop }
                continue
            }
            width[active[0]] = available
            break
        }

        var spare = available - total()
        let flexCols = active.filter { columns[$0].flex > 0 }
        while spare > 0 && !flexCols.isEmpty {
            let growable = flexCols.filter { i in columns[i].maxWidth.map { m in width[i] < m } ?? true }
            if growable.isEmpty { break }
            let shares = growable.reduce(0) { $0 + columns[$1].flex }
            var given = 0
            for i in growable {
                var add = spare * columns[i].flex / shares
                if add == 0 { add = 1 }
                if let m = columns[i].maxWidth { add = min(add, m - width[i]) }
                add = min(add, spare - given)
                if add <= 0 { continue }
                width[i] += add
                given += add
                if given >= spare { break }
            }
            if given == 0 { break }
            spare -= given
        }

        var slots: [ColumnSlot] = []
        var x = 0
        for i in active {
            let w = min(width[i], available - x)
            if w <= 0 { break }
            slots.append(ColumnSlot(column: i, x: x, width: w))
            x += w + gap
        }
        return slots
    }
}

/// A virtual table: rows come from `cell(row, column)` on demand, so only the visible
/// rows (plus a bounded sample for measuring) are ever asked for.
public struct Table {
    public var columns: [TableColumn]
    public var rowCount: Int
    public var cell: (_ row: Int, _ column: Int) -> TableCell
    public var sort: TableSort?
    public var isMarked: (_ row: Int) -> Bool
    public var showHeader: Bool
    /// Shown dimmed in the first row when there are no rows.
    public var emptyMessage: String
    public var columnGap: Int
    /// Rows measured for columns without a fixed `width` (plus the visible ones).
    public var measureSample: Int

    public init(columns: [TableColumn], rowCount: Int, sort: TableSort? = nil,
                isMarked: @escaping (Int) -> Bool = { _ in false },
                cell: @escaping (_ row: Int, _ column: Int) -> TableCell) {
        self.columns = columns
        self.rowCount = max(0, rowCount)
        self.cell = cell
        self.sort = sort
        self.isMarked = isMarked
        self.showHeader = true
        self.emptyMessage = "No rows"
        self.columnGap = 1
        self.measureSample = 200
    }

    /// A table over rows already in memory.
    public init(columns: [TableColumn], rows: [[TableCell]], sort: TableSort? = nil,
                isMarked: @escaping (Int) -> Bool = { _ in false }) {
        self.init(columns: columns, rowCount: rows.count, sort: sort, isMarked: isMarked) { r, c in
            c < rows[r].count ? rows[r][c] : TableCell("")
        }
    }

    /// Rows that fit in `area` below the header.
    public static func visibleRowCount(in area: Rect, showHeader: Bool = true) -> Int {
        max(0, area.height - (showHeader ? 1 : 0))
    }

    /// Header text for column `i`, with the sort arrow when sorted by it.
    public func headerTitle(_ i: Int, glyphs: Glyphs) -> String {
        guard let s = sort, s.column == i else { return columns[i].title }
        return columns[i].title + String(s.direction == .ascending ? glyphs.sortAscending : glyphs.sortDescending)
    }

    /// Column placement for `width`, measuring header and rows `visible` plus a sample.
    public func layout(width: Int, visible: Range<Int>, glyphs: Glyphs = .unicode) -> [ColumnSlot] {
        var ideal = [Int](repeating: 0, count: columns.count)
        let sampleEnd = min(rowCount, measureSample)
        for i in columns.indices {
            if let w = columns[i].width {
                ideal[i] = max(w, DisplayWidth.of(headerTitle(i, glyphs: glyphs)))
                continue
            }
            var w = showHeader ? DisplayWidth.of(headerTitle(i, glyphs: glyphs)) : 0
            for r in 0..<sampleEnd { w = max(w, DisplayWidth.of(cell(r, i).text)) }
            for r in visible where r >= sampleEnd && r < rowCount { w = max(w, DisplayWidth.of(cell(r, i).text)) }
            ideal[i] = w
        }
        return ColumnFitter.fit(columns, ideal: ideal, available: width, gap: columnGap)
    }

    /// Draws header and visible rows into `area`. The cursor row is highlighted when
    /// `focused`; the state is clamped for drawing only (call `state.clamp` to keep it).
    public func render(into buffer: inout CellBuffer, area: Rect, state: ScrollState, focused: Bool = true, glyphs: Glyphs = .unicode) {
        let area = area.intersection(buffer.bounds)
        guard !area.isEmpty else { return }
        let visible = Table.visibleRowCount(in: area, showHeader: showHeader)
        let s = state.clamped(count: rowCount, visible: visible)
        let rows = s.offset..<min(rowCount, s.offset + visible)
        let slots = layout(width: area.width, visible: rows, glyphs: glyphs)
        var y = area.y
        if showHeader {
            let hs = Style(.tableHeader)
            buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), with: Cell(" ", style: hs))
            for slot in slots {
                let t = TextLayout.fit(headerTitle(slot.column, glyphs: glyphs), width: slot.width,
                                       alignment: columns[slot.column].alignment, ellipsis: glyphs.ellipsis)
                buffer.put(t, x: area.x + slot.x, y: y, style: hs, clip: area)
            }
            y += 1
        }
        buffer.fill(Rect(x: area.x, y: y, width: area.width, height: area.maxY - y))
        if rowCount == 0 {
            if y < area.maxY {
                buffer.put(TextLayout.truncate(emptyMessage, width: area.width, ellipsis: glyphs.ellipsis),
                           x: area.x, y: y, style: Style(.dim), clip: area)
            }
            return
        }
        for r in rows {
            let selected = focused && r == s.cursor
            let marked = isMarked(r)
            let rowStyle: Style = selected ? Style(.tableSelected) : marked ? Style(.tableMarked) : Style(.tableRow)
            buffer.fill(Rect(x: area.x, y: y, width: area.width, height: 1), with: Cell(" ", style: rowStyle))
            for slot in slots {
                let c = cell(r, slot.column)
                var st = rowStyle
                if let own = c.style {
                    // The selection bar wins the role; the cell keeps its attributes.
                    st = selected || marked ? Style(rowStyle.role, own.attributes.union(rowStyle.attributes)) : own
                }
                let col = columns[slot.column]
                let t = TextLayout.fit(c.text, width: slot.width, alignment: col.alignment,
                                       ellipsis: glyphs.ellipsis, truncation: col.truncation)
                buffer.put(t, x: area.x + slot.x, y: y, style: st, clip: area)
            }
            y += 1
        }
    }
}
