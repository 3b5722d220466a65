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
    /// Left out while no measured row has text in it (an ERROR column of a healthy list),
    /// so it can rank high without taking room from columns that have something to show.
    public var hiddenWhenEmpty: Bool

    public init(_ title: String, minWidth: Int = 1, maxWidth: Int? = nil, flex: Int = 0,
                alignment: Alignment = .left, truncation: Truncation = .tail, priority: Int = 0, width: Int? = nil,
                hiddenWhenEmpty: Bool = false) {
        self.title = title
        self.minWidth = max(1, minWidth)
        self.maxWidth = maxWidth.map { max(1, $0) }
        self.flex = max(0, flex)
        self.alignment = alignment
        self.truncation = truncation
        self.priority = priority
        self.width = width
        self.hiddenWhenEmpty = hiddenWhenEmpty
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
    /// them. Each column wants `ideal[i]` (clamped to its min/max); a flexible column may
    /// shrink to its minimum, a fixed one keeps what it wants. Space is given by priority:
    /// 1. while even the narrowest widths do not fit, the lowest-priority column is dropped
    ///    (ties: the rightmost); a dropped column comes back when it fits beside every kept
    ///    column at its full width (most important first);
    /// 2. shrunk flexible columns grow back toward their content, as many made whole as can be,
    ///    the rest to the most important;
    /// 3. only then does spare width pad flexible columns, by flex share, up to their maximum.
    /// So no column is dropped or cut short to pad another, whatever its priority (a broker's
    /// error never gives way to padding of its address). A last lone column is truncated to fit.
    public static func fit(_ columns: [TableColumn], ideal: [Int], available: Int, gap: Int = 1) -> [ColumnSlot] {
        guard available > 0, !columns.isEmpty else { return [] }
        var want = [Int](repeating: 0, count: columns.count)
        var narrowest = want
        for i in columns.indices {
            let c = columns[i]
            // A fixed column is at least its minimum; a flexible one wants only its content (the
            // minimum is how far it may shrink; width beyond its content is padding, given last).
            let content = i < ideal.count ? ideal[i] : c.minWidth
            var w = c.flex > 0 ? max(1, content) : max(c.minWidth, content)
            if let m = c.maxWidth { w = min(w, max(m, c.minWidth)) }
            want[i] = w
            narrowest[i] = c.flex > 0 ? min(c.minWidth, w) : w
        }
        func used(_ set: [Int], _ width: [Int]) -> Int { set.reduce(0) { $0 + width[$1] } + gap * max(0, set.count - 1) }
        /// Most important first; ties: the leftmost.
        func byImportance(_ a: Int, _ b: Int) -> Bool {
            columns[a].priority != columns[b].priority ? columns[a].priority > columns[b].priority : a < b
        }

        var active = Array(columns.indices)
        var dropped: [Int] = []
        while active.count > 1 && used(active, narrowest) > available {
            var drop = active[0]
            for i in active where columns[i].priority <= columns[drop].priority { drop = i }
            active.removeAll { $0 == drop }
            dropped.append(drop)
        }
        // Back into room that would otherwise be padding: the columns kept get all they want
        // first (a column that gave way never makes a more important one shorter).
        for i in dropped.sorted(by: byImportance) {
            var need = want
            need[i] = narrowest[i]
            let with = (active + [i]).sorted()
            if used(with, need) <= available { active = with }
        }

        var width = narrowest
        if active.count == 1 && width[active[0]] > available { width[active[0]] = available }
        var spare = available - used(active, width)

        // Shrunk flexible columns grow back toward their content, the one closest to whole first
        // (ties: the more important), so as many as possible are shown whole; what cannot be
        // made whole goes to the most important of the rest.
        while spare > 0 {
            var next = -1
            for i in active where width[i] < want[i] {
                if next < 0 { next = i; continue }
                let (d, dn) = (want[i] - width[i], want[next] - width[next])
                if d < dn || (d == dn && byImportance(i, next)) { next = i }
            }
            if next < 0 { break }
            if want[next] - width[next] > spare {
                // Not enough to make any whole: the most important short column takes it.
                next = active.filter { width[$0] < want[$0] }.sorted(by: byImportance)[0]
            }
            let add = min(spare, want[next] - width[next])
            width[next] += add
            spare -= add
        }

        // Padding, last.
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
        var shown: [Int] = []
        let sampleEnd = min(rowCount, measureSample)
        let measured = Array(0..<sampleEnd) + visible.filter { $0 >= sampleEnd && $0 < rowCount }
        for i in columns.indices {
            if columns[i].hiddenWhenEmpty && !measured.contains(where: { !cell($0, i).text.isEmpty }) { continue }
            shown.append(i)
            if let w = columns[i].width {
                ideal[i] = max(w, DisplayWidth.of(headerTitle(i, glyphs: glyphs)))
                continue
            }
            var w = showHeader ? DisplayWidth.of(headerTitle(i, glyphs: glyphs)) : 0
            for r in measured { w = max(w, DisplayWidth.of(cell(r, i).text)) }
            ideal[i] = w
        }
        if shown.count == columns.count {
            return ColumnFitter.fit(columns, ideal: ideal, available: width, gap: columnGap)
        }
        return ColumnFitter.fit(shown.map { columns[$0] }, ideal: shown.map { ideal[$0] }, available: width, gap: columnGap)
            .map { ColumnSlot(column: shown[$0.column], x: $0.x, width: $0.width) }
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
